"""OpenAI and Anthropic providers against a stand-in HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine import ExtractionError, TransientProviderError, get_provider

pytest.importorskip("openai")
pytest.importorskip("anthropic")


class StandIn:
    """Answers like the APIs from a queue of scripted replies; records the requests."""

    def __init__(self):
        self.replies: list[tuple[int, dict, float]] = []
        self.requests: list[tuple[str, dict]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stand_in.requests.append((self.path, body))
                status, payload, delay = (
                    stand_in.replies.pop(0) if stand_in.replies else (500, {}, 0)
                )
                if delay:
                    time.sleep(delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    if status == 429:
                        self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in():
    server = StandIn()
    yield server
    server.close()


def openai_reply(content: dict) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-test",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": json.dumps(content), "refusal": None},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def anthropic_reply(tool: str, payload: dict) -> dict:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": tool, "input": payload}],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 10},
    }


ANSWER = {
    "document_type": "invoice",
    "fields": {
        "invoice_number": {
            "value": "INV-7",
            "confidence": 0.97,
            "page": 1,
            "source_text": "Invoice INV-7",
        },
        "date": {
            "value": "14/03/2026",
            "confidence": 0.9,
            "page": 1,
            "source_text": "Date 14/03/2026",
        },
        "total": {"value": "1.234,50 €", "confidence": 0.95, "page": 1, "source_text": "Total"},
        "currency": {"value": "eur", "confidence": 0.9, "page": 1, "source_text": "€"},
    },
    "line_items": [
        {"description": "Widget", "quantity": 2, "unit_price": 617.25, "amount": 1234.5}
    ],
}
PROMPT = "Extract the invoice number, date, total and line items"


@pytest.fixture
def invoice_doc(write_doc, simple_pdf):
    return write_doc(
        "inv.pdf", simple_pdf(["Invoice INV-7", "Date 14/03/2026", "Total 1.234,50 €"])
    )


def openai_provider(stand_in, **extra):
    config = {
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{stand_in.port}/v1",
        "OPENAI_MODEL": "gpt-test",
        "EXTRACTION_MAX_RETRIES": 0,
        "EXTRACTION_TIMEOUT": 5,
        **extra,
    }
    return get_provider("openai", config)


def anthropic_provider(stand_in, **extra):
    config = {
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{stand_in.port}",
        "ANTHROPIC_MODEL": "claude-test",
        "EXTRACTION_MAX_RETRIES": 0,
        "EXTRACTION_TIMEOUT": 5,
        **extra,
    }
    return get_provider("anthropic", config)


def check_result(result, provider, model):
    assert result["document_type"] == "invoice"
    assert result["data"]["invoice_number"] == "INV-7"
    assert result["data"]["date"] == "2026-03-14"
    assert result["data"]["total"] == 1234.5
    assert result["data"]["currency"] == "EUR"
    assert result["data"]["line_items"] == result["line_items"]
    assert result["line_items"][0] == {
        "description": "Widget",
        "quantity": 2.0,
        "unit_price": 617.25,
        "amount": 1234.5,
    }
    assert result["fields"]["total"]["confidence"] == 0.95
    assert result["meta"]["provider"] == provider and result["meta"]["model"] == model
    json.dumps(result)


def test_openai_structured_output(stand_in, invoice_doc):
    stand_in.replies.append((200, openai_reply(ANSWER), 0))
    result = openai_provider(stand_in).extract(invoice_doc, PROMPT)
    check_result(result, "openai", "gpt-test")
    path, body = stand_in.requests[0]
    assert path == "/v1/chat/completions"
    assert body["model"] == "gpt-test"
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]["fields"]["properties"]) == {
        "invoice_number",
        "date",
        "total",
        "currency",
    }
    assert "Invoice INV-7" in json.dumps(body["messages"])


def test_anthropic_tool_output(stand_in, invoice_doc):
    stand_in.replies.append((200, anthropic_reply("record_extraction", ANSWER), 0))
    result = anthropic_provider(stand_in).extract(invoice_doc, PROMPT)
    check_result(result, "anthropic", "claude-test")
    path, body = stand_in.requests[0]
    assert path == "/v1/messages"
    assert body["tool_choice"] == {"type": "tool", "name": "record_extraction"}
    assert body["tools"][0]["input_schema"]["properties"]["document_type"]["enum"][0] == "invoice"


def test_classify(stand_in, invoice_doc):
    stand_in.replies.append((200, openai_reply({"document_type": "receipt", "confidence": 0.8}), 0))
    assert openai_provider(stand_in).classify(invoice_doc) == ("receipt", 0.8)
    stand_in.replies.append(
        (
            200,
            anthropic_reply(
                "record_classification", {"document_type": "nonsense", "confidence": 2}
            ),
            0,
        )
    )
    assert anthropic_provider(stand_in).classify(invoice_doc) == ("other", 1.0)


@pytest.mark.parametrize("make", [openai_provider, anthropic_provider])
def test_rate_limit_and_server_errors_are_transient(stand_in, invoice_doc, make):
    provider = make(stand_in)
    stand_in.replies.append(
        (429, {"error": {"type": "rate_limit_error", "message": "slow down"}}, 0)
    )
    with pytest.raises(TransientProviderError):
        provider.extract(invoice_doc, PROMPT)
    stand_in.replies.append((503, {"error": {"type": "overloaded_error", "message": "busy"}}, 0))
    with pytest.raises(TransientProviderError):
        provider.extract(invoice_doc, PROMPT)


@pytest.mark.parametrize("make", [openai_provider, anthropic_provider])
def test_timeout_is_transient(stand_in, invoice_doc, make):
    provider = make(stand_in, EXTRACTION_TIMEOUT=0.5)
    stand_in.replies.append((200, {}, 2.0))
    with pytest.raises(TransientProviderError) as err:
        provider.extract(invoice_doc, PROMPT)
    assert isinstance(err.value, ExtractionError)


@pytest.mark.parametrize("make", [openai_provider, anthropic_provider])
def test_bad_request_and_auth_are_permanent(stand_in, invoice_doc, make):
    provider = make(stand_in)
    stand_in.replies.append(
        (401, {"error": {"type": "authentication_error", "message": "bad key"}}, 0)
    )
    with pytest.raises(ExtractionError) as err:
        provider.extract(invoice_doc, PROMPT)
    assert err.value.code == "provider_error"
    assert not isinstance(err.value, TransientProviderError)


def test_image_documents_are_sent_as_images(stand_in, write_doc):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buf, format="PNG")
    doc = write_doc("photo.png", buf.getvalue(), "image/png")
    stand_in.replies.append((200, openai_reply(ANSWER), 0))
    openai_provider(stand_in).extract(doc, PROMPT)
    _, body = stand_in.requests[0]
    parts = body["messages"][1]["content"]
    assert any(p.get("type") == "image_url" for p in parts)
