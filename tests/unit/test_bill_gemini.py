"""The Gemini step of the bill cascade, through the real google-genai client against a loopback stub of
generateContent: inline PDF, JSON response schema, temperature 0, validation, one re-ask, retries."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pdfs import glyph_numbers_pdf
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from common.adapters.gemini import GeminiLLM
from common.connectors.billgen.scan import scanned, stamped
from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf
from common.extraction.bills.cascade import extract_bill
from common.extraction.bills.guard import PdfTextReader
from common.extraction.dispatch import extract_file
from common.models import BillStatus, Commodity, Direction, ExtractionStatus, NormalizedBill

MODEL = "gemini-2.5-flash"
PATH = f"/v1beta/models/{MODEL}:generateContent"


def _text_reply(text: str) -> tuple[int, dict[str, Any]]:
    return 200, {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
        "modelVersion": f"{MODEL}-001",
    }


UNAVAILABLE = (503, {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}})
EXHAUSTED = (429, {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}})


@dataclass
class Stub:
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.bodies.append(json.loads(request.get_data() or b"{}"))
        if request.path != PATH:
            status, payload = 404, {"error": {"code": 404, "message": request.path, "status": "NOT_FOUND"}}
        else:
            status, payload = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return Response(json.dumps(payload), status=status, content_type="application/json")(environ, start_response)


@pytest.fixture
def stub() -> Iterator[Stub]:
    app = Stub()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def gemini(stub: Stub) -> GeminiLLM:
    return GeminiLLM("test-key-not-a-secret", MODEL, stub.base_url, retry_initial_delay=0.01)


def truth() -> NormalizedBill:
    return make_sandbox_bill("Sandbox Electric", "G-77", "9 Elm St", date(2026, 3, 1), date(2026, 3, 31), seed=11)


def answer_for(bill: NormalizedBill) -> str:
    """What a well-behaved model answers for `bill`: the LlmBill fields, amounts as strings."""
    payload = bill.model_dump(
        mode="json",
        exclude={"provenance", "audits", "status", "budget_billing", "demand"},
    )
    for read in payload["usage"]:
        read.pop("read_unit")
    return json.dumps(payload)


def unreadable_layout(bill: NormalizedBill) -> bytes:
    """The bill's text with every label removed: no template or heuristic can place the values."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    y = 760
    for value in (bill.provider, bill.account_number, bill.service_address, f"{bill.total_amount}"):
        canvas.drawString(72, y, str(value))
        y -= 14
    canvas.save()
    return buffer.getvalue()


def test_gemini_reads_the_bill_the_heuristics_cannot(stub: Stub) -> None:
    bill = truth()
    stub.replies = [_text_reply(answer_for(bill))]
    pdf = render_bill_pdf(bill)

    # Templates off: the heuristics also read this layout, so force the model step with a blank layout.
    result = extract_bill(unreadable_layout(bill), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))

    assert result.bill is not None
    assert result.bill.total_amount == bill.total_amount
    assert result.method == f"gemini:{MODEL}"
    # Printed values get their page and box; values absent from the page stay unverified.
    account = result.bill.provenance["account_number"]
    assert account.method == f"gemini:{MODEL}" and account.page == 1 and account.bbox is not None
    assert result.bill.provenance["bill_period_start"].confidence < 0.7
    assert result.status is BillStatus.NEEDS_REVIEW  # the period is not on the page: a person checks it
    sent = stub.bodies[0]
    assert sent["generationConfig"]["temperature"] == 0
    assert sent["generationConfig"]["responseMimeType"] == "application/json"
    schema = sent["generationConfig"].get("responseJsonSchema") or sent["generationConfig"].get("response_json_schema")
    assert schema["properties"]["total_amount"] and "bill_period_start" in schema["required"]
    inline = next(p["inlineData"] for p in sent["contents"][0]["parts"] if "inlineData" in p)
    assert inline.get("mimeType", inline.get("mime_type")) == "application/pdf"  # the SDK may send either form
    data = inline["data"]
    assert base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).startswith(b"%PDF-")
    assert pdf  # the rendered bill itself round-trips without the model (see test_pdf_bills)


def test_the_model_says_which_way_a_net_meters_energy_went(stub: Stub) -> None:
    bill = truth()
    [used] = [read for read in bill.usage if read.commodity is Commodity.ELECTRICITY][:1]
    sent_back = used.model_copy(update={"quantity": Decimal(120), "direction": Direction.RECEIVED})
    bill = bill.model_copy(update={"usage": [*bill.usage, sent_back]})
    stub.replies = [_text_reply(answer_for(bill))]
    result = extract_bill(unreadable_layout(bill), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))
    assert result.bill is not None
    assert [read.direction for read in result.bill.usage] == [read.direction for read in bill.usage]
    assert result.bill.usage[-1].direction is Direction.RECEIVED
    schema = stub.bodies[0]["generationConfig"]
    schema = schema.get("responseJsonSchema") or schema.get("response_json_schema")
    assert "received" in json.dumps(schema)  # the model is told the directions it may answer


def test_the_model_reads_the_accounts_adjustments(stub: Stub) -> None:
    bill = truth()
    assert bill.amount_due is not None
    bill = bill.model_copy(update={"adjustments": Decimal("4.75"), "amount_due": bill.amount_due + Decimal("4.75")})
    stub.replies = [_text_reply(answer_for(bill))]
    result = extract_bill(unreadable_layout(bill), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))
    assert result.bill is not None and result.bill.adjustments == Decimal("4.75")
    assert "balance_mismatch" not in [audit.code for audit in result.audits]


