"""Document type by weighted keywords and layout cues."""

from __future__ import annotations

import re

from .layout import Page

# (pattern, weight): a pattern counts at most twice; matches in the first lines count double.
KEYWORDS: dict[str, list[tuple[str, float]]] = {
    "invoice": [
        (r"\binvoice\b", 4),
        (r"\btax invoice\b", 1),
        (r"\binvoice (?:no|number|#|date|total)\b", 3),
        (r"\bbill(?:ed)? to\b", 2.5),
        (r"\bdue date\b|\bpayment due\b|\bdue by\b", 2.5),
        (r"\bamount due\b|\bbalance due\b|\btotal due\b", 2),
        (r"\bpayment terms\b|\bnet \d{1,2}\b|\bterms\b", 1),
        (r"\bremit(?:tance)?\b|\bplease pay\b|\bpay(?:ment)? (?:by|to|within)\b", 1.5),
        (r"\biban\b|\bswift\b|\bbic\b|\bsort code\b|\brouting\b", 0.8),
        (r"\bvat (?:no|number|reg)\b|\btax id\b|\bvat id\b", 1),
        (r"\bsubtotal\b|\bsub-total\b", 1),
        (r"\bunit price\b|\bqty\b|\bquantity\b|\brate\b", 1),
        (r"\brechnung\b|\bfacture\b|\bfactura\b|\bfattura\b|\bfactuur\b", 4),
        (r"\bcredit note\b|\bproforma\b|\bpro forma\b", 2),
        (r"\bbill(?:ing)? (?:date|period)\b|\bcurrent charges\b|\bstatement date\b", 1.5),
        (r"\byour bill\b|\bbill (?:number|no)\b|\bnew charges\b|\bservice charges?\b", 2),
        (r"\bmeter\b|\bkwh\b|\btariff\b|\busage\b|\bconsumption\b", 1),
        (r"\bgross total\b|\btotal (?:incl|excl)\b|\bnet amount\b|\bamount payable\b", 1),
    ],
    "receipt": [
        (r"\breceipt\b", 4),
        (r"\bcash\b|\bchange\b|\btendered\b", 2),
        (r"\bvisa\b|\bmastercard\b|\bamex\b|\bdebit card\b|\bcredit card\b|\bcontactless\b", 1.5),
        (r"\*{3,}\s?\d{4}|x{3,}\d{4}|\bcard no\b", 1.5),
        (r"\bthank you\b|\bthanks\b|\bcome again\b|\bwelcome\b|\bhave a nice day\b", 2),
        (r"\bcashier\b|\bclerk\b|\bserver\b|\bregister\b|\bterminal\b|\bstore\b|\btill\b", 1.5),
        (
            r"\bauth(?:orization)? code\b|\bapproval\b|\bapproved\b|\btrans(?:action)? (?:id|#|no)\b",
            1.5,
        ),
        (r"\btip\b|\bgratuity\b|\btable\b|\bguests?\b", 1),
        (r"\bitems? sold\b|\bno\.? of items\b|\bitem count\b", 2),
        (r"\b\d{1,2}:\d{2}(?::\d{2})?\s?(?:am|pm)?\b", 1),
        (r"\bkassenbon\b|\bbeleg\b|\bquittung\b|\bticket\b|\bbon\b|\brecibo\b|\bscontrino\b", 2),
        (r"\bsubtotal\b", 0.5),
        (r"\brounding\b|\bround(?:ing)? adj|\bcash bill\b|\bcash sale\b|\bchange due\b", 1.5),
        (r"\beftpos\b|\bcontactless\b|\bsans contact\b|\bec-karte\b|\bgirocard\b|\bcb\b", 1.5),
        (r"\bpump\b|\blitres?\b|\bunleaded\b|\bdiesel\b|\bfuel\b|\bpetrol\b|\d\s?/\s?l\b", 1.5),
        (r"\besp[eè]ces\b|\brendu\b|\bcaisse\b|\bmerci\b|\bà payer\b|\ba payer\b", 2),
        (r"\brückgeld\b|\bgeg(?:eben)?\.? (?:bar|ec)|\bkasse\b|\bsumme\b|\btse\b|\beinkauf\b", 1.5),
        (r"\bdocket\b|\border #|\bcheck #|\bchk\b|\bservers?\b|\bdine in\b|\btake ?away\b", 1),
        (r"\bsavings\b|\byou saved\b|\bpoints\b|\brewards?\b|\bloyalty\b|\bmember\b", 1),
    ],
    "bank_statement": [
        (r"\bstatement\b", 3),
        (r"\bbank statement\b|\baccount statement\b|\bstatement of account\b", 3),
        (r"\bopening balance\b|\bclosing balance\b|\bprevious balance\b|\bnew balance\b", 3),
        (
            r"\bbalance brought forward\b|\bbalance carried forward\b|\bending balance\b|\bbeginning balance\b",
            3,
        ),
        (r"\bwithdrawals?\b|\bdeposits?\b|\bdebits?\b|\bcredits?\b", 1.5),
        (r"\baccount (?:number|no|holder|name)\b|\bsort code\b", 1.5),
        (r"\bstatement (?:period|date)\b|\bperiod\b", 1.5),
        (r"\btransactions?\b|\bdirect debit\b|\bstanding order\b|\btransfer\b|\batm\b", 1.5),
        (r"\bavailable balance\b|\boverdraft\b|\binterest\b", 1),
        (r"\bkontoauszug\b|\brelevé\b|\bextracto\b", 4),
    ],
    "contract": [
        (r"\bagreement\b", 3),
        (r"\bcontract\b", 2.5),
        (r"\bhereinafter\b|\bwhereas\b|\bhereby\b|\bhereto\b|\bthereof\b|\bherein\b", 2),
        (r"\bpart(?:y|ies)\b", 2),
        (r"\bshall\b", 1.5),
        (r"\bgoverning law\b|\bgoverned by\b|\bjurisdiction\b", 2),
        (r"\bterminat(?:e|ion)\b|\bterm of\b|\bbreach\b|\bindemnif", 1.5),
        (r"\bin witness whereof\b|\bsignature\b|\bsigned\b|\bsignatory\b", 1.5),
        (r"\bconfidential(?:ity)?\b|\bobligations?\b|\bclause\b|\bsection \d", 1),
        (r"\beffective date\b|\bcommencement\b", 1.5),
        (r"\bvertrag\b|\bcontrat\b|\bcontrato\b", 3),
    ],
    "resume": [
        (r"\bcurriculum vitae\b|\bresume\b|\brésumé\b|\bcv\b", 4),
        (r"\b(?:work|professional) experience\b|\bemployment history\b|\bexperience\b", 2.5),
        (r"\beducation\b|\buniversity\b|\bbachelor\b|\bmaster\b|\bdegree\b|\bcollege\b", 2),
        (r"\bskills\b|\bcompetencies\b|\bproficient\b", 2),
        (r"\blinkedin\b|\bgithub\b|\bportfolio\b", 1.5),
        (r"\blanguages\b|\bcertifications?\b|\breferences\b|\binterests\b|\bhobbies\b", 1),
        (r"\b(?:19|20)\d{2}\s?[-–]\s?(?:(?:19|20)\d{2}|present|current|today)\b", 1.5),
        (r"\bprofile\b|\bobjective\b|\bsummary\b", 1),
        (r"\blebenslauf\b", 4),
    ],
    "id_document": [
        (r"\bpassport\b|\bpasseport\b|\breisepass\b", 4),
        (r"\bidentity card\b|\bid card\b|\bnational id\b|\bidentification card\b", 4),
        (r"\bdriver'?s? licen[cs]e\b|\bdriving licen[cs]e\b|\bpermis de conduire\b", 4),
        (r"\bdate of birth\b|\bbirth date\b|\bdob\b|\bplace of birth\b", 2.5),
        (r"\bnationality\b|\bcitizenship\b", 2.5),
        (r"\bsurname\b|\bgiven names?\b|\bforenames?\b", 2),
        (r"\bdate of expiry\b|\bexpiry date\b|\bexpires\b|\bvalid until\b", 1.5),
        (r"\bsex\b|\bgender\b|\bheight\b|\beye colou?r\b", 1),
        (r"\bissuing (?:authority|country|state)\b|\bauthority\b", 1.5),
        (r"[A-Z0-9]{2,}<<[A-Z0-9<]{5,}", 5),
        (r"\bpersonalausweis\b|\bcarte d'identité\b", 4),
    ],
    "purchase_order": [
        (r"\bpurchase order\b", 6),
        (r"\bp\.?o\.? (?:number|no|#|date)\b|\bpo\s?#", 3),
        (r"\border date\b|\bdelivery date\b|\bship date\b|\bdeliver by\b|\brequired by\b", 2),
        (r"\bship to\b|\bdeliver to\b|\bshipping address\b", 1.5),
        (r"\bvendor\b|\bsupplier\b", 1.5),
        (r"\bbuyer\b|\brequested by\b|\bapproved by\b|\bauthori[sz]ed by\b|\brequisition", 1.5),
        (r"\bshipping method\b|\bship via\b|\bincoterms?\b|\bf\.?o\.?b\b", 1.5),
        (r"\bbestellung\b|\bbon de commande\b|\borden de compra\b", 5),
    ],
}
THRESHOLD = 4.0

