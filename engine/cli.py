"""`flask extract FILE`: run the extraction engine on one file and print the result JSON."""

from __future__ import annotations

import json
import mimetypes
import os
import sys

import click

from . import DEFAULT_PROMPTS, ExtractionError, SourceDocument, get_provider

_MIME_BY_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_mime(path: str) -> str:
    """Content type of a file from its first bytes, else from its name."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    for magic, mime in _MIME_BY_MAGIC:
        if head.startswith(magic) or (mime == "application/pdf" and magic in head):
            return mime
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


@click.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--prompt", "prompt", default=None, help="What to extract, in words or as JSON.")
@click.option("--auto", is_flag=True, help="Detect the type and use its default prompt.")
@click.option("--provider", "provider_name", default=None, help="local, openai or anthropic.")
def extract_command(file: str, prompt: str | None, auto: bool, provider_name: str | None) -> None:
    """Extract structured data from FILE (PDF, JPEG or PNG) and print the result as JSON."""
    if prompt and auto:
        raise click.UsageError("Give either --prompt or --auto, not both.")
    mime = sniff_mime(file)
    if mime not in ("application/pdf", "image/jpeg", "image/png"):
        raise click.BadParameter(f"unsupported file type {mime}", param_hint="FILE")
    try:
        provider = get_provider(provider_name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    doc = SourceDocument(path=file, mime_type=mime, filename=os.path.basename(file))
    try:
        document_type = None
        if auto or not prompt:
            document_type, _confidence = provider.classify(doc)
            prompt = DEFAULT_PROMPTS[document_type]
        result = provider.extract(doc, prompt, document_type=document_type)
    except ExtractionError as exc:
        click.echo(json.dumps({"error": {"code": exc.code, "message": exc.message}}, indent=2))
        sys.exit(1)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
