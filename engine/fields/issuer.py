"""Cues that name the seller: legal forms, tax-id lines, sender lines and receipt footers."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .. import values as V
from ..layout import Line

# Legal forms that make a line a company name even when an address follows it.
LEGAL_FORM = re.compile(
    r"(?-i:(?<=[a-z])(?:GmbH|AG|KG|Ltd|LTD|LLC|Inc|PLC|SA|BV)\b\.?)|"
    r"\b(?:ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|gmbh|ag|kg|"
    r"ohg|ug|e\.?\s?k|plc|pty|pte|llp|lp|sdn\.?\s?bhd|bhd|pvt|private limited|sarl|s\.?a\.?s|"
    r"s\.?a|b\.?v|n\.?v|s\.?r\.?l|s\.?p\.?a|oy|ab|aps|kft|co(?=\.))\b\.?",
    re.IGNORECASE,
)
# Labels of the seller's registration or tax number.
TAX_ID_LABEL = re.compile(
    r"\b(?:ust[-\s.]?id[-\s.]?(?:nr)?|ust[-\s.]?identnr|steuer[-\s]?nr|steuernummer|"
    r"vat\s?(?:reg(?:istration)?\.?\s?)?(?:no|number|id|#)|vat\s?reg|gstin|"
    r"gst\s?(?:reg(?:istration)?\.?\s?)?(?:no|number|#|id)|gst\s?reg|abn|"
    r"trn(?=\s*(?:no\.?|number)?\s*:?\s*\d{15})|sst\s?(?:reg|id|no)|uid|"
    r"company\s?(?:reg(?:istration)?\.?\s?)?(?:no|number)|co\.?\s?reg|registered\s(?:in|office)|"
    r"hrb|hra|amtsgericht|registergericht|handelsregister|kvk|rcs|siret|siren|tva|nif|cif|"
    r"p\.?iva|btw)\b",
    re.IGNORECASE,
)
# A tax id that belongs to the customer ("Your VAT ID", "Customer GSTIN").
CUSTOMER_TAX_ID = re.compile(
    r"\b(?:your|customer|client|buyer|recipient|kunden|ihre|bill to|billed to)\b", re.IGNORECASE
)
STREET_WORD = re.compile(
    r"\b(?:street|st\.|road|rd\.?|avenue|ave\.?|lane|ln\.|drive|dr\.|blvd|boulevard|highway|"
    r"suite|ste\.|floor|building|plot|sector|layout|nagar|marg|jalan|jln|lorong|taman|po box|"
    r"p\.o\. box|straße|strasse|str\.|weg|platz|gasse|allee|ring|damm|ufer|rue|calle|via)\b|"
    r"\w(?:straße|strasse|str\.)",
    re.IGNORECASE,
)
PAGE_LABEL = re.compile(r"\b(?:page|seite|blatt|pagina|página|sida)\s*\d+", re.IGNORECASE)
# "Name · street · city", "Name | ...", "Name - Street 40-42 - D-12345 City" (a hyphen only
# before a part with a number in it: "Smith - Jones Design" is one name).
_SEPARATORS = re.compile(r"\s*[·•]\s*|\s[|–]\s|\s-\s(?=[^-\n]*\d)|\s{3,}")
# A document word printed after the seller's name in a title: "Amazon Web Services Invoice".
_TITLE_AFTER_NAME = re.compile(
    r"(?<=[^\W\d_])\s+(?:tax\s+)?(?:invoice|receipt|rechnung|facture|factura|fattura|factuur)$",
    re.IGNORECASE,
)
# What a title says of its kind before that word: "Simplified Tax Invoice", "Commercial Invoice".
_TITLE_KIND = re.compile(
    r"\W*(?:(?:simplified|full|official|cash|sales|retail|commercial|pro ?forma|final|"
    r"interim|proforma|gst|vat|tax|e|your|the|original|copy)\W*)+",
    re.IGNORECASE,
)
_STORE_NUMBER = re.compile(r"\s*(?:#|no\.?\s*|store\s*#?\s*|outlet\s*)\d{1,6}$", re.IGNORECASE)
# A company registration number printed after the name: "(81109-A)", "(Co. Reg. 123456-X)".
_REG_NUMBER = re.compile(
    r"\s*\((?:co\.?\s*)?(?:reg(?:n|istration)?\.?\s*)?(?:no\.?\s*)?:?\s*[\dA-Z][\dA-Z.-]*\d[\dA-Z.-]*\)?$",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"(?:\bthank(?:s| you)(?: very much)?,?\s+for\s+(?:shopping|visiting|dining|choosing|eating|"
    r"staying|your (?:purchase|order|visit|business))\s+(?:at|with|in)|"
    r"\bdank(?:e)?\s+für\s+ihren\s+(?:einkauf|besuch)\s+(?:bei|im|in der)|"
    r"\bmerci\s+(?:de votre visite|pour votre (?:achat|visite))\s+(?:chez|à)|"
    r"\bgracias por su (?:compra|visita) en|\bbedankt voor uw (?:aankoop|bezoek) bij)\s+"
    r"([A-Z0-9][\w&'’.\- ]{1,40}?)[ \t]*(?:[!.,]|$|\s-|\s{2})",
    re.IGNORECASE | re.MULTILINE,
)
_FREE_MAIL = {
    "gmail", "yahoo", "hotmail", "outlook", "live", "icloud", "aol", "gmx", "web", "mail",
    "proton", "protonmail", "yandex", "qq", "163", "rediffmail", "example",
}  # fmt: skip
# Trade words a run-together web name ends with ("cornercafe" -> "Corner Cafe").
_TRADE_WORDS = (
    "cafe", "coffee", "bakery", "deli", "kitchen", "grill", "bar", "bistro", "restaurant",
    "pizza", "burger", "sushi", "market", "mart", "store", "shop", "books", "pharmacy", "foods",
    "tea", "bread", "wines", "florist", "garden", "hardware", "supplies", "express", "house",
)  # fmt: skip


def name_part(text: str) -> str:
    """The name at the start of a sender or letterhead line, without the address after it.

    "ACME GmbH · Hauptstr. 1 · 10115 Berlin" -> "ACME GmbH"; "Foo Ltd, 14 Camden Road" ->
    "Foo Ltd"; "TRADER BEN'S #552" -> "TRADER BEN'S"; "Acme Cloud Invoice" -> "Acme Cloud". A
    legal form after a comma stays ("Acme Analytics, Inc.").
    """
    t = _SEPARATORS.split(text.strip())[0].strip(" ,;")
    t = re.sub(
        r"^\W*(?:welcome\s+to|willkommen\s+(?:bei|im)|bienvenue\s+chez)\s+", "", t, flags=re.I
    )
    parts = [p.strip() for p in t.split(",")]
    if len(parts) > 1:
        keep = [parts[0]]
        for p in parts[1:]:
            if LEGAL_FORM.fullmatch(p) or (LEGAL_FORM.match(p) and not re.search(r"\d", p)):
                keep.append(p)
            else:
                break
        t = ", ".join(keep)
    t = _REG_NUMBER.sub("", t)
    untitled = _TITLE_AFTER_NAME.sub("", t)
    if len(re.findall(r"[^\W\d_]", untitled)) >= 3 and not _TITLE_KIND.fullmatch(untitled):
        t = untitled
    return _STORE_NUMBER.sub("", t).strip(" ,;!*~=")


def address_like(text: str) -> bool:
    """True for an address line: a street word with a number, a postcode, a house number first."""
    t = text.strip()
    if LEGAL_FORM.search(t) and not re.search(r"\d", t):
        return False
    digits = bool(re.search(r"\d", t))
    if STREET_WORD.search(t) and digits:
        return True
    if re.match(r"^(?:shop|unit|flat|no\.?|lot|plot|block|blk)\s*(?:no\.?\s*)?\d", t, re.I):
        return True
    if re.match(r"^\d{1,5}[A-Za-z]?,?\s+[^\W\d_]", t) and (STREET_WORD.search(t) or "," in t):
        return True
    postcode = re.search(
        r"\b[A-Z]{2},? \d{5}(?:-\d{4})?\b|(?:^|,\s*)\d{4,6}\s+[A-ZÄÖÜ][a-zäöüé]+|"
        r"\b[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}\b|\b\d{6}\b|\b\d{5}\s+[A-Z]{3,}",
        t,
    )
    return bool(postcode) and not LEGAL_FORM.search(t)


def tax_id_near(lines: list[Line], at: int, x0: float, x1: float, span: int = 4) -> bool:
    """True when a seller tax-id line sits on this line or a few lines below, in its column."""
    for line in lines[at : at + span + 1]:
        for c in line.cells:
            if min(x1, c.x1) - max(x0, c.x0) <= 0 and line is not lines[at]:
                continue
            if TAX_ID_LABEL.search(c.text) and not CUSTOMER_TAX_ID.search(c.text):
                return True
    return False


def tax_id_issuer(lines: list[Line], skip: set[tuple[int, int]]) -> tuple[str, Line] | None:
    """A company named on a seller tax-id line or just above it (letter footers, imprints)."""
    for i, line in enumerate(lines):
        if not TAX_ID_LABEL.search(line.text) or CUSTOMER_TAX_ID.search(line.text):
            continue
        for j in (i, i - 1, i - 2):
            if j < 0:
                continue
            for ci, cell in enumerate(lines[j].cells):
                if (id(lines[j]), ci) in skip:
                    continue
                for piece in _SEPARATORS.split(cell.text):
                    name = name_part(piece)
                    if (
                        LEGAL_FORM.search(name)
                        and not V.find_amounts(piece)
                        and not TAX_ID_LABEL.search(name)
                        and len(name) <= 60
                        and not address_like(name)
                        and not re.search(r":", name)
                    ):
                        return name, lines[j]
        if _CAPITAL_STATED.search(line.text):
            # "NETPRESSE" over "Sarl au capital de 10 000€ - … Siret …": an imprint that states
            # the legal form with the share capital names the company on the line above.
            for j in (i - 1, i - 2):
                cells = lines[j].cells if j >= 0 else []
                if len(cells) == 1 and (id(lines[j]), 0) not in skip:
                    name = cells[0].text.strip()
                    if _BARE_NAME.fullmatch(name) and not TAX_ID_LABEL.search(name):
                        return name, lines[j]
    return None


# A legal form with the share capital, as imprints state it: "Sarl au capital de 10 000 €",
# "SAS au capital social de", "GmbH mit einem Stammkapital von".
_CAPITAL_STATED = re.compile(
    r"\b(?:sarl|sasu|sas|sa|eurl|sci|snc|gmbh|ug|ag)\b\.?\s+(?:au\s+capital|"
    r"(?:mit\s+(?:einem\s+)?)?stammkapital|with\s+(?:a\s+)?(?:share\s+)?capital)",
    re.IGNORECASE,
)
# A company's name alone on its line: one to four words, no digits, no punctuation of an address.
_BARE_NAME = re.compile(r"[^\W\d_][\w&'’.-]*(?:\s[^\W\d_][\w&'’.-]*){0,3}")


def _split_web_name(label: str) -> str:
    """A shop name from a run-together web name: 'cornercafe' -> 'Corner Cafe'."""
    label = label.replace("-", " ").replace("_", " ")
    if " " not in label:
        for word in _TRADE_WORDS:
            if label.lower().endswith(word) and len(label) > len(word) + 2:
                label = label[: -len(word)] + " " + word
                break
    return " ".join(w.capitalize() for w in label.split())


_FROM_TITLE = re.compile(
    r"^\W*(?:your\s+)?(?:receipt|invoice|bill|order|rechnung|quittung|facture|reçu)\s+"
    r"(?:from|von|de)\s+(?P<name>[^\W\d_].{1,60}?)[\s:!]*$",
    re.IGNORECASE,
)


def titled_issuer(lines: list[Line]) -> tuple[str, Line] | None:
    """The seller a title names: "Receipt from Acme, Inc.", "Rechnung von Muster GmbH"."""
    for line in lines:
        m = _FROM_TITLE.match(line.text.strip())
        if m:
            name = name_part(m.group("name"))
            if len(re.findall(r"[^\W\d_]", name)) >= 3:
                return name, line
    return None


def _printed_name(label: str, lines: list[Line]) -> str | None:
    """The words of the document that spell a web or mail name ('acmeanalytics' -> 'Acme
    Analytics, Inc.' when the document prints it), with a legal form that follows them."""
    for line in lines:
        words = re.findall(r"[^\W_][\w&'’.-]*", line.text)
        for i in range(len(words)):
            joined = ""
            for j in range(i, min(i + 5, len(words))):
                joined += re.sub(r"[^a-z0-9]", "", words[j].lower())
                if joined == label and j > i:
                    m = re.search(
                        re.escape(words[i]) + r".*?" + re.escape(words[j]) + r"(?:,?\s+\S+)?",
                        line.text,
                    )
                    if m is None:
                        break
                    text = m.group(0)
                    tail = text[text.rfind(words[j]) + len(words[j]) :]
                    if not LEGAL_FORM.fullmatch(tail.strip(" ,")):
                        text = text[: len(text) - len(tail)]
                    return text.strip(" ,")
                if not label.startswith(joined):
                    break
    return None


def merchant_cue(lines: list[Line]) -> tuple[str, Line] | None:
    """A receipt's shop name from 'thank you for shopping at X', its web address or e-mail."""
    # A thank-you line may wrap before the shop's name: search the lines as one text.
    text = "\n".join(line.text for line in lines)
    for m in _THANKS.finditer(text):
        name = m.group(1).strip(" .,'’-")
        if len(re.findall(r"[^\W\d_]", name)) >= 3:
            return name, lines[text.count("\n", 0, m.start(1))]
    for line in lines:
        for m in re.finditer(
            r"\b(?:https?://)?(?:www\.)([a-z0-9-]{3,40})\.[a-z.]{2,10}\b|"
            r"\b[\w.+-]+@([a-z0-9-]{3,40})\.[a-z.]{2,10}\b",
            line.text,
            re.IGNORECASE,
        ):
            label = (m.group(1) or m.group(2) or "").lower()
            if label and label not in _FREE_MAIL:
                printed = _printed_name(re.sub(r"[^a-z0-9]", "", label), lines)
                return printed or _split_web_name(label), line
    return None


def same_name(a: str, b: str) -> bool:
    """True when two readings name the same company (letters alike, a misread letter or two)."""
    x, y = (re.sub(r"[^a-z0-9]", "", t.lower()) for t in (a, b))
    return bool(x and y) and SequenceMatcher(None, x, y).ratio() >= 0.85


def is_page_label(text: str) -> bool:
    """True for 'Page 1 of 2', 'Seite 1 von 1' and the like."""
    return bool(PAGE_LABEL.search(text))


def has_tax_id(text: str) -> bool:
    """True when text carries a seller tax-id label or a VAT number."""
    return bool(TAX_ID_LABEL.search(text) or V.find_vat_ids(text))