# A line that is nothing but the document's name is the strongest cue there is.
TITLES: dict[str, re.Pattern] = {
    "invoice": re.compile(
        r"^(?:tax |vat |commercial |sales |final |proforma |pro forma )?invoice(?: / receipt)?$|"
        r"^(?:rechnung|facture|factura|fattura|factuur|credit note)$",
        re.I,
    ),
    "receipt": re.compile(
        r"^(?:sales |cash |payment |official |customer )?receipt(?: copy)?$|^(?:kassenbon|quittung|"
        r"recibo|reçu|ticket de caisse|scontrino)$",
        re.I,
    ),
    "bank_statement": re.compile(
        r"^(?:bank |account |monthly |current account |checking account |savings account )?"
        r"statement(?: of account)?$|^kontoauszug$|^relevé de compte$",
        re.I,
    ),
    "contract": re.compile(
        r"^.{0,40}\b(?:agreement|contract)$|^(?:vertrag|contrat|contrato)$", re.I
    ),
    "resume": re.compile(r"^(?:curriculum vitae|resume|résumé|cv|lebenslauf)$", re.I),
    "id_document": re.compile(
        r"^(?:passport|identity card|national identity card|driver'?s licen[cs]e|"
        r"driving licen[cs]e|residence permit)\b",
        re.I,
    ),
    "purchase_order": re.compile(r"^(?:purchase order|po|bestellung|bon de commande)$", re.I),
}

