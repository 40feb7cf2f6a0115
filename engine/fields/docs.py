"""Fields of non-financial documents: titles, names, governing law, sections and the MRZ."""

from __future__ import annotations

import re
from typing import Any

from .. import values as V
from ..prompts import CONCEPTS, FieldSpec
from .base import FinderBase
from .index import NOT_FOUND, FieldResult, _best, _result
from .parties import COMPANY_SUFFIX, TITLE_WORDS


class DocumentFinder(FinderBase):
    """Titles, person names, governing law, sections and machine-readable zones."""

    def find_title(self, spec: FieldSpec) -> FieldResult:
        """The document title: labelled, else the tallest of the first lines."""
        best = _best(self.labelled(spec, "text"))
        if best is not None and best.score >= 0.6:
            return _result(best)
        header = self._header_lines()[:8]
        if not header:
            return NOT_FOUND
        cands = [ln for ln in header if len(re.findall(r"[^\W\d_]", ln.text)) >= 4]
        if not cands:
            return NOT_FOUND
        line = max(cands, key=lambda ln: (ln.height, -self.doc.order[id(ln)]))
        return FieldResult(line.cells[0].text.strip(), 0.6, line.page, line.text)

    def find_person_name(self, spec: FieldSpec) -> FieldResult:
        """A person's name: labelled, else from the MRZ, else a name-shaped line at the top."""
        best = _best(self.labelled(spec, "person"))
        if best is not None and best.score >= 0.5:
            return _result(best)
        mrz = self._mrz()
        if mrz and mrz.get("full_name"):
            return FieldResult(mrz["full_name"], 0.8, mrz["page"], mrz["source"])
        for line in self._header_lines()[:6]:
            t = line.cells[0].text.strip()
            if re.fullmatch(r"[A-ZÀ-Ý][\w'’.-]+(?:\s+[A-ZÀ-Ý][\w'’.-]+){1,3}", t) and not (
                TITLE_WORDS.match(t) or COMPANY_SUFFIX.search(t)
            ):
                if t.lower() in ("curriculum vitae", "resume", "résumé"):
                    continue
                return FieldResult(t, 0.6, line.page, line.text)
        return NOT_FOUND

    def find_governing_law(self, spec: FieldSpec) -> FieldResult:
        """Governing law from 'governed by the laws of X'."""
        text = re.sub(r"\s+", " ", self.doc.text)
        m = re.search(
            r"governed by(?: and construed in accordance with)?,? the laws? of (?:the )?"
            r"([A-Z][\w .'-]{2,60}?)(?:[,.;(]| without\b| excluding\b)",
            text,
        )
        if m:
            return FieldResult(m.group(1).strip(), 0.8, None, m.group(0)[:300])
        return self.find_labelled(spec)

    def find_section(self, spec: FieldSpec) -> FieldResult:
        """Lines under a section heading (skills, experience...) up to the next heading."""
        names = {spec.phrase.lower()}
        if spec.concept is not None:
            names.update(s.lower() for s in spec.concept.synonyms)
        headings = {s.lower() for c in CONCEPTS if c.kind == "section" for s in c.synonyms}
        headings |= {"contact", "references", "projects", "interests", "hobbies", "awards",
                     "publications", "personal details", "personal information"}  # fmt: skip
        lines = self.doc.lines
        for i, line in enumerate(lines):
            head = re.sub(r"[^\w\s]", "", line.text).strip().lower()
            if head not in names:
                continue
            body: list[str] = []
            for nxt in lines[i + 1 : i + 40]:
                h2 = re.sub(r"[^\w\s]", "", nxt.text).strip().lower()
                if h2 in headings:
                    break
                body.append(nxt.text.strip())
            if not body:
                continue
            listy = spec.concept is not None and spec.concept.key in ("skills", "languages")
            if listy:
                items = [
                    p.strip(" •-*·")
                    for b in body
                    for p in re.split(r"[,;•|·]|\s{3,}", b)
                    if p.strip(" •-*·")
                ]
                return FieldResult(items, 0.7, line.page, "\n".join(body)[:300])
            return FieldResult("\n".join(body), 0.7, line.page, "\n".join(body)[:300])
        return NOT_FOUND

    # -- machine-readable zone of passports and ID cards

    def _mrz(self) -> dict[str, Any] | None:
        """Fields of a TD3 (passport) or TD1 (ID card) machine-readable zone, if printed."""
        if hasattr(self, "_mrz_cache"):
            return self._mrz_cache
        rows = []
        for line in self.doc.lines:
            t = line.text.replace(" ", "").replace("«", "<")
            if t.count("<") >= 3 and re.fullmatch(r"[A-Z0-9<]{28,46}", t):
                rows.append((t, line))
        out = None
        if len(rows) >= 2:
            first, second = rows[-2][0], rows[-1][0]
            if len(rows) >= 3 and len(rows[-3][0]) == 30:
                first, second, third = rows[-3][0], rows[-2][0], rows[-1][0]
                out = _parse_td1(first, second, third)
            else:
                out = _parse_td3(first, second)
            if out:
                out["page"] = rows[-1][1].page
                out["source"] = "\n".join(r[0] for r in rows[-3:])
        self._mrz_cache = out
        return out

    def find_from_mrz(self, spec: FieldSpec) -> FieldResult:
        """A field read from the machine-readable zone."""
        mrz = self._mrz()
        key = spec.concept.key if spec.concept else spec.key
        if mrz and mrz.get(key):
            return FieldResult(mrz[key], 0.85, mrz["page"], mrz["source"])
        return NOT_FOUND


def _mrz_date(yymmdd: str, future: bool = False) -> str | None:
    """ISO date from an MRZ YYMMDD (birth dates in the past, expiry dates in the future)."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    year = 2000 + yy if future or yy <= 30 else 1900 + yy
    d = V._make_date(year, mm, dd)
    return d.isoformat() if d else None


def _mrz_names(field: str) -> tuple[str, str]:
    """Surname and given names from an MRZ name field."""
    sur, _, given = field.partition("<<")
    return sur.replace("<", " ").strip(), given.replace("<", " ").strip()


def _parse_td3(l1: str, l2: str) -> dict[str, Any] | None:
    """Passport MRZ (2 lines of 44)."""
    if len(l1) < 40 or len(l2) < 40 or l1[0] not in "PV":
        return None
    sur, given = _mrz_names(l1[5:])
    return {
        "issuing_country": l1[2:5].replace("<", ""),
        "surname": sur,
        "given_names": given,
        "full_name": f"{given} {sur}".strip(),
        "id_number": l2[0:9].replace("<", ""),
        "nationality": l2[10:13].replace("<", ""),
        "date_of_birth": _mrz_date(l2[13:19]),
        "sex": l2[20] if l2[20] in "MFX" else None,
        "expiry_date": _mrz_date(l2[21:27], future=True),
    }


def _parse_td1(l1: str, l2: str, l3: str) -> dict[str, Any] | None:
    """ID card MRZ (3 lines of 30)."""
    if len(l1) < 28 or len(l2) < 28:
        return None
    sur, given = _mrz_names(l3)
    return {
        "issuing_country": l1[2:5].replace("<", ""),
        "id_number": l1[5:14].replace("<", ""),
        "date_of_birth": _mrz_date(l2[0:6]),
        "sex": l2[7] if l2[7] in "MFX" else None,
        "expiry_date": _mrz_date(l2[8:14], future=True),
        "nationality": l2[15:18].replace("<", ""),
        "surname": sur,
        "given_names": given,
        "full_name": f"{given} {sur}".strip(),
    }
