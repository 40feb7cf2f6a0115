"""The local provider on a public PDF that is no business document: a software manual.

Two pages written by fpdf2 with justified paragraphs (the wide gaps between words that make a
line fall into many cells), a table of contents with numbered sections, cross-references, a
version line and a shell prompt's "$". Nothing in it is a price, a contract or a recipient.
"""

from __future__ import annotations

import pytest

PROSE = [
    "This manual documents the library, a portable implementation of the notation used to "
    "describe the structure of messages exchanged by network protocols. The notation to access "
    "the group type of the example definition above is described in the next chapter, and the "
    "reader is expected to know the basics of the C language and of the build tools.",
    "Each structure can be read from a file or built in memory. Whoever distributes a modified "
    "copy of this manual must preserve its Title (section 1) and will typically require the "
    "notices to stay intact; the functions that parse a definition are listed in the attribute "
    "table. See Section 2.11. for the rules that apply to nested types.",
    "To build the library from its sources, run $ ./configure and then $ make in the top "
    "directory. The tests are run by $ make check, and the documentation is written to the doc "
    "directory of the build tree when the manual pages are enabled.",
]
CONTENTS = [
    ("1 Introduction", "1"),
    ("2.11 Nested types", "9"),
    ("4.5 Auxiliary functions", "23"),
    ("4.12 Error codes", "27"),
]


def _manual() -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("helvetica", size=26)
    pdf.cell(0, 14, "Libquill", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=13)
    pdf.cell(0, 8, "A message notation library for the GNU system", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, "for version 4.19.0, 18 August 2022", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    pdf.cell(0, 7, "Ada Byron (help-quill@example.org)", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 9, "Table of Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    for title, page in CONTENTS:
        pdf.cell(150, 7, title + " " + "." * 40)
        pdf.cell(0, 7, page, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    for paragraph in PROSE * 2:
        pdf.multi_cell(0, 6, paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def manual(tmp_path_factory):
    path = tmp_path_factory.mktemp("manual") / "manual.pdf"
    path.write_bytes(_manual())
    return path


def test_a_manual_is_neither_a_contract_nor_a_bill(manual, local):
    from engine import SourceDocument

    doc_type, _ = local.classify(SourceDocument(str(manual), "application/pdf", "manual.pdf"))
    assert doc_type == "other"


def test_a_manual_has_its_title_and_no_price_nor_recipient(manual, local):
    """Words of running text ("to access", "its Title (section 1)") are not labels, section
    numbers ("4.5 Auxiliary functions", "Section 2.11.") are not amounts, and a shell prompt's
    "$" is not a currency."""
    from engine import DEFAULT_PROMPTS, SourceDocument

    doc = SourceDocument(str(manual), "application/pdf", "manual.pdf")
    data = local.extract(doc, DEFAULT_PROMPTS["other"], document_type="other")["data"]
    assert data["title"] == "Libquill"
    assert data["date"] == "2022-08-18"
    assert data["total"] is None
    assert data["currency"] is None
    assert data["recipient"] in (None, "help-quill@example.org")
