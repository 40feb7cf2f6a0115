"""What real scans and real layouts throw at the engine: misread characters, day/month order
settled by the country, digit groupings, and codes that are not amounts."""

from decimal import Decimal

import pytest

from engine import countries as C
from engine import values as V
from engine.ocr import fix_text


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("T0TAL 4O.5O", "TOTAL 40.50"),
        ("S47.41", "$47.41"),
        ("12 .50", "12.50"),
        ("Imvoice No: CS89544", "Invoice No: CS89544"),
        ("B111 No: 73124", "BILL No: 73124"),
        ("3 0ct 2024", "3 oct 2024"),
        ("09-Fmb-2025", "09-Feb-2025"),
        ("Jamuary 17, 2026", "January 17, 2026"),
        ("TOTALSAVINGS5.24", "TOTALSAVINGS 5.24"),
        ("Rs. 1.82,532.89", "Rs. 1,82,532.89"),
        ("$1 234.56", "$1234.56"),
        ("Sl-063503", "SI-063503"),
        # Words that merely look like labels stay as printed.
        ("PIZZA PALACE", "PIZZA PALACE"),
        ("A4 Paper 80gsm", "A4 Paper 80gsm"),
        ("QTY 2 345.00", "QTY 2 345.00"),
        ("CS58867", "CS58867"),
    ],
)
def test_ocr_slips_are_put_right(raw, fixed):
    assert fix_text(raw) == fixed


@pytest.mark.parametrize(
    ("text", "order"),
    [
        # A bare dollar sign reads month-first, unless the country says otherwise.
        ("Date 03/04/2026 Total $10.00", "mdy"),
        ("Sydney NSW 2000  Date 03/04/2026 Total $10.00", "dmy"),
        ("ABN 12 345 678 901 GST 10%  03/04/2026  $10.00", "dmy"),
        ("Amount Due S$32.51  03/04/2026", "dmy"),
        ("VAT Reg No. GB 123 4567 89  03/04/2026", "dmy"),
        ("Chicago, IL 60601  03/04/2026  VAT 20%", "mdy"),
        ("03/04/2026  2:15 PM  TAX 8.25%", "mdy"),
        # Issue and due date 30 days apart only when read day-first.
        ("Invoice date 01/04/2026  Due date 01/05/2026", "dmy"),
    ],
)
def test_day_month_order_from_country_and_intervals(text, order):
    assert V.date_order_hint(text) == order


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("12/04/2420:57", "2024-04-12"),  # date and time run together
        ("13/01/2026.16:23", "2026-01-13"),
        ("October 6. 2025", "2025-10-06"),
        ("MAR 04 '26", "2026-03-04"),
        ("04MAR26", "2026-03-04"),
    ],
)
def test_dates_as_tills_and_scanners_print_them(text, iso):
    found = V.find_dates(text, "dmy")
    assert found and found[0].value.isoformat() == iso


def test_indian_digit_grouping():
    amounts = [f.value.value for f in V.find_amounts("Total Rs. 12,42,653.33")]
    assert amounts == [Decimal("1242653.33")]


def test_number_printed_in_groups_is_one_number():
    assert V.find_identifier("1941 9936 893").value == "1941 9936 893"
    assert V.find_identifier("1234 03/04/2026").value == "1234"


def test_bare_dollar_follows_the_country():
    assert C.dollar_of("Level 4, 100 George St, Sydney NSW 2000") == "AUD"
    assert C.dollar_of("200 Bay Street, Toronto, ON M5J 2J2") == "CAD"
    assert C.dollar_of("88 Pine Street, New York, NY 10005") == "USD"
