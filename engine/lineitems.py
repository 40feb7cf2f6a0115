"""Line items from table-like rows (with or without a header) and bank statement transactions."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import values as V
from .layout import Cell, Line

_COLUMNS: dict[str, re.Pattern] = {
    "description": re.compile(
        r"^(?:item(?:s)?(?:\s*(?:&|and|/)?\s*description)?|description|desc\.?|"
        r"product(?:s| name)?(?:\s*(?:&|and|/)\s*description)?|service(?:s)?|"
        r"article|details|particulars|designation|désignation|bezeichnung|beschreibung|artikel|"
        r"leistung|descripción|concepto|descrizione|omschrijving|name|goods|product / service|"
        r"description of (?:goods|services)|activity|task|work performed)$",
        re.IGNORECASE,
    ),
    "quantity": re.compile(
        r"^(?:qty\.?|quantity|qnty|units?|hours|hrs\.?|menge|anzahl|qté|quantité|cantidad|"
        r"quantità|aantal|pcs|no\. of units|count|days|nos\.?)$",
        re.IGNORECASE,
    ),
    "unit_price": re.compile(
        r"^(?:unit price|price|rate|unit cost|each|per unit|price/unit|price per unit|"
        r"unit rate|hourly rate|einzelpreis|preis|e-preis|ep|prix unitaire|prix|p\.u\.|pu|"
        r"precio|precio unitario|prezzo|prijs|stückpreis|unit|cost|unit amount|u/p|u\.p\.|"
        r"unit cost price|sell price|list price)"
        r"(?:\s*\(.*\))?$",
        re.IGNORECASE,
    ),
    "amount": re.compile(
        r"^(?:amount|total|line total|sum|net amount|net|betrag|gesamt|gesamtpreis|montant|"
        r"importe|value|ext\.? price|extended|extended price|subtotal|total price|amount \(.*\)|"
        r"amt\.?|total amt|line amt|"
        r"total \(.*\)|importo|bedrag|totaal|line amount|gross|brutto|netto)$",
        re.IGNORECASE,
    ),
}
_IGNORED_COLUMNS = re.compile(
    r"^(?:#|no\.?|pos\.?|line|sku|code|item code|item #|item no\.?|art\.? ?no\.?|ref\.?|"
    r"s\.? ?no\.?|sr\.?(?: ?no\.?)?|sl\.? ?no\.?|s/n|hsn|sac|hsn ?/ ?sac|hsn code|sac code|"
    r"einheit|me|uom|unit of measure|lfd\.? ?nr\.?|"
    r"vat ?%?|tax ?%?|taxes|vat rate|tax rate|mwst\.?|ust\.?|disc\.? ?%?|discount|date|"
    r"gst ?%?|gst rate|hst|tva ?%?|iva ?%?|btw ?%?|"
    r"unit of measure|"
    r"uom|um|%)$",
    re.IGNORECASE,
)
_STOP_WORDS = re.compile(
    r"^(?:sub[\s-]?total|total|grand total|tax|taxes|vat|sales tax|gst|hst|pst|amount due|balance|"
    r"balance due|discount|shipping|shipping and handling|freight|net total|nett total|net amount|"
    r"zwischensumme|summe|gesamt|gesamtbetrag|nettobetrag|bruttobetrag|rechnungsbetrag|endbetrag|"
    r"gesamtsumme|übertrag|mwst|ust|montant|total ht|total ttc|tva|iva|btw|"
    r"amount paid|payment|payments|paid|change|change due|cash|card|visa|mastercard|amex|debit|"
    r"credit|tip|gratuity|rounding|rounding adj|rounding adjustment|net à payer|to pay|notes?|"
    r"terms|thank you|bank|iban|please|items? sold|items? count|number of items|no of items|"
    r"invoice total|order total|amount|deposit|total due|total amount|auth|approval|"
    r"untaxed amount|taxable amount|taxable value|à payer|a payer|zu zahlen|zahlbetrag|"
    r"cb|carte bancaire|carte|espèces|especes|rendu|monnaie rendue|bar|rückgeld|girocard|"
    r"efectivo|tarjeta|contanti|bancomat)\b",
    re.IGNORECASE,
)
# Words that may follow a summary label without making it an item ("TOTAL INCL GST").
_QUALIFIERS = {
    "incl", "excl", "inc", "ex", "including", "excluding", "gst", "vat", "tax", "sales", "rate",
    "adj", "adjustment", "rounded", "due", "amount", "total", "net", "nett", "gross", "before",
    "after", "the", "of", "to", "pay", "paid", "ht", "ttc", "eur", "usd", "gbp", "chf", "cad",
    "aud", "rm", "tendered", "received", "code", "no", "sub", "and", "handling", "brutto",
    "netto", "summe", "on", "at", "in", "for", "this", "invoice", "order", "items", "item",
    "charged", "billed", "payer", "régler", "zahlen", "emv", "sans", "contact", "bancaire",
}  # fmt: skip


def _is_summary(line: Line) -> bool:
    """True for a totals line (subtotal, tax, total, payment): where item rows end."""
    text = line.cells[0].text if line.cells else ""
    for f in reversed(V.find_amounts(text)):
        text = text[: f.start] + " " + text[f.end :]
    text = re.sub(r"\d+(?:[.,]\d+)?\s?%|[^\w\s]", " ", text)
    words = text.lower().split()
    if not words:
        return False
    m = _STOP_WORDS.match(" ".join(words))
    if not m:
        return False
    rest = " ".join(words)[m.end() :].split()
    return all(w in _QUALIFIERS or w.isdigit() or len(w) <= 2 for w in rest)


_NOT_ITEM = re.compile(
    r"\b(?:sub[\s-]?total|total|tax|vat|gst|hst|mwst|change|cash|tender|card|visa|mastercard|"
    r"amex|debit|credit|balance|amount due|tel|phone|fax|invoice|receipt|date|time|auth|"
    r"approval|terminal|store|cashier|trans|order|table|guest|server|page|iban|account)\b",
    re.IGNORECASE,
)
CENT = Decimal("0.01")


def _q(value: Decimal | None) -> Decimal | None:
    """Round to cents."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


