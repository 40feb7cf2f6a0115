"""Give the API contract run real data: batches, a document and a question batch of its user.

    python scripts/api_contract_seed.py BASE_URL TOKEN [--queued]

Creates them through the API itself (a two-page text PDF; a CSV of questions) and prints their
ids (`name=id` lines for the shell), so that the routes taking an id are tried on rows that
exist as well as on ids that do not. Run once before a worker drains the queues (results,
answers) and once with --queued after it (a batch left queued, so that cancel can succeed).
"""

import json
import sys
import urllib.request
import uuid

from fpdf import FPDF


def invoice_pdf() -> bytes:
    pdf = FPDF()
    for page in (1, 2):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.cell(0, 10, f"Invoice INV-2042 page {page}", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 10, "Date: 2026-11-03", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 10, "Total: EUR 1,234.50", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def post(base: str, token: str, path: str, fields: dict, files: list[tuple[str, str, bytes]]):
    """A multipart POST; the answer's JSON."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        base + path,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as resp:
        return json.load(resp)


def main() -> None:
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    queued = "--queued" in sys.argv[3:]
    pdf = invoice_pdf()
    prompt = {"global_prompt": "Extract the invoice number, date and total"}
    batch = post(base, token, "/api/v1/batches", prompt, [("files", "inv.pdf", pdf)] * 2)
    if queued:
        print(f"queued_batch_id={batch['id']}")
        return
    print(f"batch_id={batch['id']}")
    document = post(base, token, "/api/v1/documents", prompt, [("file", "one.pdf", pdf)])
    csv = b"question,chat_id\nWhat is the total of invoice INV-2042?,a\nAnd its date?,a\n"
    questions = post(base, token, "/api/v1/question-batches", {}, [("file", "q.csv", csv)])
    print(f"document_id={document['id']}")
    print(f"question_batch_id={questions['id']}")


if __name__ == "__main__":
    main()
