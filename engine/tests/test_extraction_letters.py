"""The local provider on bills as ERP, hosting, telecom, utility and payment systems print them.

A sender line whose parts are set apart by hyphens, a seller's name run together with the
document's title, payment deadlines in French and German wording, a price column's caption
wrapped over three lines, an ERP's "Untaxed Amount", a utility bill's "VAT at 5% on £135.59" and
an online receipt's "Amount charged". Each document is a real PDF (the billing_pdf fixture) read
through the public provider.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

PROMPT = "Extract the invoice number, date, total, currency and vendor"

# A window-envelope sender line whose parts are set apart by hyphens, as some ERP forms print it.
SENDER_HYPHENS = [
    "~Bergmann Hosting AG - Industriestraße 12-14 - D-60311 Frankfurt",
    "Kestrel Media Ltd.",
    "4 Harbour Row",
    "Leith EH6 6LU",
    "Rechnung|||Seite 1",
    "Rechnungsnr.|30071234||Kundennr.|47775",
    "Rechnungsdatum|7. Mai 2026",
    "Pos.|Beschreibung|Menge|Preis|Betrag",
    "1|Managed Exchange|2|5,39|10,78",
    "|||Gesamtbetrag|12,83 EUR",
]

# The seller's name and the document's title on one line, at the top right (a cloud provider's
# monthly bill).
TITLE_AFTER_NAME = [
    "||Northwind Cloud Services Invoice",
    "Account number:||Invoice Summary",
    "296664039561||Invoice Number:|73510042",
    "||Invoice Date:|August 3, 2026",
    "Bill to Address:||TOTAL AMOUNT DUE ON August 3, 2026|$18.40",
    "Kestrel Media Ltd.",
    "Summary",
    "Service charges|||$18.40",
]

HEADLINES = {
    "sender_hyphens": (
        SENDER_HYPHENS,
        "30071234",
        "2026-05-07",
        "12.83",
        "EUR",
        "Bergmann Hosting AG",
    ),
    "title_after_name": (
        TITLE_AFTER_NAME,
        "73510042",
        "2026-08-03",
        "18.40",
        "USD",
        "Northwind Cloud Services",
    ),
}


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_seller_name_without_address_or_title(name, write_doc, local, billing_pdf):
    lines, number, date, total, currency, vendor = HEADLINES[name]
    d = local.extract(write_doc(f"{name}.pdf", billing_pdf(lines)), PROMPT, "invoice")["data"]
    assert d["invoice_number"] == number
    assert d["date"] == date
    assert Decimal(str(d["total"])) == Decimal(total)
    assert d["currency"] == currency
    assert d["vendor"] == vendor


FACTURE_DEADLINE = [
    "#Lumière Télécom",
    "75371 Paris Cedex 08",
    "|||Camille Durand",
    "|||12 rue des Lilas",
    "|||69100 Villeurbanne",
    "Facture n°562044387 du 02 juillet 2026",
    "Date limite de paiement le 16 juillet 2026|||29,99 € TTC",
    "|Montant HT|Montant TVA|Montant TTC",
    "Abonnement|24,99|5,00|29,99",
    "Total facture|24,99|5,00|29,99",
    "Somme à payer|||29,99 € TTC",
]

RECHNUNG_ZAHLUNGSZIEL = SENDER_HYPHENS + [
    "Zahlungsbedingungen|14 Tage netto",
    "Zahlungsziel|21.05.26",
]


@pytest.mark.parametrize(
    "lines, number, date, due",
    [
        (FACTURE_DEADLINE, "562044387", "2026-07-02", "2026-07-16"),
        (RECHNUNG_ZAHLUNGSZIEL, "30071234", "2026-05-07", "2026-05-21"),
    ],
    ids=["date_limite_de_paiement", "zahlungsziel"],
)
def test_payment_deadline_is_the_due_date(lines, number, date, due, write_doc, local, billing_pdf):
    """A French "Facture n° … du <date>" dates the invoice; "Date limite de paiement" and
    "Zahlungsziel" give its due date, not its date."""
    prompt = "Extract the invoice number, date, due date and total"
    d = local.extract(write_doc("deadline.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert d["invoice_number"] == number
    assert d["date"] == date
    assert d["due_date"] == due


def test_a_tax_word_in_a_wrapped_column_caption_is_not_a_tax_line(write_doc, local, billing_pdf):
    """A price column captioned "VK-Preis / Ohne / MwSt." over three lines has net prices: the
    item row below the caption is not the invoice's tax, and an invoice stating no tax has none."""
    lines = [
        "~Bergmann Hosting AG - Industriestraße 12-14 - D-60311 Frankfurt",
        "Rechnungsnr.|30071234",
        "Rechnungsdatum|7. Mai 2026",
        "Menge|Beschreibung|VK-Preis|Zeilenbetrag",
        "||Ohne|Ohne MwSt.",
        "||MwSt.|",
        "1|Small Business Exchange 2010|3,89|3,89",
        "2|Managed Backup|5,39|10,78",
        "||Total EUR|14,67",
    ]
    prompt = "Extract the invoice number, date, tax and total"
    d = local.extract(write_doc("netto.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert Decimal(str(d["total"])) == Decimal("14.67")
    assert d["tax"] is None


def test_untaxed_amount_is_the_subtotal_and_ends_the_items(write_doc, local, billing_pdf):
    """An ERP invoice (Odoo's wording): "Untaxed Amount" is the subtotal, not an item, and the
    "Taxes" column's rates stay out of the items' descriptions."""
    lines = [
        "#Brightwave Solutions SRL",
        "Strada Lalelelor 14|||Deco Addict",
        "400001 Cluj-Napoca|||77 Santa Barbara Rd",
        "VAT: RO31234567|||Pleasant Hill CA 94523",
        "#Invoice INV/2026/00117",
        "Invoice Date:|Due Date:|Source:",
        "03/11/2026|04/10/2026|S00042",
        "Description|Quantity|Taxes|Amount",
        "Three-Seat Sofa|2.00 Units|15%|$ 3,000.00",
        "Pedal Bin|5.00 Units|15%|$ 235.00",
        "||Untaxed Amount|$ 3,235.00",
        "||Tax 15%|$ 485.25",
        "||Total|$ 3,720.25",
    ]
    prompt = "Extract the invoice number, subtotal, tax, total and line items"
    d = local.extract(write_doc("erp.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert d["invoice_number"] == "INV/2026/00117"
    assert Decimal(str(d["subtotal"])) == Decimal("3235.00")
    assert Decimal(str(d["tax"])) == Decimal("485.25")
    assert Decimal(str(d["total"])) == Decimal("3720.25")
    items = [(i["description"], Decimal(str(i["amount"]))) for i in d["line_items"]]
    assert items == [("Three-Seat Sofa", Decimal("3000.00")), ("Pedal Bin", Decimal("235.00"))]


def test_an_amount_after_vat_is_not_the_seller_vat_number(write_doc, local, billing_pdf):
    """A utility bill's "VAT at 5% on £135.59" holds an amount; the seller's VAT number is the
    one its imprint prints."""
    lines = [
        "#Northern Power & Gas",
        "Your energy bill|||Amount to pay",
        "Bill date: 7 March 2026|||£142.37",
        "Bill number: 000118845321",
        "Electricity used (1 Feb – 28 Feb 2026)|||£98.21",
        "Gas used (1 Feb – 28 Feb 2026)|||£37.38",
        "VAT at 5% on £135.59|||£6.78",
        "Total charges this bill|||£142.37",
        "_Northern Power & Gas Ltd, Registered in England No. 04512345, VAT No. GB 412 3456 78",
    ]
    prompt = "Extract the vendor, vendor VAT number, tax and total"
    d = local.extract(write_doc("bill.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert d["vendor_vat_number"] == "GB412345678"
    assert Decimal(str(d["tax"])) == Decimal("6.78")
    assert Decimal(str(d["total"])) == Decimal("142.37")


def test_amount_charged_ends_a_card_receipt_items(write_doc, local, billing_pdf):
    """An online payment receipt's "Amount charged" is its total, not an item."""
    lines = [
        "#Receipt from Lumen Labs, Inc.",
        "Receipt #2281-4410",
        "Amount paid|Date paid|Payment method",
        "$49.00|Mar 4, 2026|Mastercard – 5454",
        "Summary",
        "Lumen Pro (monthly) × 1|||$49.00",
        "Amount charged|||$49.00",
    ]
    prompt = "Extract the merchant, date, total and line items"
    d = local.extract(write_doc("paid.pdf", billing_pdf(lines)), prompt, "receipt")["data"]
    assert d["merchant"] == "Lumen Labs, Inc."
    assert Decimal(str(d["total"])) == Decimal("49.00")
    assert [i["description"] for i in d["line_items"]] == ["Lumen Pro (monthly)"]


@pytest.mark.parametrize(
    "tax_line, tax, total",
    [
        ("zzgl. 19 % MwSt.", "17.54", "109.88"),
        ("plus 20% VAT", "18.47", "110.81"),
        ("inkl. 19% MwSt.", "17.54", "92.34"),
    ],
)
def test_a_tax_rate_before_the_tax_label(tax_line, tax, total, write_doc, local, billing_pdf):
    """Shops print the rate before the label ("zzgl. 19 % MwSt.", "plus 20% VAT")."""
    lines = [
        "#Techwerk Versand GmbH",
        "Rechnungsnummer|R-2026-004512",
        "Rechnungsdatum|14.11.2026",
        "Artikel|Menge|Einzelpreis|Gesamt",
        "USB-C Dockingstation|1|72,36 €|72,36 €",
        "HDMI-Kabel 2 m|2|9,99 €|19,98 €",
        "||Zwischensumme|92,34 €",
        f"||{tax_line}|{tax.replace('.', ',')} €",
        f"||Gesamtbetrag|{total.replace('.', ',')} €",
    ]
    prompt = "Extract the invoice number, tax and total"
    d = local.extract(write_doc("shop.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert Decimal(str(d["tax"])) == Decimal(tax)
    assert Decimal(str(d["total"])) == Decimal(total)
