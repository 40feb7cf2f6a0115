"""The local provider on invoices and till receipts in the wording of several countries.

German totals captions above their amounts ("Nettobetrag | MwSt 19 % | Bruttobetrag"), Dutch,
Polish, Swedish and Italian totals and deadlines, the addressee of a letter's address window,
a deadline stated in a payment sentence, and a French till slip whose payment lines follow
"TOTAL A PAYER". Each document is a real PDF (the billing_pdf fixture) read through the public
provider.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

PROMPT = "Extract the invoice number, date, due date, customer, subtotal, tax and total"

GERMAN_BOX = [
    "#Hansen Maschinenbau GmbH",
    "~Hansen Maschinenbau GmbH - Hafenstr. 3 - 20457 Hamburg",
    "Müller & Söhne KG|||Rechnung",
    "Lindenweg 7|||Rechnungs-Nr.: 2026-10455",
    "80331 München|||Datum: 14.03.2026",
    "Pos.|Bezeichnung|Menge|Einzelpreis|Gesamt",
    "1|Hydraulikpumpe HP-40|2|450,00|900,00",
    "2|Dichtungssatz|4|25,00|100,00",
    "Nettobetrag|MwSt 19 %|Bruttobetrag",
    "1.000,00 EUR|190,00 EUR|1.190,00 EUR",
    "Zahlbar innerhalb von 14 Tagen bis zum 28.03.2026 ohne Abzug.",
]

DUTCH = [
    "#Bakkerij De Molen B.V.",
    "Dorpsstraat 12, 3511 AB Utrecht",
    "Factuur|||Factuurnummer: 2026-0311",
    "Aan: Café Zonnig|||Factuurdatum: 11-03-2026",
    "|||Vervaldatum: 25-03-2026",
    "Omschrijving|Aantal|Prijs|Bedrag",
    "Broodjes assorti|120|€ 0,85|€ 102,00",
    "Taarten|4|€ 18,50|€ 74,00",
    "|||Subtotaal € 176,00",
    "|||BTW 9% € 15,84",
    "|||Totaal € 191,84",
]

POLISH = [
    "#Drukarnia Nowak Sp. z o.o.",
    "ul. Długa 5, 00-238 Warszawa, NIP 5213456789",
    "Faktura VAT nr FV/12/2026",
    "Data wystawienia: 2026-03-04",
    "Termin płatności: 2026-03-18",
    "Nazwa|Ilość|Cena netto|Wartość netto",
    "Ulotki A5|1000|0,20|200,00",
    "|||Razem netto 200,00 PLN",
    "|||VAT 23% 46,00 PLN",
    "|||Do zapłaty 246,00 PLN",
]

SWEDISH = [
    "#Nordljus AB",
    "Storgatan 8, 111 51 Stockholm",
    "Faktura",
    "Fakturanummer: 20260042",
    "Fakturadatum: 2026-03-02",
    "Förfallodatum: 2026-04-01",
    "Beskrivning|Antal|À-pris|Belopp",
    "Konsulttimmar|10|950,00|9 500,00",
    "|||Netto 9 500,00",
    "|||Moms 25% 2 375,00",
    "|||Att betala 11 875,00 SEK",
]

ITALIAN = [
    "#Ferramenta Rossi S.r.l.",
    "Via Roma 21, 20121 Milano - P. IVA 01234567890",
    "Fattura n. 12/2026 del 03/03/2026",
    "Descrizione|Quantità|Prezzo|Importo",
    "Viti M6 (conf.)|10|4,50|45,00",
    "Trapano a percussione|1|129,00|129,00",
    "|||Imponibile 174,00",
    "|||IVA 22% 38,28",
    "|||Totale documento 212,28",
    "Scadenza pagamento: 02/04/2026",
]

PORTUGUESE = [
    "#Papelaria Lusitana, Lda.",
    "Rua Augusta 120, 1100-053 Lisboa - NIF PT509876543",
    "Fatura FT 2026/123",
    "Data de emissão: 05-03-2026",
    "Data de vencimento: 04-04-2026",
    "Descrição|Qtd.|Preço unit.|Valor",
    "Resmas de papel A4|20|3,90|78,00",
    "Toner preto|2|61,00|122,00",
    "|||Total ilíquido 200,00 €",
    "|||IVA 23% 46,00 €",
    "|||Total a pagar 246,00 €",
]

# name: (lines, number, date, due date, subtotal, tax, total)
INVOICES = {
    "german_box": (GERMAN_BOX, "2026-10455", "2026-03-14", "2026-03-28", "1000", "190", "1190"),
    "dutch": (DUTCH, "2026-0311", "2026-03-11", "2026-03-25", "176.00", "15.84", "191.84"),
    "polish": (POLISH, "FV/12/2026", "2026-03-04", "2026-03-18", "200", "46", "246"),
    "swedish": (SWEDISH, "20260042", "2026-03-02", "2026-04-01", "9500", "2375", "11875"),
    "italian": (ITALIAN, "12/2026", "2026-03-03", "2026-04-02", "174", "38.28", "212.28"),
    "portuguese": (PORTUGUESE, "FT 2026/123", "2026-03-05", "2026-04-04", "200", "46", "246"),
}


@pytest.mark.parametrize("name", sorted(INVOICES))
def test_totals_and_deadlines_in_the_country_s_words(name, write_doc, local, billing_pdf):
    lines, number, date, due, subtotal, tax, total = INVOICES[name]
    d = local.extract(write_doc(f"{name}.pdf", billing_pdf(lines)), PROMPT, "invoice")["data"]
    assert d["invoice_number"] == number
    assert d["date"] == date
    assert d["due_date"] == due
    assert Decimal(str(d["subtotal"])) == Decimal(subtotal)
    assert Decimal(str(d["tax"])) == Decimal(tax)
    assert Decimal(str(d["total"])) == Decimal(total)


# Invoices that print their amounts without a currency sign or code.
SWISS_ITALIAN = [
    "#Tipografia Ticinese SA",
    "Via Nassa 5, 6900 Lugano, Svizzera - IVA CHE-123.456.789",
    "Fattura n. 88/2026 del 10/03/2026",
    "Descrizione|Quantità|Prezzo|Importo",
    "Biglietti da visita|500|0,20|100,00",
    "|||Imponibile 100,00",
    "|||IVA 8,1% 8,10",
    "|||Totale 108,10",
]


@pytest.mark.parametrize(
    ("lines", "currency", "total"),
    [(ITALIAN, "EUR", "212.28"), (SWISS_ITALIAN, "CHF", "108.10")],
    ids=["italy", "switzerland"],
)
def test_the_seller_s_country_names_the_currency_no_amount_prints(
    lines, currency, total, write_doc, local, billing_pdf
):
    doc = write_doc("nocurrency.pdf", billing_pdf(lines))
    d = local.extract(doc, "Extract the total and the currency", "invoice")["data"]
    assert Decimal(str(d["total"])) == Decimal(total)
    assert d["currency"] == currency


def test_a_letter_naming_its_country_has_no_currency(write_doc, local, billing_pdf):
    lines = [
        "#Studio Bianchi",
        "Via Roma 21, 20121 Milano, Italia - Partita IVA IT01234567890",
        "Milano, 3 marzo 2026",
        "Gentile cliente,",
        "la informiamo che il nostro studio sarà chiuso dal 10 al 14 marzo.",
        "Cordiali saluti",
    ]
    doc = write_doc("lettera.pdf", billing_pdf(lines))
    d = local.extract(doc, "Extract the date, the sender and the currency", "other")["data"]
    assert d["date"] == "2026-03-03"
    assert d["currency"] is None


def test_the_address_window_names_the_customer(write_doc, local, billing_pdf):
    """No "Bill to": the customer is the name over the street and town under the sender line."""
    d = local.extract(write_doc("window.pdf", billing_pdf(GERMAN_BOX)), PROMPT, "invoice")["data"]
    assert d["customer"] == "Müller & Söhne KG"


def test_a_salutation_opens_the_address_window(write_doc, local, billing_pdf):
    """ "Firma" over the company's name is not the customer."""
    lines = [
        "#Nordwind Logistik GmbH",
        "Speicherstadt 9 · 20457 Hamburg|||Rechnungsnummer: RE-2026-04117",
        "|||Rechnungsdatum: 09.03.2026",
        "Firma",
        "Brandt Elektro OHG",
        "Industriestraße 22",
        "44147 Dortmund",
        "Pos.|Bezeichnung|Menge|Gesamt",
        "1|Mautzuschlag|1|61,00",
        "|||Rechnungsbetrag 72,59 €",
    ]
    d = local.extract(write_doc("firma.pdf", billing_pdf(lines)), PROMPT, "invoice")["data"]
    assert d["customer"] == "Brandt Elektro OHG"


