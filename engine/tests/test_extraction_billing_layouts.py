"""The local provider on invoices and receipts laid out like those of real billing systems.

Each document is a real PDF (the billing_pdf fixture: fpdf2 with a Unicode TrueType font, so
that ₹, € and £ print as themselves) written with the letterheads, sender lines, two-column headers, customer blocks,
totals tables and till-roll blocks those systems print, and read through the public provider.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

PROMPT = "Extract the invoice number, date, total, currency and vendor"
RECEIPT_PROMPT = "Extract the merchant, date, total and currency"


STRIPE = [
    "#Invoice",
    "Invoice number|5F3A1C2B-0007",
    "Date of issue|March 4, 2026",
    "Date due|April 3, 2026",
    "",
    "^Acme Analytics, Inc.|Bill to",
    "^548 Market Street|Jane Cooper",
    "^San Francisco, California 94104|Northwind Traders LLC",
    "^United States|1200 Pine Street",
    "^billing@acmeanalytics.com|Seattle, Washington 98101",
    "#$1,250.00 USD due April 3, 2026",
    "Description||Qty|Unit price|Amount",
    "Pro plan (Mar 4 – Apr 4, 2026)||5|$250.00|$1,250.00",
    "||Subtotal||$1,250.00",
    "||Total||$1,250.00",
    "||Amount due||$1,250.00 USD",
    "Page 1 of 1",
]

ZOHO_GST = [
    "#Sharma Cloud Services Pvt. Ltd.",
    "12, MG Road, Bengaluru, Karnataka 560001",
    "GSTIN 29ABCDE1234F1Z5",
    "|||TAX INVOICE",
    "|||Invoice# INV-000042",
    "Bill To|||Invoice Date: 15/01/2026",
    "Rohan Mehta|||Terms: Net 15",
    "Kapoor Textiles|||Due Date: 30/01/2026",
    "Item & Description||Qty|Rate|Amount",
    "Annual support contract||1|1,00,000.00|1,00,000.00",
    "|||Sub Total|1,00,000.00",
    "|||IGST18 (18%)|18,000.00",
    "|||Total|₹1,18,000.00",
    "|||Balance Due|₹1,18,000.00",
]

INDIAN_RS = [
    "#Patel Hardware Traders",
    "Shop No. 4, Station Road, Pune 411001",
    "GSTIN: 27AAPFU0939F1ZV",
    "TAX INVOICE",
    "Invoice No.: 2024/0815|||Date: 08/02/2026",
    "Buyer: Deshmukh Constructions",
    "Sr|Description|Qty|Rate|Amount",
    "1|Cement bags|10|380.00|3,800.00",
    "2|Steel rods|5|140.00|700.00",
    "|||Taxable value|4,500.00",
    "|||CGST 9%|405.00",
    "|||SGST 9%|405.00",
    "|||Grand Total|Rs. 5,310.00",
]

DATEV = [
    "~Müller & Schmidt GmbH · Hauptstr. 1 · 10115 Berlin",
    "Kunde Handels AG|||Rechnungsnr.: RE-10023",
    "Frau Erika Beispiel|||Kundennr.: 49",
    "Lindenweg 5|||Leistungszeitraum: 01.01.2026 - 31.01.2026",
    "80331 München|||Rechnungsdatum: 12.02.2026",
    "#Rechnung",
    "Pos.|Bezeichnung|Menge|Einzelpreis|Gesamt",
    "1|Beratung Januar|8|125,00 €|1.000,00 €",
    "|||Nettobetrag|1.000,00 €",
    "|||USt 19 %|190,00 €",
    "|||Rechnungsbetrag|1.190,00 €",
    "Zahlbar bis 26.02.2026 ohne Abzug.",
    "Müller & Schmidt GmbH · USt-IdNr.: DE123456789 · Amtsgericht Berlin HRB 12345",
]

XERO = [
    "#TAX INVOICE||Invoice Date|Harbourside Design Ltd",
    "Ridgeway University||15 Mar 2026|23 Queen Street",
    "Attention: Accounts Payable||Invoice Number|Auckland 1010",
    "PO Box 1200||INV-0042|NEW ZEALAND",
    "Wellington 6140||Reference|GST Number 123-456-789",
    "||Website refresh",
    "Description|Quantity|Unit Price|GST|Amount NZD",
    "Web design|12.00|150.00|15%|1,800.00",
    "|||Subtotal|1,800.00",
    "|||TOTAL GST 15%|270.00",
    "|||TOTAL NZD|2,070.00",
    "Due Date: 14 Apr 2026",
]

QUICKBOOKS = [
    "#Bayview Plumbing Inc.",
    "410 Harbor Blvd",
    "Oakland, CA 94607",
    "office@bayviewplumbing.com",
    "INVOICE",
    "BILL TO|SHIP TO||INVOICE #|1047",
    "Sam Lee|Sam Lee||DATE|02/14/2026",
    "88 Elm St|88 Elm St||DUE DATE|03/16/2026",
    "Berkeley, CA 94704|Berkeley, CA 94704||TERMS|Net 30",
    "DATE|ACTIVITY|QTY|RATE|AMOUNT",
    "02/10/2026|Labor|3|95.00|285.00",
    "02/10/2026|Parts|1|64.50|64.50",
    "|||SUBTOTAL|349.50",
    "|||TAX|0.00",
    "|||TOTAL|349.50",
    "|||BALANCE DUE|$349.50",
]

FROM_BLOCK = [
    "#INVOICE",
    "From:|||To:",
    "Pixel Forge Ltd|||Oakridge Partners LLP",
    "14 Camden Road|||2 Kings Way",
    "London NW1 9DP|||Cambridge CB2 1TN",
    "VAT No. GB 123 4567 89",
    "Invoice #: 2025/118|||Page 1 of 2",
    "Invoice date: 03 Feb 2026|||Order date: 28 Jan 2026",
    "Description|||Amount",
    "Brand workshop (2 days)|||£2,000.00",
    "|||Net|£2,000.00",
    "|||VAT 20%|£400.00",
    "|||Total (incl. VAT)|£2,400.00",
]

CHARGEBEE = [
    "#Cloudnest Technologies Pte. Ltd.",
    "1 Raffles Place, #20-01, Singapore 048616",
    "GST Reg No: 201912345K",
    "INVOICE",
    "Invoice Number|#A1B2C3D4-0001",
    "Invoice Date|Jan 15, 2026",
    "Billing Period|Jan 15, 2026 to Feb 14, 2026",
    "Payment Date|Jan 16, 2026",
    "BILLED TO",
    "Tanaka Logistics Pte Ltd",
    "Description|||Amount (SGD)",
    "Growth plan|||S$ 499.00",
    "|||Sub Total|S$ 499.00",
    "|||GST @ 9%|S$ 44.91",
    "|||Total incl. GST|S$ 543.91",
    "|||Amount Paid|S$ 543.91",
    "|||Amount Due|S$ 0.00",
]

GST_TABLE_HEADER = [
    "#Vardhan Digital Solutions LLP",
    "Plot 21, Sector 5, HSR Layout, Bengaluru 560102",
    "GSTIN: 29AAKFV1234M1Z2 | PAN: AAKFV1234M",
    "TAX INVOICE",
    "Invoice No.|Customer No.|Invoice Date|Due Date",
    "VDS/25-26/0117|49|12/02/2026|14/03/2026",
    "Bill To",
    "Meridian Retail Pvt Ltd",
    "Description||Qty|Rate|Amount",
    "Mobile app maintenance||1|50,000.00|50,000.00",
    "|||Taxable Amount|50,000.00",
    "|||IGST @ 18%|9,000.00",
    "|||Total|59,000.00",
    "Amount in words: Fifty Nine Thousand Only",
]

DATEV_FOOTER = [
    "Kunde Handels AG|||Rechnung Nr. 2026-0311",
    "Einkauf|||Datum: 03.03.2026",
    "Lindenweg 5|||Seite 1 von 1",
    "80331 München",
    "#Rechnung",
    "Leistungszeitraum: 01.02.2026 bis 28.02.2026",
    "Pos.|Bezeichnung|Menge|Einzelpreis|Gesamt",
    "1|Wartung Server|1|400,00|400,00",
    "|||Zwischensumme|400,00",
    "|||MwSt. 19 %|76,00",
    "|||Gesamtbetrag|476,00 EUR",
    "_Nordlicht IT-Service GmbH · Am Hafen 3 · 20457 Hamburg",
    "Geschäftsführer: Jan Ohlsen · USt-IdNr. DE298765432 · IBAN DE44 5001 0517 5407 3249 31",
]

UK_FOOTER = [
    "Oakridge Partners LLP|||Invoice No: 881",
    "2 Kings Way|||Date: 03/02/2026",
    "Cambridge CB2 1TN",
    "#INVOICE",
    "Description|||Amount",
    "Workshop|||£2,000.00",
    "|||Total|£2,000.00",
    "_Pixel Forge Ltd · 14 Camden Road · London NW1 9DP",
    "Registered in England and Wales No. 08123456",
]

# The imprint repeats the letterhead's name with a misread letter, as a poor scan reads it.
LETTERHEAD_AND_IMPRINT = [
    "Foxglove Facilities AG",
    "Bahnhofstrasse 10",
    "8001 Zürich",
    "Kestrel Media AG|||Beleg-Nr.: RE-2025-480",
    "Bahnhofstrasse 10|||Rechnungsdatum: 11.08.2025",
    "#Rechnung RE-2025-480",
    "Bezeichnung|Menge|Einzelpreis|Gesamt",
    "Logo design|3|902.36|2707.08",
    "|||Endbetrag|CHF 2'707.08",
    "_Foxglove Faciltes AG|Commerzbank|Amtsgericht Berlin HRB 93462",
    "Bahnhofstrasse 10|IBAN DE89 3704 0044 0532 0130 00|USt-IdNr. DE396758897",
]

# Logo-only letterhead; the customer's own VAT id sits under its address; the imprint names the
# seller.
CUSTOMER_VAT_ID = [
    "#NORDLICHT",
    "Kestrel Media AG|||Rechnung Nr. 2026-0311",
    "Bahnhofstrasse 10|||Datum: 03.03.2026",
    "8001 Zürich",
    "UID: CHE-123.456.789 MWST",
    "#Rechnung",
    "Bezeichnung|Menge|Einzelpreis|Gesamt",
    "Wartung|1|400,00|400,00",
    "|||Gesamtbetrag|400,00 EUR",
    "Steuerschuldnerschaft des Leistungsempfängers",
    "_Nordlicht IT-Service GmbH · Am Hafen 3 · 20457 Hamburg",
    "USt-IdNr. DE298765432 · Amtsgericht Hamburg HRB 12345",
]

INVOICES = {
    "customer_vat_id": (
        CUSTOMER_VAT_ID,
        "2026-0311",
        "2026-03-03",
        "400.00",
        "EUR",
        "Nordlicht IT-Service GmbH",
    ),
    "letterhead_and_imprint": (
        LETTERHEAD_AND_IMPRINT,
        "RE-2025-480",
        "2025-08-11",
        "2707.08",
        "CHF",
        "Foxglove Facilities AG",
    ),
    "uk_footer": (UK_FOOTER, "881", "2026-02-03", "2000.00", "GBP", "Pixel Forge Ltd"),
    "gst_table_header": (
        GST_TABLE_HEADER,
        "VDS/25-26/0117",
        "2026-02-12",
        "59000.00",
        "INR",
        "Vardhan Digital Solutions LLP",
    ),
    "datev_footer": (
        DATEV_FOOTER,
        "2026-0311",
        "2026-03-03",
        "476.00",
        "EUR",
        "Nordlicht IT-Service GmbH",
    ),
    "stripe": (STRIPE, "5F3A1C2B-0007", "2026-03-04", "1250.00", "USD", "Acme Analytics, Inc."),
    "zoho_gst": (
        ZOHO_GST,
        "INV-000042",
        "2026-01-15",
        "118000.00",
        "INR",
        "Sharma Cloud Services Pvt. Ltd.",
    ),
    "indian_rs": (INDIAN_RS, "2024/0815", "2026-02-08", "5310.00", "INR", "Patel Hardware Traders"),
    "datev": (DATEV, "RE-10023", "2026-02-12", "1190.00", "EUR", "Müller & Schmidt GmbH"),
    "xero": (XERO, "INV-0042", "2026-03-15", "2070.00", "NZD", "Harbourside Design Ltd"),
    "quickbooks": (QUICKBOOKS, "1047", "2026-02-14", "349.50", "USD", "Bayview Plumbing Inc."),
    "from_block": (FROM_BLOCK, "2025/118", "2026-02-03", "2400.00", "GBP", "Pixel Forge Ltd"),
    "chargebee": (
        CHARGEBEE,
        "#A1B2C3D4-0001",
        "2026-01-15",
        "543.91",
        "SGD",
        "Cloudnest Technologies Pte. Ltd.",
    ),
}


@pytest.mark.parametrize("name", sorted(INVOICES))
def test_invoice_headline_fields(name, write_doc, local, billing_pdf):
    lines, number, date, total, currency, vendor = INVOICES[name]
    result = local.extract(write_doc(f"{name}.pdf", billing_pdf(lines)), PROMPT, "invoice")
    d = result["data"]
    assert d["invoice_number"].lstrip("#") == number.lstrip("#")
    assert d["date"] == date
    assert Decimal(str(d["total"])) == Decimal(total)
    assert d["currency"] == currency
    assert d["vendor"] == vendor


MALAYSIA = [
    "KEDAI RUNCIT MAJU JAYA SDN BHD",
    "(123456-X)",
    "NO. 12, JALAN SS 2/24",
    "47300 PETALING JAYA, SELANGOR",
    "TEL: 03-7876 5432",
    "SST REG NO: W10-1808-32000123",
    "SIMPLIFIED TAX INVOICE",
    "Receipt No: CS-00012345",
    "Date: 05/03/2026 14:22",
    "Milo 1kg 2 x 18.90|37.80",
    "Roti Gardenia|4.23",
    "Total Sales (Incl. SST)|42.03",
    "Rounding Adj|-0.03",
    "Total|RM 42.00",
    "CASH|50.00",
    "CHANGE|8.00",
    "THANK YOU, PLEASE COME AGAIN",
]

SINGAPORE_LOGO = [
    "TAX INVOICE",
    "GST Reg No: 201834567W",
    "71 Amoy Street, Singapore 069891",
    "Tel: +65 6221 0987",
    "Date: 21/02/2026  09:14",
    "Flat White|5.80",
    "Almond Croissant|6.20",
    "Subtotal|12.00",
    "GST 9% incl.|0.99",
    "Total|S$12.00",
    "VISA|12.00",
    "Thank you for visiting Corner Cafe!",
    "www.cornercafe.com.sg",
]

US_TILL = [
    "TRADER BEN'S #552",
    "1234 Main St, Austin, TX 78701",
    "(512) 555-0100",
    "02/27/2026 18:40",
    "BANANAS|0.99",
    "OAT MILK|4.49",
    "COFFEE BEANS|17.99",
    "SUBTOTAL|23.47",
    "TAX|1.94",
    "TOTAL|25.41",
    "CASH|40.00",
    "CHANGE|14.59",
]

WEB_ONLY = [
    "RECEIPT",
    "Order #88213",
    "12 Baker Street, London W1U 3BW",
    "14/01/2026 12:31",
    "2 x Latte|9.00",
    "Banana bread|3.50",
    "TOTAL|£12.50",
    "CARD|£12.50",
    "Thank you for shopping at Greenleaf Deli",
]

REG_NUMBER_AFTER_NAME = [
    "SYARIKAT PERNIAGAAN GIN KEE (81109-A)",
    "NO 290, JALAN AIR PANAS,",
    "SETAPAK, 53200 KUALA LUMPUR",
    "GST ID: 001389568000",
    "TAX INVOICE",
    "Doc No: CS00012811",
    "Date: 02/01/2018",
    "BOTOL 1.5L 2 x 3.50|7.00",
    "Total Amount:|7.00",
    "Cash|10.00",
    "Change|3.00",
]

EMAIL_ONLY = [
    "RECEIPT",
    "12 High St, Oxford OX1 4AA",
    "Email: hello@bluebottlebakery.co.uk",
    "03/01/2026 10:02",
    "Sourdough|4.50",
    "TOTAL|£4.50",
]

WELCOME_LINE = [
    "WELCOME TO",
    "FreshMart Supermarket",
    "Outlet 12, Tampines Mall",
    "GST Reg: M2-0012345-6",
    "12/01/2026 18:22",
    "Eggs|3.20",
    "TOTAL|3.20",
    "NETS|3.20",
]

STRIPE_RECEIPT = [
    "Receipt from Acme Analytics, Inc.",
    "Receipt #2391-4459",
    "Amount paid|Date paid|Payment method",
    "$1,250.00|March 4, 2026|Visa - 4242",
    "Pro plan x 5|$1,250.00",
    "Amount charged|$1,250.00",
    "Questions? Contact us at billing@acmeanalytics.com",
]

MAIL_SPELLS_NAME = [
    "RECEIPT",
    "Harbour Books and Coffee thanks you!",
    "01/12/2026 16:05",
    "Paperback|$18.00",
    "TOTAL|$18.00",
    "orders@harbourbooks.com",
]

GERMAN_LOGO_ONLY = [
    "Hauptstraße 12",
    "10115 Berlin",
    "Tel.: 030 1234567",
    "UID Nr.: DE812706034",
    "EUR",
    "BANANEN|1,29 A",
    "VOLLMILCH 3,5%|1,15 A",
    "BROT|2,49 A",
    "SUMME|EUR 4,93",
    "Geg. Bar|EUR 10,00",
    "Rückgeld BAR|EUR 5,07",
    "12.01.2026 18:22 Bon-Nr.:1234",
    "Vielen Dank für Ihren Einkauf",
    "bei Frischmarkt Müller!",
]

TILL_CODES = [
    "GREEN LEAF GROCERY",
    "415 Mission St, Suite 300",
    "San Francisco, CA 94105",
    "(871) 719-3344",
    "ST# 3296 OP# 19 TE# 20",
    "TRN# 899069",
    "05/10/25 08:22",
    "COFFEE BEANS|3.59",
    "TOTAL DUE|3.59",
]

WELCOME_SAME_LINE = [
    "*** WELCOME TO CORNER CAFE! ***",
    "71 Amoy Street, Singapore 069891",
    "Date: 21/02/2026",
    "Latte|5.80",
    "TOTAL|5.80",
]

RECEIPTS = {
    "welcome_same_line": (WELCOME_SAME_LINE, "CORNER CAFE", "2026-02-21", "5.80", "SGD"),
    "till_codes": (TILL_CODES, "GREEN LEAF GROCERY", "2025-05-10", "3.59", "USD"),
    "german_logo_only": (GERMAN_LOGO_ONLY, "Frischmarkt Müller", "2026-01-12", "4.93", "EUR"),
    "stripe_receipt": (STRIPE_RECEIPT, "Acme Analytics, Inc.", "2026-03-04", "1250.00", "USD"),
    "mail_spells_name": (MAIL_SPELLS_NAME, "Harbour Books", "2026-01-12", "18.00", "USD"),
    "reg_number_after_name": (
        REG_NUMBER_AFTER_NAME,
        "SYARIKAT PERNIAGAAN GIN KEE",
        "2018-01-02",
        "7.00",
        "MYR",
    ),
    "email_only": (EMAIL_ONLY, "Bluebottle Bakery", "2026-01-03", "4.50", "GBP"),
    "welcome_line": (WELCOME_LINE, "FreshMart Supermarket", "2026-01-12", "3.20", "SGD"),
    "malaysia": (MALAYSIA, "KEDAI RUNCIT MAJU JAYA SDN BHD", "2026-03-05", "42.00", "MYR"),
    "singapore_logo": (SINGAPORE_LOGO, "Corner Cafe", "2026-02-21", "12.00", "SGD"),
    "us_till": (US_TILL, "TRADER BEN'S", "2026-02-27", "25.41", "USD"),
    "web_only": (WEB_ONLY, "Greenleaf Deli", "2026-01-14", "12.50", "GBP"),
}


@pytest.mark.parametrize("name", sorted(RECEIPTS))
def test_receipt_headline_fields(name, write_doc, local, billing_pdf):
    lines, merchant, date, total, currency = RECEIPTS[name]
    pdf = billing_pdf(lines, width=80)
    result = local.extract(write_doc(f"{name}.pdf", pdf), RECEIPT_PROMPT, "receipt")
    d = result["data"]
    assert d["merchant"].lower() == merchant.lower()
    assert d["date"] == date
    assert Decimal(str(d["total"])) == Decimal(total)
    assert d["currency"] == currency


@pytest.mark.parametrize(
    "heading",
    [
        "SIMPLIFIED TAX INVOICE",
        "OFFICIAL RECEIPT",
        "CASH BILL",
        "TAX INVOICE / RECEIPT",
        "CUSTOMER COPY",
        "*** REPRINT ***",
    ],
)
def test_receipt_heading_above_the_shop_name_is_not_the_merchant(
    heading, write_doc, local, billing_pdf
):
    lines = [
        heading,
        "Ah Seng Kopitiam",
        "No 5 Jalan Besar, 50000 Kuala Lumpur",
        "Date: 02/01/2026",
        "Kopi O|1.80",
        "TOTAL|RM 1.80",
    ]
    pdf = billing_pdf(lines, width=80)
    result = local.extract(write_doc("slip.pdf", pdf), RECEIPT_PROMPT, "receipt")
    assert result["data"]["merchant"] == "Ah Seng Kopitiam"
    assert result["data"]["total"] == 1.8
    assert result["data"]["currency"] == "MYR"


@pytest.mark.parametrize("name", ["singapore_logo", "german_logo_only", "reg_number_after_name"])
def test_scanned_receipt_headline_fields(name, gen, rng, write_doc, local, billing_pdf):
    pytest.importorskip("rapidocr")
    lines, merchant, date, total, currency = RECEIPTS[name]
    page = gen.scan(gen.render(billing_pdf(lines, width=80), 300), rng)
    buf = io.BytesIO()
    page.save(buf, format="PNG")
    doc = write_doc(f"{name}.png", buf.getvalue(), "image/png")
    result = local.extract(doc, RECEIPT_PROMPT, "receipt")
    d = result["data"]
    assert d["merchant"].lower() == merchant.lower()
    assert d["date"] == date
    assert Decimal(str(d["total"])) == Decimal(total)
    assert d["currency"] == currency


def test_scanned_invoice_names_the_seller_from_its_imprint(gen, rng, write_doc, local, billing_pdf):
    pytest.importorskip("rapidocr")
    lines, number, date, total, _currency, vendor = INVOICES["customer_vat_id"]
    page = gen.scan(gen.render(billing_pdf(lines), 200), rng)
    buf = io.BytesIO()
    page.save(buf, format="PNG")
    result = local.extract(write_doc("scan.png", buf.getvalue(), "image/png"), PROMPT, "invoice")
    d = result["data"]
    assert d["vendor"] == vendor
    assert d["invoice_number"] == number and d["date"] == date
    assert Decimal(str(d["total"])) == Decimal(total)