_COMPILED = {t: [(re.compile(p, re.IGNORECASE), w) for p, w in kws] for t, kws in KEYWORDS.items()}


def score_types(pages: list[Page], *, is_image: bool = False) -> dict[str, float]:
    """Keyword and layout score of each document type."""
    lines = [line for p in pages[:3] for line in p.lines]
    if not lines:
        return {t: 0.0 for t in KEYWORDS}
    head = "\n".join(line.text for line in lines[:8])
    body = "\n".join(line.text for line in lines)
    scores: dict[str, float] = {}
    for dtype, kws in _COMPILED.items():
        s = 0.0
        for rx, w in kws:
            n = len(rx.findall(body))
            if n:
                s += w * min(n, 2) / (1 if n >= 2 else 1.3)
                if rx.search(head):
                    s += w * 0.5
        scores[dtype] = s
    titled = set()
    for line in lines[:12]:
        for cell in line.cells:
            name = re.sub(r"[^\w\s'/é]", "", cell.text).strip()
            for dtype, rx in TITLES.items():
                if rx.match(name) and dtype not in titled:
                    titled.add(dtype)
                    scores[dtype] += 6
    first = pages[0]
    # Layout: receipts are narrow and tall, photographed or printed on till rolls.
    till_roll = False
    if first.width and first.height and first.height / first.width > 1.5:
        scores["receipt"] += min(5.0, 3 + 2 * (first.height / first.width - 1.5))
        till_roll = True
    elif first.source == "text" and first.width and first.width < TILL_ROLL_MAX_WIDTH:
        # A PDF the width of a till roll (58 or 80 mm), however short.
        scores["receipt"] += 4
        till_roll = True
    elif _narrow_text_column(first) or (first.source == "ocr" and _narrow_text_block(first)):
        # A photo or scan with background around it: the printed column itself is narrow.
        scores["receipt"] += 3
        till_roll = True
    if till_roll and re.search(
        r"\b(?:cash|change|cashier|tendered|thank you|visa|mastercard|card|eftpos|debit|"
        r"bar|rückgeld|esp[eè]ces|rendu|cb|contactless)\b",
        body,
        re.I,
    ):
        # A till slip headed "Tax invoice" (usual in several countries) is still a receipt.
        scores["invoice"] *= 0.4
    if is_image:
        scores["receipt"] += 1.5
    # Tender lines (how the customer paid, and the change) are what a sales slip ends with.
    tenders = sum(1 for line in lines if _TENDER.match(line.text))
    if tenders:
        scores["receipt"] += 2.5 * min(tenders, 2)
        if till_roll:
            scores["invoice"] *= 0.6
    # Contracts and resumes are prose-heavy: long lines of words, few numbers.
    words = re.findall(r"[^\W\d_]{2,}", body)
    numbers = re.findall(r"\d+(?:[.,]\d+)?", body)
    if len(words) > 250 and len(numbers) < len(words) / 12:
        scores["contract"] += 2
    if not _CONTRACT_NAMED.search(body):
        # "shall", sections and prose are a specification's or a manual's as much as a
        # contract's: a contract says what it is or who its parties are.
        scores["contract"] *= 0.5
    # Bank statements repeat date + amount rows.
    dated_rows = sum(
        1
        for line in lines
        if re.match(
            r"^\s*\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?\b|^\s*\d{1,2} [A-Za-z]{3}\b", line.text
        )
        and re.search(r"\d[.,]\d{2}\b", line.text)
    )
    if dated_rows >= 4:
        scores["bank_statement"] += min(dated_rows, 12) * 0.4
    # A purchase order names itself; an invoice that quotes a PO number is still an invoice.
    if re.search(r"\binvoice\b", head, re.I) and not re.search(r"\bpurchase order\b", head, re.I):
        scores["purchase_order"] *= 0.5
    if re.search(r"\bpurchase order\b", head, re.I) and not re.search(r"\binvoice\b", head, re.I):
        scores["invoice"] *= 0.5
    if re.search(r"\breceipt\b", head, re.I) and not re.search(r"\binvoice\b", head, re.I):
        scores["invoice"] *= 0.7
    if re.search(r"\bstatement\b", head, re.I) and scores["bank_statement"] > 6:
        scores["invoice"] *= 0.7
    if re.search(
        r"\b(?:total |minimum )?amount due\b|\bpayment due\b|\bdue date\b|\bpay by\b", body, re.I
    ) and not re.search(
        r"\b(?:opening|closing|ending|beginning|available) balance\b|\bwithdrawals?\b|"
        r"\bdeposits?\b|\bbalance (?:brought|carried) forward\b",
        body,
        re.I,
    ):
        # A bill with an amount to pay and no account movements: a utility or phone invoice.
        scores["bank_statement"] *= 0.5
    return scores


