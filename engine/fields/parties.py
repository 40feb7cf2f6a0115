"""Parties: the issuer, the customer blocks, addresses, places and agreement parties."""

from __future__ import annotations

import re
from typing import Any

from .. import values as V
from ..layout import Line
from ..lineitems import header_columns
from ..prompts import CONCEPTS_BY_KEY, FieldSpec
from .base import FinderBase
from .index import MIN_SCORE, NOT_FOUND, Candidate, FieldResult, _best, _cell_span, _result
from .issuer import (
    LEGAL_FORM,
    address_like,
    has_tax_id,
    is_page_label,
    merchant_cue,
    name_part,
    same_name,
    tax_id_issuer,
    tax_id_near,
    titled_issuer,
)

COMPANY_SUFFIX = re.compile(
    r"(?-i:[a-z](?:LLC|Ltd|LTD|Inc|GmbH|AG|SA|BV|PLC)\b)|"
    r"(?:\b|(?-i:(?<=[a-z])(?=[A-Z])))(?:ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|co(?=\.)|"
    r"company|gmbh|ag|kg|"
    r"ohg|ug|s\.?a\.?r?\.?l?|s\.?a|s\.?p\.?a|s\.?r\.?l|b\.?v|n\.?v|plc|pty|pte|lp|llp|oy|ab|as|"
    r"aps|sas|sasu|srl|spa|kft|sp\. z o\.o|sdn\.? bhd|bhd|pvt|pte|enterprise|"
    r"group|holdings|bank|trading|services|solutions|"
    r"studio|shop|store|market|supermarket|restaurant|cafe|café|bakery|pharmacy|hotel)\b\.?",
    re.IGNORECASE,
)
_TITLE = (
    r"(?:(?:simplified|full|official|cash|sales|retail|commercial|gst|vat|e-?)\s+)*"
    r"(?:tax\s+)?(?:invoice|receipt|sales receipt|bill|statement(?: of account)?|"
    r"bank statement|account statement|purchase order|order|quote|quotation|estimate|"
    r"credit note|pro ?forma(?: invoice)?|rechnung|facture|factura|fattura|factuur|"
    r"quittung|beleg|kassenbon|original|copy|duplicate|reprint|(?:customer|merchant|"
    r"cardholder|store|shop|office|client) copy|page \d+(?: of \d+)?)"
)
TITLE_WORDS = re.compile(rf"^\W*{_TITLE}(?:\W+{_TITLE})*\W*$", re.IGNORECASE)
ADDRESS_HINT = re.compile(
    r"\b(?:street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|drive|dr\.?|blvd|boulevard|way|"
    r"place|pl\.?|square|sq\.?|suite|ste\.?|floor|fl\.?|unit|building|po box|p\.o\. box|"
    r"straße|strasse|str\.|weg|platz|gasse|allee|rue|avenue|chemin|calle|via|piazza|straat|"
    r"laan|plein)\b|\b\d{4,5}\b|\b[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}\b|\b[A-Z]{2} \d{5}\b",
    re.IGNORECASE,
)


POSTCODE = re.compile(
    r"\b[A-Z]{2},? \d{5}(?:-\d{4})?\b|(?:^|,\s*)\d{4,5}\s+[A-Z][a-zäöüé]+|"
    r"\b[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}\b"
)


_CUSTOMER_SIDE = re.compile(
    r"customer|buyer|client|bill(?:ed)?[ _]?to|recipient|purchaser|käufer|kunde|acheteur|"
    r"destinataire|cliente",
    re.IGNORECASE,
)


# A window address may open with a salutation or the word for a company: "Firma", "Herrn",
# "Madame", "Attn:".
_SALUTATION = re.compile(
    r"^\s*(?:firma|herrn?|frau|familie|an|to|attn\.?:?|attention:?|z\.\s?hd\.?|m\.|mme|"
    r"monsieur|madame|mr\.?|mrs\.?|ms\.?|messrs\.?|société)(?:\s+|$)",
    re.IGNORECASE,
)


