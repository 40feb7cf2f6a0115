"""Typed values: dates, amounts, currencies, contact and bank details."""

from decimal import Decimal

import pytest

from engine import countries as C
from engine import values as V


@pytest.mark.parametrize(
    ("text", "order", "iso"),
    [
        ("2026-03-14", "dmy", "2026-03-14"),
        ("14/03/2026", "dmy", "2026-03-14"),
        ("03/14/2026", "mdy", "2026-03-14"),
        ("04/03/2026", "mdy", "2026-04-03"),
        ("04/03/2026", "dmy", "2026-03-04"),
        ("14.03.2026", "mdy", "2026-03-14"),
        ("14.03.26", "dmy", "2026-03-14"),
        ("March 14, 2026", "dmy", "2026-03-14"),
        ("14 Mar 2026", "dmy", "2026-03-14"),
        ("14-Mar-2026", "dmy", "2026-03-14"),
        ("14th of March, 2026", "dmy", "2026-03-14"),
        ("3. März 2026", "dmy", "2026-03-03"),
        ("1er janvier 2026", "dmy", "2026-01-01"),
        ("Date: 22/04/202617:17", "dmy", "2026-04-22"),
    ],
)
def test_dates_normalise_to_iso(text, order, iso):
    found = V.find_dates(text, order)
    assert found and found[0].value.isoformat() == iso


def test_date_order_is_settled_by_the_document():
    assert V.date_order_hint("Date 03/25/2026 Total $10.00") == "mdy"
    assert V.date_order_hint("Date 25/03/2026 Total $10.00") == "dmy"
    assert V.date_order_hint("Date 03/04/2026 Total $10.00") == "mdy"
    assert V.date_order_hint("Date 03/04/2026 Total 10,00 €") == "dmy"


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("Total: 120.50 EUR", "120.50", "EUR"),
        ("EUR1,220.50", "1220.50", "EUR"),
        ("€1.234,56", "1234.56", "EUR"),
        ("Total  $ 1,234.56", "1234.56", "USD"),
        ("TOTAL 12,50 €", "12.50", "EUR"),
        ("1 234,56 €", "1234.56", "EUR"),
        ("CHF 1'234.50", "1234.50", "CHF"),
        ("£99", "99", "GBP"),
        ("Refund -5.00", "-5.00", None),
        ("Discount (12.00)", "-12.00", None),
    ],
)
def test_amounts_with_currency(text, value, currency):
    found = V.find_amounts(text)
    assert found
    amount = found[-1].value
    assert amount.value == Decimal(value)
    assert amount.currency == currency


def test_dates_times_percentages_and_ids_are_not_amounts():
    assert V.find_amounts("14/03/2026 13:45") == []
    assert V.find_amounts("VAT 19%") == []
    assert V.find_amounts("INV-2026-0042") == []


def test_contact_and_bank_details():
    assert V.find_emails("Mail: billing@acme.example.")[0].value == "billing@acme.example"
    assert V.find_phones("Tel: +44 20 7946 0958")[0].value == "+44 20 7946 0958"
    assert V.find_ibans("IBAN DE89 3704 0044 0532 0130 00")[0].value == "DE89370400440532013000"
    assert V.find_ibans("IBAN DE00 3704 0044 0532 0130 00") == []
    assert V.find_vat_ids("VAT No. GB 123 4567 89")[0].value == "GB123456789"
    assert V.find_currencies("Amount in CAD, paid $12") == ["CAD", "USD"]


def test_identifiers():
    assert V.find_identifier(": INV-2026-0042").value == "INV-2026-0042"
    assert V.find_identifier(" No. 12345").value == "12345"
    assert V.find_identifier("14 March 2026") is None


def test_us_addresses_mean_month_first_dates():
    assert V.date_order_hint("Boston, MA 02108\n07/10/2026") == "mdy"
    assert V.date_order_hint("10115 Berlin\n07/10/2026") == "dmy"


def test_letter_currency_symbols_need_a_number():
    amount = V.find_amounts("TOTAL ROUNDED RM274.00")[-1].value
    assert (amount.value, amount.currency) == (Decimal("274.00"), "MYR")
    assert V.find_currencies("PLATFORM FEE") == []
    assert V.find_currencies("TOTAL$ 12.00") == ["USD"]


def test_ocr_zero_inside_words():
    from engine.ocr import fix_text

    assert fix_text("SUBT0TAL 12.00") == "SUBTOTAL 12.00"
    assert fix_text("INV-2026-0042") == "INV-2026-0042"


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("Rs 450/-", "450", "INR"),
        ("Rs. 1,18,000/-", "118000", "INR"),
        ("Total Rs 1,200.00", "1200.00", "INR"),
        ("₹ 1,18,000.00", "118000.00", "INR"),
    ],
)
def test_indian_rupee_amounts(text, value, currency):
    found = V.find_amounts(text)
    assert [(f.value.value, f.value.currency) for f in found] == [(Decimal(value), currency)]


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("GSTIN: 29AAKFV1234M1Z2  Total 59,000.00", "INR"),
        ("CGST 9% 405.00 SGST 9% 405.00", "INR"),
        ("KEDAI MAJU SDN BHD  Total 12.50", "MYR"),
        ("53200 KUALA LUMPUR  Total 7.00", "MYR"),
        ("Paid by NETS 3.20", "SGD"),
        ("ABN 51 824 753 556  Total 100.00", "AUD"),
        ("USt-IdNr. DE123456789  Summe 10,00", "EUR"),
        ("Via Roma 21, 20121 Milano - P. IVA 01234567890  Totale 212,28", "EUR"),
        ("Partita IVA IT01234567890  Totale 10,00", "EUR"),
        ("BTW NL123456789B01  Totaal 10,00", "EUR"),
        ("NIF PT509876543  Total 246,00", "EUR"),
        ("TVA intracommunautaire FR40123456789  Total TTC 12,00", "EUR"),
        ("Via Nassa 5, 6900 Lugano, Svizzera - IVA CHE-123.456.789  Totale 10,00", "CHF"),
        ("Rue du Rhône 1, 1204 Genève, Suisse  Total 10,00", "CHF"),
        ("Made in Italy  Total 10.00", None),
        ("Pedido de 123456789 unidades  Total 10,00", None),
        ("20121 MILANO (MI) ITALIA  Totale 10,00", "EUR"),
        ("Nothing here but 10.00", None),
    ],
)
def test_country_cues_name_the_currency_when_no_sign_is_printed(text, currency):
    assert C.country_currency(text) == currency