def test_a_text_layer_of_glyph_numbers_is_read_by_the_model_and_reviewed(stub: Stub) -> None:
    bill = truth()
    stub.replies = [_text_reply(answer_for(bill))]

    result = extract_bill(glyph_numbers_pdf(), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))

    assert result.status is BillStatus.NEEDS_REVIEW  # nothing on the page can confirm the model's values
    assert result.bill is not None and result.bill.total_amount == bill.total_amount
    assert result.method == f"gemini:{MODEL}"
    assert "unreadable_text_layer" in [audit.code for audit in result.audits]
    assert len(stub.bodies) == 1


def test_invalid_json_is_asked_again_once_then_accepted(stub: Stub) -> None:
    bill = truth()
    stub.replies = [_text_reply('{"provider": "x"}'), _text_reply(answer_for(bill))]

    result = extract_bill(unreadable_layout(bill), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))

    assert len(stub.bodies) == 2
    reask = " ".join(p.get("text", "") for c in stub.bodies[1]["contents"] for p in c["parts"])
    assert "did not validate" in reask and "bill_period_start" in reask
    assert result.bill is not None and result.bill.account_number == bill.account_number


def test_invalid_twice_is_an_audit_not_a_crash(stub: Stub) -> None:
    stub.replies = [_text_reply("not json at all")]

    result = extract_bill(unreadable_layout(truth()), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))

    assert len(stub.bodies) == 2
    assert "llm_invalid_output" in [a.code for a in result.audits]
    assert result.status is BillStatus.NEEDS_REVIEW


def test_a_503_is_retried_by_the_client(stub: Stub) -> None:
    bill = truth()
    stub.replies = [UNAVAILABLE, _text_reply(answer_for(bill))]

    result = extract_bill(unreadable_layout(bill), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))

    assert len(stub.bodies) == 2
    assert result.bill is not None and result.bill.total_amount == bill.total_amount


def test_persistent_429_leaves_the_deterministic_result_for_review(stub: Stub) -> None:
    stub.replies = [EXHAUSTED]

    result = extract_bill(unreadable_layout(truth()), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))

    assert len(stub.bodies) == 3  # the SDK's attempts
    assert "llm_unavailable" in [a.code for a in result.audits]
    assert result.status is BillStatus.NEEDS_REVIEW


def test_a_good_deterministic_result_never_calls_the_model(stub: Stub) -> None:
    stub.replies = [_text_reply("{}")]

    result = extract_file(render_bill_pdf(truth()), "bill.pdf", bill_reader=gemini(stub))

    assert result.status is ExtractionStatus.OK
    assert stub.bodies == []


def test_model_values_that_fail_the_audits_are_not_loaded(stub: Stub) -> None:
    bill = truth()
    wrong = json.loads(answer_for(bill))
    wrong["total_amount"] = str(bill.total_amount + Decimal("1.00"))
    stub.replies = [_text_reply(json.dumps(wrong))]

    result = extract_bill(unreadable_layout(bill), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline"))

    assert result.status is BillStatus.NEEDS_REVIEW
    assert "line_items_sum_mismatch" in [a.code for a in result.audits]


def account_and_amount_scanned(bill: NormalizedBill) -> bytes:
    """A scan of a page with a bill's account number and amount due alone: too little for OCR to make a bill of."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFont("Helvetica", 20)
    canvas.drawString(72, 700, f"Account Number: {bill.account_number}")
    canvas.drawString(72, 650, f"Amount Due: ${bill.amount_due}")
    canvas.save()
    return scanned(buffer.getvalue(), dpi=200)


def test_a_scan_ocr_reads_only_in_part_is_read_by_the_model(stub: Stub) -> None:
    """OCR finds an account and an amount on the scan but no period: no bill, so the model is asked, and its
    reading goes to review as a scan's always does."""
    bill = truth()
    stub.replies = [_text_reply(answer_for(bill))]

    result = extract_bill(
        account_and_amount_scanned(bill), bill_reader=gemini(stub), pdf_reader=PdfTextReader("inline")
    )

    assert len(stub.bodies) == 1
    assert result.method == f"gemini:{MODEL}" and result.status is BillStatus.NEEDS_REVIEW
    assert result.bill is not None and result.bill.total_amount == bill.total_amount
    assert "no_text_layer" in [audit.code for audit in result.audits]


def test_a_scan_under_a_stamp_is_read_by_ocr_before_the_model(stub: Stub) -> None:
    """Every page a scan under a scanner's line of text: OCR reads it as it would with no text layer, and the model is
    not asked where OCR read a bill; where OCR reads none, it is."""
    bill = truth()
    stub.replies = [_text_reply(answer_for(bill))]
    reader = PdfTextReader("inline")
    whole = stamped(scanned(render_bill_pdf(bill), dpi=200), "Scanned by OfficeJet 4650")

    result = extract_bill(whole, bill_reader=gemini(stub), pdf_reader=reader)

    assert stub.bodies == []
    assert result.method.startswith("ocr:tesseract@") and result.status is BillStatus.NEEDS_REVIEW
    assert result.bill is not None and result.bill.total_amount == bill.total_amount

    part = stamped(account_and_amount_scanned(bill), "Scanned by OfficeJet 4650")

    result = extract_bill(part, bill_reader=gemini(stub), pdf_reader=reader)

    assert len(stub.bodies) == 1
    assert result.method == f"gemini:{MODEL}" and result.status is BillStatus.NEEDS_REVIEW
    assert result.bill is not None and result.bill.total_amount == bill.total_amount