class PartyFinder(FinderBase):
    """Issuer, customer, addresses and parties."""

    def _party_line_ok(self, text: str, line: Line) -> bool:
        """True when a line could name a company or person (not a title, date, amount, contact)."""
        t = text.strip()
        letters = len(re.findall(r"[^\W\d_]", t))
        if letters < 3 or len(t) > 70:
            return False
        if TITLE_WORDS.match(t) or V.find_emails(t) or V.URL_RE.search(t) or is_page_label(t):
            return False
        if not re.search(r"[^\W\d_]{3}", re.sub(r"\b[^\W\d_]{1,3}#", "", t)):
            return False  # "ST# 3296 OP# 19 TE# 20": store, operator and terminal numbers
        if has_tax_id(t):
            return False  # "UID Nr.: DE812706034", "GSTIN 29ABCDE1234F1Z5"
        priced = any(f.value.has_decimals or f.value.currency for f in V.find_amounts(t))
        if V.find_dates(t) or V.find_phones(t) or (priced and letters < 6):
            return False
        if re.search(
            r"\b(?:tel|phone|fax|email|vat|iban|page|date|www|cashier|server|clerk|operator|"
            r"table|terminal|register|till|welcome|thank|thanks|reg|regn|registration|gst|sst|"
            r"abn|siret|siren|tax id|co\.? no|company no|ust-idnr)\b",
            t,
            re.IGNORECASE,
        ):
            return False
        if re.match(r"^\d", t) and ADDRESS_HINT.search(t):
            return False
        if POSTCODE.search(t) and len(t.split()) <= 5:
            return False  # "Denver, CO 80202", "10115 Berlin": a city line
        return True

    def find_vendor(self, spec: FieldSpec) -> FieldResult:
        """The issuer: a seller label, else the most company-like line at the top of page 1.

        Header lines score by their rank, a legal form, letterhead type and a seller tax-id
        line in their column; sender lines give the name before the address; customer blocks,
        titles, addresses and page labels never count. A company named on a seller tax-id line
        (a letter's footer) beats a header line with no such evidence, and a receipt whose name
        is only a logo takes it from 'thank you for shopping at X', its web address or e-mail.
        """
        best = _best([c for c in self.labelled(spec, "party") if c.score >= 0.5])
        if best is not None:
            return _result(best)
        titled = titled_issuer(self._header_lines()[:6])
        if titled is not None:
            return FieldResult(titled[0], 0.8, titled[1].page, titled[1].text)
        customer_cells = self._customer_block_cells()
        header = self._header_lines()
        # Nothing from the items table down names the issuer; on a till slip the items start
        # at the first priced line.
        for i, line in enumerate(header):
            priced = self.doc.document_type == "receipt" and any(
                f.value.has_decimals for f in V.find_amounts(line.text)
            )
            if header_columns(line) or priced:
                header = header[:i]
                break
        scored: list[tuple[float, Line, str, bool]] = []
        if header:
            heights = sorted(ln.height for ln in header)
            median_h = heights[len(heights) // 2] or 1.0
            for rank, line in enumerate(header):
                for ci, cell in enumerate(line.cells):
                    if (id(line), ci) in customer_cells:
                        continue
                    # "Muster GmbH · Hauptstr. 1 · Berlin": the name comes before the address.
                    text = name_part(cell.text)
                    hits = [h for h in self.doc.line_hits(line) if h.start == 0 and h.weight >= 0.6]
                    if hits and any(line.cells[h.cell] is cell for h in hits):
                        continue
                    if not self._party_line_ok(text, line) or address_like(text):
                        continue
                    if address_like(cell.text) and not LEGAL_FORM.search(text):
                        continue  # "Shop No. 4, Station Road, Pune 411001"
                    score = 0.35 - 0.04 * min(rank, 5) - 0.01 * max(rank - 5, 0)
                    if ci >= 2:
                        score -= 0.05
                    if COMPANY_SUFFIX.search(text):
                        score += 0.3
                    big = line.height > 1.25 * median_h
                    if big:
                        score += 0.2
                    if text.isupper() and len(text) > 3:
                        score += 0.05
                    at = header.index(line)
                    if tax_id_near(header, at, cell.x0, cell.x1):
                        score += 0.25
                    scored.append((score, line, text, big))
        top = max(scored, key=lambda s: s[0]) if scored else None
        found = tax_id_issuer(self.doc.lines, customer_cells)
        if found is not None:
            # A company named by the tax id of a page's imprint (its lower part) is the seller
            # unless a letterhead in large print says otherwise; a weak header guess always
            # gives way to a tax-id line.
            line = found[1]
            imprint = line.y > 0.6 * self.doc.page_height.get(line.page, 1.0)
            if top is None or top[0] < 0.75 or (imprint and not top[3]):
                if top is None or not same_name(top[2], found[0]):
                    return FieldResult(found[0], 0.7, line.page, line.text)
                # The letterhead and the imprint name the same company: the letterhead's
                # larger print reads better.
                top = (max(top[0], 0.7), top[1], top[2], top[3])
        if self.doc.document_type == "receipt" and (top is None or top[0] < 0.5):
            cue = merchant_cue(self.doc.lines)
            if cue is not None:
                return FieldResult(cue[0], 0.6, cue[1].page, cue[1].text)
        if top is None:
            return NOT_FOUND
        score, line, text, _big = top
        return FieldResult(text, round(min(0.8, max(0.3, score)), 3), line.page, line.text)

    def _customer_block_cells(self) -> set[tuple[int, int]]:
        """(line, cell) pairs of a 'Bill to' style block, so they are not taken as the vendor."""
        out: set[tuple[int, int]] = set()
        for line in self.doc.lines[:60]:
            if TITLE_WORDS.match(line.text):
                continue  # "CUSTOMER COPY" heads a till slip, not a customer block
            for h in self.doc.line_hits(line):
                if h.concept in ("customer", "ship_to") and h.weight >= 0.8:
                    out.add((id(line), h.cell))
                    x0, x1 = _cell_span(h)
                    above = line
                    for nxt in self.doc.next_lines(line, 6):
                        if nxt.y - above.y > 2.5 * max(above.height, 1e-6):
                            break  # a gap ends the block
                        under = [
                            ci
                            for ci, c in enumerate(nxt.cells)
                            if min(x1, c.x1) - max(x0, c.x0) > 0
                        ]
                        out.update((id(nxt), ci) for ci in under)
                        if under:
                            above = nxt
        return out

    def find_tax_id(self, spec: FieldSpec) -> FieldResult:
        """A tax id of the side the field names: the customer's from its block, else the
        seller's, which is not printed in a 'Bill to' block."""
        cands = self.labelled(spec)
        block = self._customer_block_cells()
        customer_side = bool(_CUSTOMER_SIDE.search(f"{spec.key} {spec.phrase}"))
        kept = []
        for c in cands:
            in_block = c.hit is not None and (id(c.hit.line), c.hit.cell) in block
            if in_block != customer_side:
                c = Candidate(c.value, c.score * 0.3, c.page, c.source, c.order, c.hit)
            kept.append(c)
        best = _best(kept)
        if best is not None and best.score >= MIN_SCORE:
            return _result(best)
        # Unlabelled: the first VAT number of the field's side.
        for line in self.doc.lines:
            for ci, cell in enumerate(line.cells):
                if ((id(line), ci) in block) != customer_side:
                    continue
                found = V.find_vat_ids(cell.text)
                if found:
                    return FieldResult(found[0].value, 0.7, line.page, line.text)
        return NOT_FOUND

    def find_party_block(self, spec: FieldSpec) -> FieldResult:
        """A party under a 'Bill to' style label: the label's value or the first line below;
        an invoice's customer without a label is the addressee of its address window."""
        best = _best(self.labelled(spec, "party"))
        if best is not None or spec.concept is None or spec.concept.key != "customer":
            found = _result(best)
            name, comma, rest = str(found.value or "").partition(",")
            if comma and name.strip() and (re.search(r"\d", rest) or ADDRESS_HINT.search(rest)):
                # "Customer: Meridian Group LLC, EC1A 1BB London": the name without its address.
                found = FieldResult(name.strip(), found.confidence, found.page, found.source_text)
            return found
        return self._addressee()

    def _addressee(self) -> FieldResult:
        """The name heading an unlabelled address block in an invoice's header (a letter's
        window: name, street, postcode and town) that is not the seller's own block."""
        if self.doc.document_type != "invoice" or any(
            h.concept == "customer" for hits in self.doc.hits.values() for h in hits
        ):
            return NOT_FOUND
        vendor = self.find_vendor(FieldSpec("vendor", CONCEPTS_BY_KEY["vendor"], "vendor", "party"))
        if vendor.value is None:
            return NOT_FOUND
        seller = vendor.value.lower()
        for block in self._header_blocks():
            # An address has at most six lines; what follows it closely (a table's caption that
            # was not recognised as one) is no part of it.
            block = block[:6]
            texts = [cell.text.strip() for _, cell in block]
            if len(block) < 2:
                continue
            if not any(POSTCODE.search(t) for t in texts) and not (
                len(block) >= 3 and COMPANY_SUFFIX.search(texts[0])
            ):
                continue  # no town line, nor a company's name over an address
            if any(seller in t.lower() or t.lower() in seller for t in texts):
                continue  # the seller's own name and address
            if any(
                h.cell == line.cells.index(cell) and h.weight >= 0.6
                for line, cell in block
                for h in self.doc.line_hits(line)
            ):
                continue  # a box of labelled facts ("Invoice no.: …")
            for line, cell in block[:2]:
                name = _SALUTATION.sub("", cell.text).strip()
                if name and self._party_line_ok(name, line) and not address_like(name):
                    return FieldResult(name, 0.5, line.page, line.text)
            return NOT_FOUND
        return NOT_FOUND

    def _header_blocks(self) -> list[list[tuple[Line, Any]]]:
        """Cells of the header grouped into blocks: left-aligned, one line under another."""
        blocks: list[list[tuple[Line, Any]]] = []
        for line in self._header_lines():
            if header_columns(line):
                break  # the items table
            for cell in line.cells:
                for block in blocks:
                    last_line, last_cell = block[-1]
                    gap = line.y - last_line.y
                    height = max(min(last_line.height, line.height), 1.0)
                    aligned = abs(cell.x0 - last_cell.x0) <= max(2.0, 0.25 * height)
                    if aligned and 0 < gap <= 3.0 * height:
                        block.append((line, cell))
                        break
                else:
                    blocks.append([(line, cell)])
        return blocks

    def find_address(self, spec: FieldSpec) -> FieldResult:
        """An address: a labelled one, else the lines under the vendor name."""
        labelled = self.labelled(spec, "text")
        best = _best(labelled)
        if best is not None:
            return _result(best)
        vendor = self.find_vendor(FieldSpec("vendor", CONCEPTS_BY_KEY["vendor"], "vendor", "party"))
        if vendor.value is None:
            return NOT_FOUND
        start = None
        for line in self.doc.lines[:30]:
            if vendor.value in line.text:
                start = line
                break
        if start is None:
            return NOT_FOUND
        cell = next((c for c in start.cells if vendor.value in c.text), start.cells[0])
        parts = []
        for nxt in self.doc.next_lines(start, 4):
            near = [c for c in nxt.cells if abs(c.x0 - cell.x0) < 3 * max(nxt.height, 1)]
            if not near:
                break
            text = near[0].text.strip()
            if V.find_emails(text) or V.find_phones(text) or self.doc.line_hits(nxt):
                break
            parts.append(text)
            if not ADDRESS_HINT.search(text) and len(parts) > 1:
                break
        if not parts or not any(ADDRESS_HINT.search(p) for p in parts):
            return NOT_FOUND
        return FieldResult(", ".join(parts), 0.5, start.page, " / ".join(parts))

    def find_location(self, spec: FieldSpec) -> FieldResult:
        """A place: labelled, else an address-like line in the header."""
        best = _best(self.labelled(spec, "text"))
        if best is not None:
            return _result(best)
        for line in self._header_lines()[:8]:
            for cell in line.cells:
                t = cell.text.strip()
                if V.find_emails(t) or V.find_phones(t) or V.URL_RE.search(t):
                    continue
                if re.fullmatch(r"[A-Z][\w .'-]+,\s?[A-Z][\w .'-]+", t):
                    return FieldResult(t, 0.45, line.page, line.text)
        return NOT_FOUND

    def find_parties(self, spec: FieldSpec) -> FieldResult:
        """Parties of an agreement from 'between X and Y' or party labels."""
        text = " ".join(line.text for line in self.doc.lines[:80])
        text = re.sub(r"\s+", " ", text)
        m = re.search(
            r"\bbetween:?\s+(.{3,120}?)(?:\s*\(|,|\s+hereinafter)(.{0,200}?)\band:?\s+"
            r"(.{3,120}?)(?:\s*\(|,|\.|\s+hereinafter)",
            text,
            re.IGNORECASE,
        )
        if m:
            parties = [_clean_party(m.group(1)), _clean_party(m.group(3))]
            return FieldResult([p for p in parties if p], 0.7, 1, m.group(0)[:300])
        names = []
        for line in self.doc.lines[:60]:
            mm = re.match(
                r"^\s*(?:party\s*(?:a|b|1|2|one|two)|client|provider|contractor|employer|employee|"
                r"landlord|tenant|licensor|licensee|buyer|seller|supplier|customer|company)\s*:\s*(.+)$",
                line.text,
                re.IGNORECASE,
            )
            if mm:
                names.append(_clean_party(mm.group(1)))
        if names:
            return FieldResult(names, 0.6, 1, None)
        return NOT_FOUND


def _clean_party(text: str) -> str:
    """A party name without leading articles and trailing punctuation."""
    t = re.sub(r"^(?:the\s+|1\.\s*|2\.\s*)", "", text.strip(), flags=re.IGNORECASE)
    return t.strip(" ,;:\"'“”")