def test_the_seller_s_own_address_is_not_a_customer(write_doc, local, billing_pdf):
    """An invoice that names no customer has none: its only address block is the seller's."""
    lines = [
        "#Cedar Ridge Landscaping LLC",
        "418 Birch Lane",
        "Asheville, NC 28801",
        "Invoice #1042",
        "Date: 03/09/2026",
        "Activity|Qty|Rate|Amount",
        "Lawn maintenance|4|85.00|340.00",
        "|||Total $340.00",
    ]
    d = local.extract(write_doc("no_customer.pdf", billing_pdf(lines)), PROMPT, "invoice")["data"]
    assert d["customer"] is None


def test_payment_lines_after_the_total_are_not_items(write_doc, local, billing_pdf):
    """A French till slip: "TOTAL A PAYER" ends the items, and the card payment ("CB EMV") that
    follows is not one."""
    lines = [
        "#CARREFOUR CITY",
        "12 bd Voltaire 75011 Paris",
        "BAGUETTE TRADITION|1,20",
        "COMTE 18 MOIS|6,45",
        "EAU GAZEUSE 1L|0,89",
        "TOTAL A PAYER|8,54 EUR",
        "CB EMV|8,54 EUR",
        "TVA 5,50%|0,45",
        "14/03/2026 12:31 CAISSE 03 TICKET 0452",
    ]
    prompt = "Extract the date, total and line items"
    doc = write_doc("ticket.pdf", billing_pdf(lines, width=80))
    d = local.extract(doc, prompt, "receipt")["data"]
    assert Decimal(str(d["total"])) == Decimal("8.54")
    assert [i["description"] for i in d["line_items"]] == [
        "BAGUETTE TRADITION",
        "COMTE 18 MOIS",
        "EAU GAZEUSE 1L",
    ]