# Qualifiers that may follow a column name: "Prix unitaire HT", "Amount (EUR)", "Price €".
_QUALIFIER = re.compile(
    r"(?:\s+(?:ht|ttc|net|netto|brutto|gross|excl\.?|incl\.?|vat|tax|gst|eur|usd|gbp|chf|"
    r"(?-i:[A-Z]{3})|in\s+\w{3}|[€$£]|\(.*\)))+$",
    re.IGNORECASE,
)


def _role(text: str) -> str | None:
    """Column role named by a header cell."""
    for candidate in (text, _QUALIFIER.sub("", text)):
        for name, rx in _COLUMNS.items():
            if candidate and rx.match(candidate):
                return name
    return None


def _split_header_cell(cell: Cell) -> list[tuple[str, Cell]] | None:
    """Two header words printed so close they form one cell ('Qty Description')."""
    words = cell.text.split()
    n = max(len(cell.text), 1)
    for cut in range(1, len(words)):
        left, right = " ".join(words[:cut]), " ".join(words[cut:])
        lr, rr = _role(left), _role(right)
        if lr and rr:
            mid = cell.x0 + (cell.x1 - cell.x0) * (len(left) + 1) / n
            return [(lr, Cell(cell.x0, mid, left)), (rr, Cell(mid, cell.x1, right))]
    return None