_CONTRACT_NAMED = re.compile(
    r"\b(?:agreements?|contracts?|part(?:y|ies)|hereinafter|whereas|in witness whereof|"
    r"vertrag|vertragsparteien|contrat|contrato|accordo|overeenkomst)\b",
    re.IGNORECASE,
)
_TENDER = re.compile(
    r"^\W*(?:cash(?: tend(?:ered)?)?|change(?: due)?|eftpos|visa(?: debit| credit)?|mastercard|"
    r"amex|debit(?: card)?|credit card|card|tendered|rückgeld|geg(?:eben)?\.? (?:bar|ec-karte)|"
    r"esp[eè]ces|rendu(?: monnaie)?|cb(?: sans contact)?|contactless)\b.*\d[.,]\d{2}\b",
    re.IGNORECASE,
)
# A text-layer page narrower than this (points) is a till roll (80 mm = 227 pt).
TILL_ROLL_MAX_WIDTH = 300
# An OCR'd text block narrower than this many line heights is a till roll's column.
TILL_ROLL_LINE_HEIGHTS = 27


def _narrow_text_block(page: Page) -> bool:
    """True when the read text is only a till roll's width: few line heights across."""
    lines = [line for line in page.lines if line.cells]
    if len(lines) < 6:
        return False
    x0 = min(line.x0 for line in lines)
    x1 = max(cell.x1 for line in lines for cell in line.cells)
    heights = sorted(line.height for line in lines)
    median = heights[len(heights) // 2] or 1.0
    return (x1 - x0) / median < TILL_ROLL_LINE_HEIGHTS


def _narrow_text_column(page: Page) -> bool:
    """True when the text of a page forms one tall narrow column, as on a till roll."""
    lines = page.lines
    if len(lines) < 10:
        return False
    x0 = min(line.x0 for line in lines)
    x1 = max(cell.x1 for line in lines for cell in line.cells)
    height = lines[-1].y + lines[-1].height - lines[0].y
    width = max(x1 - x0, 1e-6)
    return height / width > 1.3 and width < 0.75 * (page.width or width * 2)


def classify_pages(pages: list[Page], *, is_image: bool = False) -> tuple[str, float]:
    """Most likely document type with a confidence; 'other' when nothing stands out."""
    scores = score_types(pages, is_image=is_image)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (top, s1), (_, s2) = ranked[0], ranked[1]
    if s1 < THRESHOLD:
        return "other", round(min(0.9, 0.5 + (THRESHOLD - s1) / (2 * THRESHOLD)), 3)
    margin = (s1 - s2) / (s1 + 1e-9)
    strength = min(1.0, s1 / 15)
    confidence = 0.35 + 0.4 * margin + 0.25 * strength
    if margin < 0.08 and s1 < 8:
        return "other", round(0.4, 3)
    return top, round(min(0.99, confidence), 3)