def test_billing_address_names_the_customer(write_doc, local, billing_pdf):
    """A marketplace's tax invoice: "Billing Address" heads the customer's block, "Sold By" the
    seller's."""
    lines = [
        "#amazon.in",
        "Tax Invoice/Bill of Supply/Cash Memo",
        "Sold By :|||Billing Address :",
        "Cloudtail India Private Limited|||Rohan Mehta",
        "Bengaluru, KARNATAKA, 560100|||Pune, MAHARASHTRA, 411001",
        "GST Registration No: 29AAQCS4259Q1ZR",
        "Order Number: 408-1234567-1234567|||Invoice Number : BLR5-123456",
        "Order Date: 02.03.2026|||Invoice Date : 02.03.2026",
        "Sl. No|Description|Unit Price|Qty|Net Amount",
        "1|USB-C Cable 1m|₹423.73|1|₹423.73",
        "TOTAL:||||₹500.00",
    ]
    prompt = "Extract the invoice number, vendor, customer and total"
    d = local.extract(write_doc("marketplace.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert d["invoice_number"] == "BLR5-123456"
    assert d["vendor"] == "Cloudtail India Private Limited"
    assert d["customer"] == "Rohan Mehta"
    assert Decimal(str(d["total"])) == Decimal("500.00")


def test_a_till_slip_s_vat_by_rate_adds_up_to_its_tax(write_doc, local, billing_pdf):
    """A German Kassenbon lists its VAT by rate (7 % and 19 %) under "MwSt": the tax is the
    column's sum, not its first row."""
    lines = [
        "#Bäckerei Sonnenkorn",
        "Marktplatz 4, 72070 Tübingen",
        "Laugenbrezel 2 x 0,95|1,90 A",
        "Kaffee groß|2,80 B",
        "SUMME EUR|4,70",
        "Bar|10,00",
        "Rückgeld|5,30",
        "MwSt-Satz|Netto|MwSt|Brutto",
        "A 7%|1,78|0,12|1,90",
        "B 19%|2,35|0,45|2,80",
        "Bon-Nr. 4821  14.03.2026 08:12",
    ]
    prompt = "Extract the date, tax, total and line items"
    d = local.extract(write_doc("bon.pdf", billing_pdf(lines, width=80)), prompt, "receipt")["data"]
    assert d["date"] == "2026-03-14"
    assert Decimal(str(d["tax"])) == Decimal("0.57")
    assert Decimal(str(d["total"])) == Decimal("4.70")
    assert [i["description"] for i in d["line_items"]] == ["Laugenbrezel", "Kaffee groß"]


def test_an_amount_column_captioned_with_its_currency_code(write_doc, local, billing_pdf):
    """An Australian tax invoice's "Amount AUD" column holds the items' amounts and its "GST"
    column their rates, which stay out of the descriptions."""
    lines = [
        "#Koala Web Pty Ltd|||TAX INVOICE",
        "ABN 51 824 753 556",
        "Invoice Number: INV-0931|||Invoice Date: 10 Mar 2026",
        "Description|Quantity|Unit Price|GST|Amount AUD",
        "Design sprint|3.00|1,200.00|10%|3,600.00",
        "Hosting setup|1.00|300.00|10%|300.00",
        "|||Subtotal|3,900.00",
        "|||TOTAL GST 10%|390.00",
        "|||TOTAL AUD|4,290.00",
    ]
    prompt = "Extract the invoice number, tax, total, currency and line items"
    d = local.extract(write_doc("aud.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert d["currency"] == "AUD"
    assert Decimal(str(d["total"])) == Decimal("4290.00")
    items = [(i["description"], Decimal(str(i["amount"]))) for i in d["line_items"]]
    assert items == [("Design sprint", Decimal("3600.00")), ("Hosting setup", Decimal("300.00"))]


def test_a_customer_label_s_value_without_the_address_after_it(write_doc, local, billing_pdf):
    """ "Customer: Meridian Group LLC, EC1A 1BB London": the customer is the name."""
    lines = [
        "#Harbor Logistics S.A.|||Bill No. INV5111",
        "114 Oak Avenue, 1010 Vienna|||Date: 2026-08-06",
        "Customer: Meridian Group LLC, EC1A 1BB London",
        "Service|Quantity|Unit Cost|Amount",
        "Consulting services|3|125.68|377.04",
        "||Total|EUR 377.04",
    ]
    d = local.extract(write_doc("cust.pdf", billing_pdf(lines)), PROMPT, "invoice")["data"]
    assert d["customer"] == "Meridian Group LLC"


@pytest.mark.parametrize("layout", range(5))
def test_the_customer_of_each_generated_invoice_layout(layout, gen, write_doc, local):
    """The five invoice layouts of the evaluation set: "Bill To", "Billed to", "Invoice to",
    a German address window under a large "Rechnung" and "Customer: <name>, <town>"."""
    rng = random.Random(layout)
    data, labels = gen.make_invoice(rng, layout, gen.LOCALES[layout % len(gen.LOCALES)])
    d = local.extract(write_doc(f"layout{layout}.pdf", data), PROMPT, "invoice")["data"]
    assert d["customer"] == labels["fields"]["customer"]
