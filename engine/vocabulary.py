"""The fields the engine knows, as data: each concept's kind, the words prompts use for it and the
labels documents print beside it (the default prompts are in prompt_defaults.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    """A field the engine knows: what it is called in prompts and labelled as in documents."""

    key: str
    kind: str
    synonyms: tuple[str, ...]
    labels: tuple[tuple[str, float], ...] = ()


def _c(key: str, kind: str, synonyms: str, labels: str = "") -> Concept:
    """Concept from compact text: synonyms separated by '|', labels as 'phrase=weight|...'."""
    syns = tuple(s.strip() for s in synonyms.split("|") if s.strip())
    labs = []
    for part in labels.split("|"):
        part = part.strip()
        if not part:
            continue
        phrase, _, weight = part.rpartition("=")
        labs.append((phrase.strip(), float(weight)))
    return Concept(key, kind, syns, tuple(labs))


CONCEPTS: tuple[Concept, ...] = (
    _c(
        "document_number",
        "id",
        "invoice number|invoice no|invoice #|invoice id|invoice num|invoice ref|invoice reference|"
        "bill number|bill no|receipt number|receipt no|receipt #|receipt id|document number|"
        "document no|doc number|reference number|reference|ref|number|transaction number|"
        "transaction id|ticket number|credit note number|invoice|receipt",
        "invoice number=1|invoice no=1|invoice #=1|invoice num=1|invoice nbr=1|invoice id=0.95|"
        "invoice ref=0.9|inv no=0.95|inv #=0.95|invoice=0.7|tax invoice no=1|"
        "tax invoice=0.6|bill no=0.9|bill number=0.9|bill #=0.9|receipt number=0.95|"
        "receipt no=0.95|receipt #=0.95|receipt id=0.9|receipt=0.6|document no=0.8|"
        "document number=0.8|doc no=0.8|credit note no=0.9|reference no=0.6|reference=0.5|"
        "ref no=0.55|ref=0.45|number=0.5|no=0.45|nr=0.45|transaction no=0.75|"
        "transaction #=0.75|transaction id=0.7|trans no=0.7|trans #=0.7|trx=0.6|txn=0.6|"
        "ticket no=0.7|ticket #=0.7|ticket=0.5|check #=0.6|check no=0.6|chk=0.5|"
        "ticket n°=0.8|n° ticket=0.8|n° de ticket=0.8|ticket nr=0.7|trans=0.5|transaction=0.5|"
        "rcpt=0.75|rcpt #=0.85|rcpt no=0.85|docket=0.6|docket no=0.85|sales no=0.6|"
        "sale no=0.6|bill=0.5|bon=0.5|bon-nr=0.85|kassenbon-nr=0.9|beleg-nr=0.85|belegnr=0.85|"
        "doc #=0.8|invoice nr=1|inv nr=0.95|inv=0.6|tax invoice #=1|trn #=0.7|trn no=0.7|"
        "trn=0.45|booking id=0.6|booking no=0.6|booking number=0.6|booking reference=0.6|"
        "reservation no=0.55|reservation number=0.55|confirmation no=0.55|"
        "confirmation number=0.55|confirmation code=0.55|"
        "rechnungsnummer=1|rechnungs-nr=1|rechnungsnr=1|rechnung nr=1|re-nr=0.9|rg-nr=0.9|"
        "n° de facture=1|nº factura=1|no. de factura=1|rechnung=0.6|beleg nr=0.8|belegnummer=0.8|"
        "bon nr=0.8|numéro de facture=1|facture n°=1|facture no=1|n° facture=1|facture=0.6|"
        "número de factura=1|factura no=1|factura nº=1|factura=0.6|fattura n=1|numero fattura=1|"
        "factuurnummer=1|factuur=0.6|faktura vat nr=1|faktura nr=1|numer faktury=1|nr faktury=1|"
        "faktura=0.6|fakturanummer=1|fakturanr=1|fatura nº=1|fatura n.º=1|fatura n°=1|"
        "número da fatura=1|fatura=0.6",
    ),
    _c(
        "po_number",
        "id",
        "po number|po no|po #|p o number|purchase order number|purchase order no|purchase order|"
        "order number|order no|order #|order id|order reference|po",
        "purchase order number=1|purchase order no=1|purchase order #=1|purchase order=0.8|"
        "po number=1|po no=1|po #=1|p.o. number=1|p.o. no=1|p.o. #=1|p.o.=0.8|po=0.7|"
        "order number=0.85|order no=0.85|order #=0.85|order id=0.8|order ref=0.75|your order=0.7|"
        "bestellnummer=0.9|bestellung nr=0.9|commande n°=0.9|pedido=0.7",
    ),
    _c(
        "date",
        "date",
        "date|invoice date|issue date|date of issue|issued|issued on|issued date|date issued|"
        "billing date|bill date|receipt date|transaction date|purchase date|document date|dated|"
        "invoice issue date",
        "invoice date=1|date of invoice=1|date of issue=1|issue date=1|issued on=0.95|"
        "issued=0.85|date issued=0.95|billing date=0.9|bill date=0.9|receipt date=0.95|"
        "transaction date=0.8|purchase date=0.8|sale date=0.8|document date=0.85|tax point=0.7|"
        "invoice dt=0.95|date=0.8|dated=0.8|datum=0.8|rechnungsdatum=1|belegdatum=0.9|"
        "statement date=0.75|date of statement=0.75|date/tax point=0.95|order placed=0.5|"
        "date d'émission=1|date d'emission=1|fecha factura=1|"
        "date de facture=1|date facture=1|fecha de emisión=1|fecha=0.8|data fattura=1|"
        "factuurdatum=1",
    ),
    _c(
        "due_date",
        "date",
        "due date|payment due|payment due date|due by|due|pay by|date due",
        "due date=1|payment due date=1|payment due=0.95|due by=0.95|date due=1|pay by=0.9|"
        "due=0.7|payable by=0.9|fällig am=1|fälligkeitsdatum=1|zahlbar bis=1|zahlungsziel=0.9|"
        "échéance=1|date d'échéance=1|date limite de paiement=1|date limite de règlement=1|"
        "à payer avant=0.9|à régler avant=0.9|payable avant=0.9|vencimiento=1|"
        "fecha de vencimiento=1|scadenza=1|vervaldatum=1|termin płatności=1|termin zapłaty=1|"
        "förfallodatum=1|forfallsdato=1|forfaldsdato=1|data de vencimento=1|vencimento=1|"
        "data scadenza=1|scadenza pagamento=1",
    ),
    _c(
        "other_date",
        "date",
        "return by|return date|valid until|expiry|best before|printed on",
        "return by=1|returns by=1|return until=1|returns accepted until=1|exchange by=1|"
        "valid until=0.9|valid thru=0.9|valid through=0.9|expires=0.8|expiry=0.8|"
        "best before=1|printed=0.6|reprinted=0.8|pickup date=0.9|"
        "gültig bis=1|rückgabe bis=1|umtausch bis=1|valable jusqu'au=1",
    ),
    _c(
        "order_date",
        "date",
        "order date|po date|date ordered|purchase order date",
        "order date=1|po date=1|p.o. date=1|date ordered=1|date of order=1|bestelldatum=1",
    ),
    _c(
        "delivery_date",
        "date",
        "delivery date|ship date|shipping date|delivery by|required by|need by|expected delivery|"
        "expected delivery date|required date|date required",
        "delivery date=1|date of delivery=1|ship date=1|shipping date=1|deliver by=0.95|"
        "delivery by=0.95|required by=0.9|need by=0.9|needed by=0.9|required date=0.9|"
        "date required=0.9|expected delivery=0.9|requested delivery=0.9|lieferdatum=1|"
        "date de livraison=1|service date=0.7",
    ),
    _c(
        "total",
        "amount",
        "total|total amount|grand total|amount due|total due|balance due|total payable|"
        "amount payable|total to pay|invoice total|total amount due|invoice amount|amount|"
        "total price|total cost|sum|total value|order total|net payable|total incl vat",
        "grand total=1|total due=1|amount due=1|total amount due=1|invoice total=1|"
        "total payable=1|amount payable=1|total to pay=1|total amount=0.95|balance due=0.85|"
        "order total=0.95|total rounded=1|rounded total=1|nett total=0.95|total incl gst=1|"
        "total inc gst=1|total incl. gst=1|total sales=0.85|net amount payable=1|total incl vat=0.95|total incl. vat=0.95|total including vat=0.95|"
        "total inc vat=0.95|total incl tax=0.95|total including tax=0.95|total (incl=0.95|"
        "invoice amount=0.9|total price=0.9|total cost=0.9|total value=0.9|total=0.85|"
        "amount to pay=0.95|to pay=0.8|net to pay=0.95|please pay=0.9|pay this amount=0.95|"
        "total eur=0.9|total usd=0.9|total gbp=0.9|amount=0.45|sum=0.5|balance=0.5|"
        "gross total=0.95|total gross=0.95|gross amount=0.8|total sale=0.9|sale total=0.9|"
        "credit total=0.95|total credit=0.95|bill total=0.95|receipt total=0.95|"
        "document total=0.9|check total=0.9|total to be paid=1|total payment=0.85|"
        "total purchase=0.85|total amount payable=1|total invoice amount=1|total charges=0.85|"
        "a payer=0.9|à payer=0.9|montant à payer=1|net a payer=1|total a payer=1|"
        "summe brutto=1|summe eur=0.9|gesamt eur=0.9|"
        "gesamtbetrag=1|gesamtsumme=1|rechnungsbetrag=1|endbetrag=1|zu zahlen=0.95|"
        "zahlbetrag=0.95|summe=0.7|gesamt=0.8|total ttc=1|montant ttc=1|net à payer=1|"
        "montant total=0.95|total a pagar=1|importe total=1|total factura=1|totale=0.85|"
        "totale fattura=1|totaal=0.85|te betalen=0.95|totaalbedrag=1|bruttobetrag=1|"
        "gesamtbetrag brutto=1|rechnungsbetrag brutto=1|totaal incl. btw=1|totaal incl btw=1",
    ),
    _c(
        "subtotal",
        "amount",
        "subtotal|sub total|net amount|net total|total net|total excl vat|total before tax|"
        "amount before tax|net",
        "subtotal=1|sub total=1|sub-total=1|net amount=0.9|net total=0.9|total net=0.9|"
        "total excl vat=0.95|total excl. vat=0.95|total excluding vat=0.95|total excl tax=0.95|"
        "total excluding tax=0.95|total before tax=0.95|amount before tax=0.9|total ht=0.95|"
        "montant ht=0.95|total (excl=0.9|nettobetrag=0.95|zwischensumme=1|netto=0.8|"
        "summe netto=0.95|base imponible=0.95|imponibile=0.9|totaal excl=0.9|net=0.6|"
        "untaxed amount=0.95|amount untaxed=0.95|total untaxed=0.95|taxable amount=0.9|"
        "taxable value=0.9|subtotaal=1|subtotale=1|sous-total=1|sous total=1|"
        "total hors taxes=0.95|montant hors taxes=0.95|totaal excl. btw=0.95|"
        "nettosumme=0.95|razem netto=1|wartość netto=0.8|total s/ iva=1|total sem iva=1|"
        "base tributável=0.95|summa exkl. moms=1|belopp före moms=0.95|total ilíquido=0.95|"
        "total líquido=0.9|incidência=0.85",
    ),
    _c(
        "tax",
        "amount",
        "tax|vat|sales tax|gst|hst|tax amount|vat amount|total tax|total vat|taxes|tax total|"
        "mwst|tva|iva|btw",
        "tax amount=1|vat amount=1|total tax=1|total vat=1|tax total=1|sales tax=1|vat total=1|"
        "tax=0.85|taxes=0.85|vat=0.85|gst=0.85|hst=0.85|pst=0.8|mwst=0.9|ust=0.85|"
        "umsatzsteuer=0.9|mehrwertsteuer=0.9|tva=0.9|montant tva=1|iva=0.9|btw=0.9|igv=0.9|"
        "total tva=1|montant de la tva=1|total mwst=1|summe mwst=1|summe ust=1|total iva=1|"
        "total btw=1|total gst=1|total hst=1|total igv=1|moms=0.9|kwota vat=1|podatek vat=1|"
        "valor iva=1",
    ),
    _c(
        "tax_rate",
        "percent",
        "tax rate|vat rate|vat %|tax %|gst rate",
        "tax rate=1|vat rate=1|vat %=1|tax %=1|rate=0.4",
    ),
    _c(
        "discount",
        "amount",
        "discount|savings|total savings|rebate",
        "discount=1|total discount=1|savings=0.9|total savings=1|you saved=0.9|rebate=0.9|"
        "instant savings=1|club savings=1|member savings=1|rewards discount=1|member discount=1|"
        "loyalty discount=1|promo discount=1|promotion=0.8|coupon=0.8|markdown=0.8|"
        "rabatt=1|remise=1|descuento=1|sconto=1",
    ),
    _c(
        "shipping",
        "amount",
        "shipping|shipping cost|delivery|delivery fee|freight|postage|handling|shipping and handling",
        "shipping and handling=1|shipping=1|shipping cost=1|delivery fee=1|delivery charge=1|"
        "freight=1|postage=1|handling=0.8|versand=1|versandkosten=1|frais de port=1",
    ),
    _c("tip", "amount", "tip|gratuity", "tip=1|gratuity=1|trinkgeld=1|pourboire=1"),
    _c(
        "rounding",
        "amount",
        "rounding|rounding adjustment",
        "rounding=1|rounding adj=1|rounding adjustment=1|round off=1|rounded off=0.9|"
        "rundung=1|arrondi=1",
    ),
    _c(
        "amount_paid",
        "amount",
        "amount paid|paid|payment|paid amount|amount tendered|tendered",
        "amount paid=1|total paid=0.95|paid=0.8|payment received=0.9|payments=0.7|"
        "tendered=0.9|amount tendered=1|cash tendered=1",
    ),
    _c("change", "amount", "change|change due", "change due=1|change=0.9|rückgeld=1"),
    _c(
        "currency",
        "currency",
        "currency|currency code|devise|währung|moneda|valuta",
        "currency=1|currency code=1|währung=1|devise=1|moneda=1|valuta=1",
    ),
    _c(
        "vendor",
        "party",
        "vendor|vendor name|seller|seller name|issuer|company|company name|supplier|supplier name|"
        "merchant|merchant name|store|store name|shop|business|business name|from|billed by|"
        "sold by|provider|service provider|biller|restaurant|sender|issued by|payee|"
        "invoice from",
        "vendor=1|seller=1|supplier=1|merchant=0.9|sold by=0.9|billed by=0.9|issued by=0.85|"
        "invoice from=1|from=0.6|company=0.5|payee=0.6|store=0.5|lieferant=0.9|verkäufer=0.9|"
        "fournisseur=0.9|vendeur=0.9|proveedor=0.9|emisor=0.9",
    ),
    _c(
        "customer",
        "party",
        "customer|customer name|client|client name|buyer|buyer name|bill to|billed to|invoice to|"
        "sold to|recipient|purchaser|ship to|deliver to|attention|addressee",
        "bill to=1|billed to=1|invoice to=1|sold to=0.95|customer name=1|customer=0.85|"
        "client=0.85|buyer=0.9|purchaser=0.9|recipient=0.8|to=0.45|attention=0.6|attn=0.6|"
        "ship to=0.55|deliver to=0.55|kunde=0.9|rechnungsempfänger=1|facturé à=1|facturer à=1|"
        "cliente=0.9|factura a=1|billing address=0.9|bill-to=1|invoice address=0.9|"
        "nabywca=1|kund=0.9|klant=0.9",
    ),
    _c(
        "ship_to",
        "party",
        "ship to|shipping address|deliver to|delivery address",
        "ship to=1|shipping address=1|deliver to=1|delivery address=1|lieferadresse=1",
    ),
    _c(
        "address",
        "address",
        "address|vendor address|company address|supplier address|seller address|merchant address|"
        "store address|customer address|billing address",
        "address=0.9|billing address=0.9|adresse=0.9|anschrift=0.9|dirección=0.9",
    ),
    _c(
        "tax_id",
        "tax_id",
        "tax id|vat number|vat no|vat id|vat reg no|vat registration number|tax number|tin|ein|"
        "gst number|gstin|abn|ust id|ust-idnr|steuernummer|siret|siren|nif|cif|vendor tax id|"
        "vendor vat number|company registration number",
        "vat reg no=1|vat registration no=1|vat registration number=1|vat number=1|vat no=1|"
        "vat id=1|vat reg=1|vat=0.6|tax id=1|tax no=1|tax number=1|tin=0.9|ein=0.9|"
        "gst no=1|gst number=1|gstin=1|gst reg=1|abn=0.9|ust-idnr=1|ust-id=1|ust id=1|"
        "umsatzsteuer-id=1|steuernummer=1|st.-nr=0.9|siret=0.95|siren=0.95|n° tva=1|"
        "n° tva intra=1|n° tva intracommunautaire=1|tva intracom=1|tva intracommunautaire=1|"
        "numéro de tva intracommunautaire=1|numéro de tva=1|"
        "nif=0.9|cif=0.9|p. iva=1|partita iva=1|btw-nummer=1|btw nr=1|company no=0.7|"
        "registration no=0.6|reg no=0.6",
    ),
    _c("email", "email", "email|e-mail|email address|mail", "email=1|e-mail=1|mail=0.7"),
    _c(
        "phone",
        "phone",
        "phone|phone number|telephone|tel|mobile|cell|contact number|phone numbers",
        "phone=1|telephone=1|tel=1|mobile=0.9|cell=0.8|telefon=1|téléphone=1|teléfono=1|ph=0.6",
    ),
    _c("website", "url", "website|web|url|web site|homepage", "website=1|web=0.8|www=0.5|url=1"),
    _c("iban", "iban", "iban|bank account iban|iban number", "iban=1"),
    _c(
        "bic",
        "bic",
        "bic|swift|swift code|bic code|swift bic|bic swift",
        "bic=1|swift=1|swift code=1|bic/swift=1|swift/bic=1",
    ),
    _c(
        "account_number",
        "id",
        "account number|account no|account #|acct number|acct no|bank account|bank account number|"
        "account",
        "account number=1|account no=1|account #=1|acct no=1|acct number=1|acct #=1|"
        "a/c no=1|account=0.6|kontonummer=1|konto=0.8|numéro de compte=1",
    ),
    _c(
        "sort_code",
        "id",
        "sort code|routing number|aba|routing",
        "sort code=1|routing number=1|routing no=1|aba=0.8|bsb=0.9",
    ),
    _c(
        "payment_terms",
        "text",
        "payment terms|terms|terms of payment|payment conditions",
        "payment terms=1|terms of payment=1|terms=0.7|zahlungsbedingungen=1|conditions de paiement=1",
    ),
    _c(
        "payment_method",
        "text",
        "payment method|payment type|paid by|tender|card type|method of payment|payment",
        "payment method=1|payment type=1|paid by=0.9|method of payment=1|tender=0.7|"
        "card type=0.9|zahlungsart=1",
    ),
    _c(
        "bank_name",
        "party",
        "bank name|bank",
        "bank name=1|bank=0.6|name of bank=1",
    ),
    _c(
        "account_holder",
        "party",
        "account holder|account name|account owner|holder|customer name",
        "account holder=1|account name=1|account owner=1|name of account holder=1|holder=0.8|"
        "kontoinhaber=1|titulaire=1",
    ),
    _c(
        "statement_date",
        "date",
        "statement date|date of statement",
        "statement date=1|date of statement=1|statement issued=0.9",
    ),
    _c(
        "period_start",
        "date",
        "period start|statement period start|start of period|from date|period from|start date",
        "period from=0.9|from date=0.9|period start=1|start date=0.9|opening date=0.8|"
        "billing period=0.8|service period=0.8|statement period=0.8|leistungszeitraum=0.8|"
        "abrechnungszeitraum=0.8|période=0.6",
    ),
    _c(
        "period_end",
        "date",
        "period end|statement period end|end of period|to date|period to|end date|"
        "termination date|expiration date",
        "period to=0.9|to date=0.9|period end=1|end date=1|closing date=0.8|"
        "termination date=0.9|expiration date=0.9",
    ),
    _c(
        "opening_balance",
        "amount",
        "opening balance|previous balance|beginning balance|starting balance|balance brought forward",
        "opening balance=1|previous balance=1|beginning balance=1|starting balance=1|"
        "balance brought forward=1|brought forward=0.9|balance forward=0.9|start balance=1|"
        "anfangssaldo=1|alter saldo=1|solde initial=1|solde précédent=1",
    ),
    _c(
        "closing_balance",
        "amount",
        "closing balance|ending balance|new balance|final balance|balance carried forward|"
        "current balance|end balance",
        "closing balance=1|ending balance=1|new balance=1|final balance=1|"
        "balance carried forward=1|carried forward=0.9|end balance=1|current balance=0.8|"
        "endsaldo=1|neuer saldo=1|solde final=1|nouveau solde=1",
    ),
    _c(
        "total_credits",
        "amount",
        "total credits|total deposits|money in|credits|deposits",
        "total credits=1|total deposits=1|money in=0.9|deposits and credits=1|paid in=0.9",
    ),
    _c(
        "total_debits",
        "amount",
        "total debits|total withdrawals|money out|debits|withdrawals",
        "total debits=1|total withdrawals=1|money out=0.9|withdrawals and debits=1|paid out=0.9",
    ),
    _c(
        "effective_date",
        "date",
        "effective date|commencement date|start date|contract date|agreement date|signing date|"
        "signature date",
        "effective date=1|effective as of=1|commencement date=1|effective from=1|start date=0.9|"
        "dated as of=0.9|made on=0.8|entered into on=0.9|entered into as of=0.9|date=0.4",
    ),
    _c(
        "term",
        "text",
        "term|contract term|duration|term of agreement|length",
        "term of this agreement=0.9|contract term=1|term=0.7|duration=0.9|initial term=1",
    ),
    _c(
        "governing_law",
        "text",
        "governing law|jurisdiction|applicable law",
        "governing law=1|jurisdiction=0.8|applicable law=1",
    ),
    _c(
        "contract_value",
        "amount",
        "contract value|fee|fees|contract amount|price|compensation|consideration|total fee",
        "total contract value=1|contract value=1|contract price=1|total fee=1|fees=0.7|"
        "fee=0.7|compensation=0.8|consideration=0.7|price=0.6",
    ),
    _c(
        "title",
        "title",
        "title|contract title|document title|subject|heading|name of document",
        "title=0.9|subject=0.9|re=0.6",
    ),
    _c("parties", "parties", "parties|party|contracting parties|counterparties", ""),
    _c(
        "full_name",
        "person",
        "full name|name|candidate name|candidate|applicant|holder name|person|"
        "name of holder|cardholder name",
        "full name=1|name=0.85|candidate=0.8|applicant=0.8|holder=0.6|nom=0.8|nombre=0.8",
    ),
    _c(
        "surname",
        "person",
        "surname|last name|family name|nom",
        "surname=1|last name=1|family name=1|nom=0.9|apellidos=1|name/nom=0.9",
    ),
    _c(
        "given_names",
        "person",
        "given names|given name|first name|first names|forename|forenames|prénoms",
        "given names=1|given name=1|first name=1|first names=1|forenames=1|forename=1|"
        "prénoms=1|prénom=1|vorname=1|nombres=1",
    ),
    _c(
        "date_of_birth",
        "date",
        "date of birth|birth date|dob|birthday|born",
        "date of birth=1|birth date=1|dob=1|d.o.b.=1|born=0.8|geburtsdatum=1|date de naissance=1|"
        "fecha de nacimiento=1",
    ),
    _c(
        "place_of_birth",
        "text",
        "place of birth|birthplace|birth place",
        "place of birth=1|birthplace=1|geburtsort=1|lieu de naissance=1",
    ),
    _c(
        "nationality",
        "text",
        "nationality|citizenship",
        "nationality=1|citizenship=1|staatsangehörigkeit=1|nationalité=1|nacionalidad=1",
    ),
    _c("sex", "sex", "sex|gender", "sex=1|gender=1|geschlecht=1|sexe=1|sexo=1"),
    _c(
        "issue_date",
        "date",
        "issue date|date of issue|issued on|issued",
        "date of issue=1|issue date=1|issued on=0.9|issued=0.8|ausstellungsdatum=1|"
        "date de délivrance=1",
    ),
    _c(
        "expiry_date",
        "date",
        "expiry date|expiration date|date of expiry|expires|valid until|valid thru|expiry",
        "date of expiry=1|expiry date=1|expiration date=1|expires=0.95|expiry=0.95|"
        "valid until=0.95|valid thru=0.95|exp=0.6|gültig bis=1|date d'expiration=1",
    ),
    _c(
        "issuing_country",
        "text",
        "issuing country|country of issue|issuing state|country code|country|issuing authority|"
        "authority",
        "issuing country=1|country of issue=1|issuing state=1|country code=0.8|"
        "issuing authority=0.9|authority=0.7|country=0.6",
    ),
    _c(
        "id_number",
        "id",
        "document number|passport number|passport no|id number|card number|licence number|"
        "license number|personal number|id no|identity number",
        "passport no=1|passport number=1|document no=1|document number=1|id no=1|id number=1|"
        "card no=0.9|card number=0.9|licence no=1|license no=1|licence number=1|"
        "license number=1|dl no=1|personal no=0.8|personal number=0.8|no. du document=1|"
        "ausweisnummer=1|passnummer=1",
    ),
    _c(
        "job_title",
        "text",
        "job title|title|position|headline|current position|role|occupation|profession",
        "job title=1|position=0.8|current position=0.9|occupation=0.9|profession=0.9",
    ),
    _c("linkedin", "url", "linkedin|linkedin url|linkedin profile", "linkedin=1"),
    _c(
        "skills",
        "section",
        "skills|key skills|technical skills|competencies|core competencies|expertise",
        "",
    ),
    _c(
        "work_experience",
        "section",
        "work experience|experience|professional experience|employment history|employment|"
        "work history|career history",
        "",
    ),
    _c("education", "section", "education|academic background|qualifications|studies", ""),
    _c("languages", "section", "languages|language skills|spoken languages", ""),
    _c("certifications", "section", "certifications|certificates|licenses|licences", ""),
    _c("summary", "section", "summary|profile|objective|about|about me|short summary", ""),
    _c(
        "location",
        "text",
        "location|city|based in|place",
        "location=1|based in=0.9|address=0.6",
    ),
    _c(
        "quantity",
        "number",
        "quantity|qty|number of items|item count",
        "qty=0.8|quantity=0.8|total qty=1|total quantity=1|total items=1|total number of items=1|"
        "number of items=0.9|no. of items=0.9|items sold=0.9|item count=0.9|total pieces=1|"
        "total units=1|total hours=1|total weight=1|total volume=1|total distance=1|"
        "total pages=1|total time=1|total points=1|net weight=1|gross weight=1|total kg=1",
    ),
    _c("time", "time", "time|transaction time|purchase time", "time=0.9"),
    _c(
        "card_last4",
        "card",
        "card number|card last 4|last 4 digits|card last four|card",
        "card no=0.8|card number=0.8|card=0.5",
    ),
)

CONCEPTS_BY_KEY = {c.key: c for c in CONCEPTS}