def header_columns(line: Line) -> list[tuple[str, Cell]] | None:
    """Column roles of a table header line, or None when the line is not a header."""
    roles: list[tuple[str, Cell]] = []
    for cell in line.cells:
        text = re.sub(r"\s+", " ", cell.text.strip(" :"))
        role = _role(text)
        if role is None:
            split = _split_header_cell(Cell(cell.x0, cell.x1, text))
            if split:
                roles.extend(split)
                continue
            if _IGNORED_COLUMNS.match(text):
                role = "ignore"
            elif len(text.split()) > 3:
                return None
            else:
                role = "unknown"
        roles.append((role, cell))
    for role in ("quantity", "unit_price"):
        same = [i for i, (r, _) in enumerate(roles) if r == role]
        if len(same) > 1:
            # "Qty | Unit | Rate": a bare 'Unit' beside a quantity or price column is the unit
            # of measure ("Nos", "hrs"), not a number column.
            for i in same:
                if roles[i][1].text.strip(" :").lower() in ("unit", "units", "einheit"):
                    roles[i] = ("ignore", roles[i][1])
    kinds = {r for r, _ in roles}
    numeric = kinds & {"quantity", "unit_price", "amount"}
    if "description" in kinds and numeric:
        return roles
    if len(numeric) >= 2 and sum(r == "unknown" for r, _ in roles) <= 1:
        return roles
    return None


def _nearest_column(cell: Cell, columns: list[tuple[str, Cell]]) -> str:
    """The header column a cell belongs to: most overlap, else nearest centre."""
    best, best_overlap = None, 0.0
    for role, col in columns:
        overlap = min(cell.x1, col.x1) - max(cell.x0, col.x0)
        if overlap > best_overlap:
            best, best_overlap = role, overlap
    if best is not None:
        return best
    cx = (cell.x0 + cell.x1) / 2
    nearest = min(columns, key=lambda rc: abs((rc[1].x0 + rc[1].x1) / 2 - cx))[0]
    if nearest in ("ignore", "unknown") and re.search(r"[^\W\d_]{4,}", cell.text):
        # A short description under a centred caption ("Mautzuschlag" below "Bezeichnung") is
        # nearer to the position column on its left: words go to the description column when
        # it is the next one to their right.
        right = [(col.x0, role) for role, col in columns if col.x0 >= cell.x1]
        if right and min(right)[1] == "description":
            return "description"
    return nearest


def _num(text: str) -> Decimal | None:
    """Amount or plain number in a cell."""
    found = V.find_amounts(text)
    if found:
        return found[-1].value.value
    return V.find_quantity(text)


def _close(a: Decimal, b: Decimal) -> bool:
    """Equal to the cent, or within half a percent on large figures."""
    return abs(a - b) <= max(Decimal("0.01"), abs(b) * Decimal("0.005"))


def _trailing_quantity(
    desc: str, price: Decimal | None, amount: Decimal | None
) -> tuple[Decimal | None, str]:
    """A count at the end of a description ("Latte x2", "Consulting hours 12") when the row's
    price and amount agree with it; otherwise no count and the description unchanged."""
    m = re.search(
        r"\s(?:[xX×]\s?)?(\d{1,4}(?:[.,]\d{1,2})?)(?:\s?(?:[xX×]|pcs?|ea|hrs?|h))?$", desc
    )
    if m is None or not re.search(r"[^\W\d_]{2}", desc[: m.start()]):
        return None, desc
    n = V.parse_number(m.group(1))
    if n is None or n <= 0:
        return None, desc
    explicit = bool(re.search(r"[xX×]", m.group(0)))
    if price is not None and amount is not None:
        if n == 1 and _close(price, amount) or n != 1 and _close(n * price, amount):
            return n, desc[: m.start()].rstrip()
        return None, desc
    if explicit and amount is not None:
        return n, desc[: m.start()].rstrip()
    return None, desc


