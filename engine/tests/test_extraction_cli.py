"""`flask extract FILE`: the same engine from the command line."""

import json

from click.testing import CliRunner

from engine.cli import extract_command, sniff_mime


def test_extract_with_prompt(write_doc, simple_pdf):
    doc = write_doc(
        "inv.pdf", simple_pdf(["Invoice No: A-17", "Date: 03.02.2026", "Total: 99,90 EUR"])
    )
    out = CliRunner().invoke(extract_command, [doc.path, "--prompt", "invoice number, date, total"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["data"] == {
        "invoice_number": "A-17",
        "date": "2026-02-03",
        "total": 99.9,
        "currency": "EUR",
    }
    assert result["meta"]["provider"] == "local"
    assert out.output.startswith("{\n  ")  # indented JSON


def test_extract_auto(gen, rng, write_doc):
    data, labels = gen.make_po(rng, gen.LOCALES[0])
    doc = write_doc("po.pdf", data)
    out = CliRunner().invoke(extract_command, [doc.path, "--auto"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["document_type"] == "purchase_order"
    assert result["data"]["po_number"] == labels["fields"]["po_number"]


def test_errors_are_reported(write_doc, simple_pdf, tmp_path):
    broken = write_doc("broken.pdf", simple_pdf(["x"])[:120])
    out = CliRunner().invoke(extract_command, [broken.path, "--prompt", "total"])
    assert out.exit_code == 1
    assert json.loads(out.output)["error"]["code"] == "unreadable_pdf"
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert CliRunner().invoke(extract_command, [str(text), "--auto"]).exit_code == 2
    out = CliRunner().invoke(extract_command, [broken.path, "--provider", "nope"])
    assert out.exit_code == 2 and "Unknown extraction provider" in out.output
    out = CliRunner().invoke(extract_command, [broken.path, "--auto", "--prompt", "x"])
    assert out.exit_code == 2


def test_sniff_mime(tmp_path):
    png = tmp_path / "a.bin"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    assert sniff_mime(str(png)) == "image/png"