def _finish(item: dict[str, Any]) -> dict[str, Any] | None:
    """Fill what follows from the other numbers and round; None when not an item."""
    desc = (item.get("description") or "").strip(" -:|")
    qty, price, amount = item.get("quantity"), item.get("unit_price"), item.get("amount")
    if not desc or not re.search(r"[^\W\d_]{2}", desc):
        return None
    if qty is None:
        # "Consulting hours 12  150.00  1,800.00": a count glued to the description.
        qty, desc = _trailing_quantity(desc, price, amount)
    if amount is None and qty is not None and price is not None:
        amount = qty * price
    if price is None and qty not in (None, 0) and amount is not None:
        price = amount / qty
    if amount is None and price is not None and qty is None:
        amount = price
    if amount is None:
        return None
    if qty is None and price is None:
        # A line that prints only its amount is one unit at that price.
        qty, price = Decimal(1), amount
    if qty is not None and price is not None and amount is not None:
        if abs(qty * price - amount) > Decimal("0.05") and abs(price * qty - amount) > abs(
            amount
        ) * Decimal("0.02"):
            # Columns read in another order (price and amount swapped, or qty misread).
            if price != 0 and abs(amount * qty - price) <= Decimal("0.05"):
                price, amount = amount, price
    return {
        "description": re.sub(r"\s{2,}", " ", desc),
        "quantity": float(qty) if qty is not None else None,
        "unit_price": _q(price),
        "amount": _q(amount),
    }


_CARRY = re.compile(
    r"\b(?:übertrag|uebertrag|vortrag|carried forward|brought forward|carry forward|c/f|b/f|"
    r"report|à reporter|reporté)\b",
    re.IGNORECASE,
)


def _carried_over(lines: list[Line], at: int, page: int) -> int | None:
    """Index of the carry-forward line at the top of the page after ``page``, if the table
    goes on there (its next rows follow that line); None when it does not."""
    for j in range(at, len(lines)):
        if lines[j].page == page:
            continue
        if lines[j].page != page + 1:
            return None
        first = next(k for k in range(j, len(lines)) if lines[k].page == page + 1)
        for k in range(first, min(first + 8, len(lines))):
            if lines[k].page != page + 1:
                return None
            if _CARRY.search(lines[k].text) and V.find_amounts(lines[k].text):
                return k
        return None
    return None


def _table_items(lines: list[Line], start: int, columns: list[tuple[str, Cell]]) -> list[dict]:
    """Rows under a header line until the totals."""
    items: list[dict[str, Any]] = []
    header = lines[start]
    desc_cols = [c for r, c in columns if r == "description"]
    desc_x = desc_cols[0].x0 if desc_cols else header.cells[0].x0
    gap_limit = 6 * max(header.height, 1e-6)
    order = [r for r, _ in columns]
    has_qty = "quantity" in order
    has_date = any(re.search(r"date|datum", c.text, re.I) for _, c in columns)
    qty_first = (
        has_qty and "description" in order and order.index("quantity") < order.index("description")
    )
    prev_y = header.y
    page = header.page
    pending: list[tuple[float, float, str]] = []  # description lines not given to a row yet
    last_y = None  # where the last row's numbers are printed
    i = start
    while i + 1 < len(lines):
        i += 1
        line = lines[i]
        ends = _is_summary(line) or bool(_CARRY.search(line.text))
        if line.page != page or line.y - prev_y > gap_limit or ends:
            # A table that goes on over the page: "Übertrag" / "Carried forward" at the top of
            # the next page, and the rows after it.
            after = _carried_over(lines, i, page)
            if after is None:
                break
            i, page, prev_y = after, lines[after].page, lines[after].y
            continue
        prev_y = line.y
        if header_columns(line):
            break
        row: dict[str, Any] = {
            "description": "",
            "quantity": None,
            "unit_price": None,
            "amount": None,
        }
        texts: list[str] = []
        for cell in line.cells:
            role = _nearest_column(cell, columns)
            if role in ("quantity", "unit_price", "amount"):
                value = _num(cell.text)
                if value is None:
                    texts.append(cell.text)
                    continue
                if row[role] is None:
                    row[role] = value
                else:
                    row["amount"] = value
            elif role == "description" or role == "unknown":
                texts.append(cell.text)
        numbers = [row[k] for k in ("quantity", "unit_price", "amount") if row[k] is not None]
        if not numbers:
            # A description line without numbers: the wrapped part of a row's description,
            # below its numbers or (cells centred vertically) above them.
            if texts and abs(line.x0 - desc_x) < 4 * max(line.height, 1):
                pending.append((line.y, line.height, " ".join(texts)))
                continue
            if items:
                break
            continue
        above = _take_pending(items, pending, line.y, last_y)
        desc = " ".join(t.strip() for t in [*above, *texts])
        if has_date:
            # A date column printed close to the description joins its cell.
            leading = V.find_dates(desc)
            if leading and leading[0].start == 0:
                desc = desc[leading[0].end :].strip()
        if row["quantity"] is None and has_qty:
            # A right-aligned quantity printed against the description joins its cell.
            m = re.match(r"^(\d{1,5}(?:[.,]\d{1,3})?)\s+(?=\S)", desc) if qty_first else None
            m = m or (None if qty_first else re.search(r"\s(\d{1,5}(?:[.,]\d{1,3})?)$", desc))
            if m:
                row["quantity"] = V.parse_number(m.group(1))
                desc = (desc[: m.start()] + desc[m.end() :]).strip()
        row["description"] = desc
        items.append(row)
        last_y = line.y
    _take_pending(items, pending, None, last_y)
    out = []
    for row in items:
        done = _finish(row)
        if done is not None:
            out.append(done)
    return out


def _take_pending(
    items: list[dict], pending: list[tuple[float, float, str]], row_y, last_y
) -> list[str]:
    """Give the description lines seen since the last row (printed at `last_y`) to that row,
    and return those just above the row at `row_y` and nearer to it (a cell centred vertically:
    its first line is printed above the row's numbers); `row_y` None: the table ended. Empties
    `pending`."""
    mine = []
    for y, height, text in pending:
        after_last = y - last_y if items else float("inf")
        if row_y is not None and row_y - y < min(after_last, 2 * max(height, 1.0)):
            mine.append(text)
        elif items:
            items[-1]["description"] += " " + text
    pending.clear()
    return mine


_QTY_X = re.compile(
    r"(?<![\d.,])(\d{1,4}(?:[.,]\d{1,3})?)\s?(?:x|X|×|\*|@|pcs?|ea)\s?", re.IGNORECASE
)


def _receipt_item(text: str) -> dict[str, Any] | None:
    """An item line of a receipt: description, optional 'qty x price', amount at the end."""
    amounts = V.find_amounts(text)
    if not amounts:
        return None
    last = amounts[-1]
    if not last.value.has_decimals or text[last.end :].strip(" *ABCDEFTN€$£") != "":
        return None
    head = text[: last.start]
    qty = price = None
    m = _QTY_X.search(head)
    if m:
        qty = V.parse_number(m.group(1))
        after = head[m.end() :]
        pa = V.find_amounts(after)
        if pa:
            price = pa[0].value.value
        head = head[: m.start()] + " " + re.sub(r"^\s*[\d.,]+", "", after)
        if price is None or pa and pa[0].start > 0:
            # "2 x Latte 4.50   9.00": the unit price follows the description.
            tail = V.find_amounts(head)
            if tail and head[tail[-1].end :].strip() == "" and tail[-1].value.has_decimals:
                price = tail[-1].value.value
                head = head[: tail[-1].start]
    else:
        mm = re.match(r"^\s*(\d{1,3})\s+(?=[^\W\d_])", head)
        if mm:
            qty = Decimal(mm.group(1))
            head = head[mm.end() :]
        middle = [a for a in amounts[:-1] if a.value.has_decimals]
        if middle:
            price = middle[-1].value.value
            head = head[: middle[-1].start]
    desc = re.sub(r"[\s.·_]+$", "", head).strip(" -:*#")
    desc = re.sub(r"\s{2,}", " ", desc)
    if not re.search(r"[^\W\d_]{2}", desc) or _NOT_ITEM.search(desc):
        return None
    return {"description": desc, "quantity": qty, "unit_price": price, "amount": last.value.value}


def _receipt_items(lines: list[Line]) -> list[dict]:
    """Item rows of a receipt-like document with no table header."""
    items: list[dict[str, Any]] = []
    pending_desc: str | None = None
    started = False
    for line in lines:
        text = line.text.strip()
        if _is_summary(line):
            if items:
                break
            pending_desc = None
            continue
        item = _receipt_item(text)
        if item is None:
            # "2 x 3.50   7.00" under a description line.
            if (
                pending_desc is None
                and re.search(r"[^\W\d_]{3}", text)
                and not V.find_amounts(text)
            ):
                pending_desc = text
                continue
            m = re.match(r"^\s*(\d+(?:[.,]\d+)?)\s?[xX×@*]\s?", text)
            amounts = V.find_amounts(text)
            if m and pending_desc and amounts and not _NOT_ITEM.search(pending_desc):
                qty = V.parse_number(m.group(1))
                after = [a for a in amounts[:-1] if a.start >= m.end() - 1]
                price = after[0].value.value if after else None
                items.append(
                    {
                        "description": pending_desc,
                        "quantity": qty,
                        "unit_price": price,
                        "amount": amounts[-1].value.value,
                    }  # fmt: skip
                )
                started = True
            pending_desc = text if re.search(r"[^\W\d_]{3}", text) and not amounts else None
            continue
        started = True
        items.append(item)
        pending_desc = None
    if not started:
        return []
    out = []
    for row in items:
        done = _finish(row)
        if done is not None:
            out.append(done)
    return out


def find_line_items(lines: list[Line]) -> list[dict[str, Any]]:
    """Line items of a document: rows of every table with a header, else receipt-style rows."""
    items: list[dict[str, Any]] = []
    i = 0
    while i < len(lines):
        columns = header_columns(lines[i])
        if columns:
            rows = _table_items(lines, i, columns)
            items.extend(rows)
        i += 1
    if items:
        return items
    return _receipt_items(lines)


# ---------------------------------------------------------------- bank statement transactions

_TXN_COLS = {
    "debit": re.compile(
        r"^(?:debits?|withdrawals?|money out|paid out|out|soll|débit|charges?)$", re.I
    ),
    "credit": re.compile(r"^(?:credits?|deposits?|money in|paid in|in|haben|crédit)$", re.I),
    "balance": re.compile(r"^(?:balance|running balance|saldo|solde)$", re.I),
    "amount": re.compile(r"^(?:amount|betrag|montant|value)$", re.I),
}


def find_transactions(lines: list[Line], date_order: str = "dmy") -> list[dict[str, Any]]:
    """Rows of a bank statement: date, description, signed amount and running balance."""
    columns: list[tuple[str, Cell]] = []
    out: list[dict[str, Any]] = []
    for line in lines:
        roles = []
        for cell in line.cells:
            role = next((n for n, rx in _TXN_COLS.items() if rx.match(cell.text.strip())), None)
            roles.append((role or "other", cell))
        if sum(1 for r, _ in roles if r != "other") >= 2:
            columns = roles
            continue
        if not line.cells:
            continue
        dates = V.find_dates(line.cells[0].text, date_order)
        if not dates or dates[0].start > 2:
            continue
        amounts: list[tuple[str, Decimal]] = []
        desc: list[str] = []
        for ci, cell in enumerate(line.cells):
            text = cell.text
            if ci == 0:
                text = text[dates[0].end :]
            found = V.find_amounts(text)
            if found and found[-1].value.has_decimals:
                role = "amount"
                if columns:
                    role = min(
                        columns,
                        key=lambda rc: abs((rc[1].x0 + rc[1].x1) / 2 - (cell.x0 + cell.x1) / 2),
                    )[0]
                amounts.append((role, found[-1].value.value))
                rest = text[: found[-1].start].strip()
                if rest and re.search(r"[^\W\d_]{2}", rest):
                    desc.append(rest)
            elif text.strip():
                desc.append(text.strip())
        if not amounts:
            continue
        amount = balance = None
        for role, value in amounts:
            if role == "debit":
                amount = -abs(value)
            elif role == "credit":
                amount = abs(value)
            elif role == "balance":
                balance = value
            elif amount is None:
                amount = value
            else:
                balance = value
        out.append(
            {
                "date": dates[0].value.isoformat(),
                "description": " ".join(desc).strip(),
                "amount": _q(amount),
                "balance": _q(balance),
            }
        )
    return out
