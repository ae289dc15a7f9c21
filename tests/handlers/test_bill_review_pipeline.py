"""Bills the templates and heuristics cannot read, through the whole pipeline (upload → extract → load).

The real functions run in-process (tests/harness.py) on Postgres and DuckDB. Gemini is the real
google-genai client behind `GeminiLLM`, wired by `common.runtime.get_llm()` from the ports' settings
and pointed at a loopback stub of generateContent; without a key the cascade never asks a model.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from harness import InProcessPlatform
from pdfs import months_of_one_account, statements_file
from reportlab.pdfgen.canvas import Canvas
from werkzeug.wrappers import Request, Response

from common import runtime
from common.adapters.gemini import GeminiLLM
from common.connectors.billgen.scan import scanned, stamped
from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf
from common.models import Artifact, NormalizedArtifact, NormalizedBill
from local.emulators.stubs import LoopbackServer

MODEL = "gemini-2.5-flash"
API_KEY = "test-key-not-a-secret"
GENERATE_PATH = f"/v1beta/models/{MODEL}:generateContent"


# --- the loopback model ---------------------------------------------------------------------------


def _text_reply(text: str) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
        "modelVersion": f"{MODEL}-001",
    }


class BillModelStub(LoopbackServer):
    """generateContent answering from a script of texts (the last one repeats); every body is kept."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: list[str] = []
        self.bodies: list[dict[str, Any]] = []

    def handle(self, request: Request) -> Response:
        if request.method != "POST" or request.path != GENERATE_PATH:
            return Response(json.dumps({"error": {"code": 404, "status": "NOT_FOUND"}}), status=404)
        if request.headers.get("x-goog-api-key") != API_KEY:
            return Response(json.dumps({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}), status=400)
        self.count("generateContent")
        with self._lock:
            self.bodies.append(json.loads(request.get_data() or b"{}"))
            text = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return Response(json.dumps(_text_reply(text)), status=200, content_type="application/json")

    def inline_pdfs(self) -> list[tuple[str, bytes]]:
        """(mime type, bytes) of every inline part the model was sent."""
        found = []
        for body in self.bodies:
            for content in body["contents"]:
                for part in content["parts"]:
                    inline = part.get("inlineData") or part.get("inline_data")
                    if inline:
                        data = inline["data"]
                        mime = inline.get("mimeType", inline.get("mime_type"))
                        found.append((mime, base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))))
        return found


@pytest.fixture
def gemini(platform: InProcessPlatform) -> Iterator[BillModelStub]:
    """The platform's functions configured with a Gemini key, its model served by the loopback stub."""
    stub = BillModelStub()
    stub.start()
    try:
        settings = platform.ports.settings.model_copy(
            update={"gemini_api_key": API_KEY, "gemini_base_url": stub.url, "gemini_model": MODEL}
        )
        platform.ports = dataclasses.replace(platform.ports, settings=settings)
        runtime.set_ports(platform.ports)  # the platform fixture resets the ports afterwards
        llm = runtime.get_llm()
        assert isinstance(llm, GeminiLLM) and llm.base_url == stub.url and llm.name == f"gemini:{MODEL}"
        yield stub
    finally:
        stub.stop()


@pytest.fixture
def no_llm(platform: InProcessPlatform) -> None:
    assert platform.ports.settings.gemini_api_key is None
    assert runtime.get_llm() is None  # tests/conftest.py drops a developer's GEMINI_API_KEY as well


def truth() -> NormalizedBill:
    return make_sandbox_bill("Sandbox Electric", "G-77", "9 Elm St", date(2026, 3, 1), date(2026, 3, 31), seed=11)


def answer_for(bill: NormalizedBill, *, drop: tuple[str, ...] = ()) -> str:
    """What a well-behaved model answers for `bill` (the LlmBill fields, amounts as strings)."""
    payload = bill.model_dump(mode="json", exclude={"provenance", "audits", "status", "budget_billing", "demand"})
    for read in payload["usage"]:
        read.pop("read_unit")
    for name in drop:
        payload.pop(name)
    return json.dumps(payload)


def unlabelled_layout(bill: NormalizedBill) -> bytes:
    """Every value the audits need printed on the page, but with no label: no template or heuristic can
    place them (without a model the file is an unrecognized bill), while each value a model reports can
    be found in the text layer."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    values = [
        bill.provider,
        bill.account_number,
        bill.service_address,
        bill.bill_period_start.strftime("%m/%d/%Y"),
        bill.bill_period_end.strftime("%m/%d/%Y"),
        f"{bill.total_amount}",
        *(f"{item.amount}" for item in bill.line_items),
    ]
    for row, value in enumerate(values):
        canvas.drawString(72, 760 - 14 * row, str(value))
    canvas.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """One page of shapes and no text layer, like a scanned image."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.rect(72, 400, 300, 200, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- driving the pipeline -----------------------------------------------------------------------


@dataclass
class Uploaded:
    customer_id: str
    account_id: str
    job: dict[str, Any]
    artifact: dict[str, Any]


def _upload_and_drain(api: Any, platform: InProcessPlatform, filename: str, data: bytes) -> Uploaded:
    customer = api.post("/customers", json={"name": "Review Energy", "email": "ops@review.example"})
    assert customer.status_code == 201, customer.json
    account = api.post(
        "/utility-accounts",
        json={"customer_id": customer.json["id"], "provider": "manual", "account_number": "G-77"},
    )
    assert account.status_code == 201, account.json
    response = api.post(
        "/uploads", data={"utility_account_id": account.json["id"], "file": (io.BytesIO(data), filename)}
    )
    assert response.status_code == 202, response.json
    platform.drain()
    job = api.get(f"/jobs/{response.json['job_id']}")
    assert job.status_code == 200, job.json
    [artifact] = job.json["artifacts"]
    assert artifact["id"] == response.json["artifact_id"]
    return Uploaded(customer.json["id"], account.json["id"], dict(job.json), dict(artifact))


def _normalized(platform: InProcessPlatform, artifact_id: str) -> NormalizedArtifact:
    artifact: Artifact = platform.ports.database.get_artifact(artifact_id)
    assert artifact.normalized_object is not None
    data = platform.ports.blobs.read(platform.ports.settings.normalized_bucket, artifact.normalized_object)
    return NormalizedArtifact.model_validate_json(data)


def _warehouse_bills(platform: InProcessPlatform, customer_id: str) -> list[dict[str, Any]]:
    return [r for r in platform.ports.warehouse.rows("normalized_bills") if r["customer_id"] == customer_id]


def _settled_without_dead_letters(platform: InProcessPlatform) -> None:
    assert not platform.dead_letters
    assert sorted(d.function for d in platform.delivered) == ["extract", "load"]
    assert all(len(d.statuses) == 1 and d.statuses[0] < 300 for d in platform.delivered)  # no retries


# --- 1. the Gemini step of the cascade ----------------------------------------------------------


def test_gemini_reads_an_unlabelled_bill_and_the_audits_confirm_it(
    platform: InProcessPlatform, api_client: Any, gemini: BillModelStub
) -> None:
    bill = truth()
    pdf = unlabelled_layout(bill)
    gemini.replies = [answer_for(bill)]

    uploaded = _upload_and_drain(api_client, platform, "statement.pdf", pdf)

    # The model was asked once, with the uploaded PDF inline, a JSON schema and temperature 0.
    assert gemini.requests["generateContent"] == 1
    assert gemini.inline_pdfs() == [("application/pdf", pdf)]
    config = gemini.bodies[0]["generationConfig"]
    assert config["temperature"] == 0
    assert config["responseMimeType"] == "application/json"
    # Every required value is printed and the line items sum to the new charges: loaded as ok.
    assert (uploaded.artifact["status"], uploaded.artifact["reason_code"]) == ("LOADED", None)
    assert uploaded.job["status"] == "SUCCEEDED"
    [record] = platform.ports.database.list_bills(uploaded.customer_id)
    loaded = record.bill
    assert loaded.status.value == "ok" and loaded.audits == []
    assert (loaded.account_number, loaded.total_amount, loaded.amount_due) == (
        "G-77",
        bill.total_amount,
        bill.amount_due,
    )
    assert (loaded.bill_period_start, loaded.bill_period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert sum((item.amount for item in loaded.line_items), Decimal(0)) == bill.total_amount
    for name in ("account_number", "total_amount", "bill_period_start", "bill_period_end"):
        provenance = loaded.provenance[name]
        assert provenance.method == f"gemini:{MODEL}", name
        assert provenance.page == 1 and provenance.bbox is not None and provenance.confidence >= 0.9, name
    assert loaded.provenance["due_date"].confidence < 0.7  # not printed: the model's word only
    [row] = _warehouse_bills(platform, uploaded.customer_id)
    assert (row["status"], row["total_amount"], row["amount_due"]) == ("ok", bill.total_amount, bill.amount_due)
    assert row["bill_id"] == record.id
    _settled_without_dead_letters(platform)


def test_a_model_total_nothing_on_the_page_confirms_goes_to_review(
    platform: InProcessPlatform, api_client: Any, gemini: BillModelStub
) -> None:
    bill = truth()
    # The same correct values, but neither line items nor an account summary to confirm the total.
    gemini.replies = [answer_for(bill, drop=("line_items", "previous_balance", "payments_and_credits"))]

    uploaded = _upload_and_drain(api_client, platform, "statement.pdf", unlabelled_layout(bill))

    assert gemini.requests["generateContent"] == 1
    assert (uploaded.artifact["status"], uploaded.artifact["reason_code"]) == ("NEEDS_REVIEW", "total_unverified")
    assert uploaded.job["status"] == "NEEDS_REVIEW"
    [record] = platform.ports.database.list_bills(uploaded.customer_id)
    assert record.bill.status.value == "needs_review"
    assert (record.bill.total_amount, record.bill.line_items) == (bill.total_amount, [])
    assert [a.code for a in record.bill.audits if a.severity.value == "error"] == ["total_unverified"]
    assert record.bill.provenance["total_amount"].method == f"gemini:{MODEL}"
    # Load keeps a review bill, flagged: it reaches the warehouse only with status needs_review.
    assert [r["status"] for r in _warehouse_bills(platform, uploaded.customer_id)] == ["needs_review"]
    _settled_without_dead_letters(platform)


def test_invalid_json_twice_is_a_review_not_a_crash(
    platform: InProcessPlatform, api_client: Any, gemini: BillModelStub
) -> None:
    gemini.replies = ["not json at all", '{"provider": "half a bill"']

    uploaded = _upload_and_drain(api_client, platform, "statement.pdf", unlabelled_layout(truth()))

    assert gemini.requests["generateContent"] == 2  # the first answer and exactly one re-ask
    reask = " ".join(p.get("text", "") for c in gemini.bodies[1]["contents"] for p in c["parts"])
    assert "did not validate" in reask
    assert uploaded.artifact["status"] == "NEEDS_REVIEW"
    assert uploaded.artifact["reason_code"] == "missing_required_field"  # what the heuristics left
    assert uploaded.artifact["message"].endswith("answered JSON that does not validate, twice")  # and why
    assert uploaded.job["status"] == "NEEDS_REVIEW"
    normalized = _normalized(platform, uploaded.artifact["id"])
    assert normalized.bill is None
    assert "llm_invalid_output" in [a.code for a in normalized.audits]
    assert platform.ports.database.list_bills(uploaded.customer_id) == []
    assert _warehouse_bills(platform, uploaded.customer_id) == []
    _settled_without_dead_letters(platform)


# --- 2. and 3. a scan without a text layer ------------------------------------------------------


def test_a_scan_without_gemini_waits_for_review_and_the_customer_sees_why(
    platform: InProcessPlatform, api_client: Any, no_llm: None
) -> None:
    uploaded = _upload_and_drain(api_client, platform, "scan.pdf", scanned_pdf())

    assert (uploaded.artifact["status"], uploaded.artifact["reason_code"]) == ("NEEDS_REVIEW", "no_text_layer")
    assert uploaded.artifact["kind"] == "bill_pdf"
    assert "no text layer" in uploaded.artifact["message"]
    assert uploaded.job["status"] == "NEEDS_REVIEW" and uploaded.job["errors"] == []
    stored = platform.ports.database.get_artifact(uploaded.artifact["id"])
    assert (stored.status.value, stored.reason_code) == ("NEEDS_REVIEW", "no_text_layer")
    # OCR was tried: the page has no words
    assert [a.code for a in _normalized(platform, stored.id).audits] == ["no_text_layer", "ocr_failed"]
    # What the customer sees: the problem on the dashboard, and no bill.
    dashboard = api_client.get(f"/customers/{uploaded.customer_id}/dashboard")
    assert dashboard.status_code == 200, dashboard.json
    problems = [(p["source"], p["id"], p["reason_code"]) for p in dashboard.json["open_problems"]]
    assert problems == [("artifact", uploaded.artifact["id"], "no_text_layer")]
    assert dashboard.json["latest_bills"] == []
    assert platform.ports.database.list_bills(uploaded.customer_id) == []
    assert platform.ports.warehouse.count("normalized_bills", uploaded.customer_id) == 0
    _settled_without_dead_letters(platform)


def test_a_scan_read_by_gemini_is_kept_but_stays_in_review(
    platform: InProcessPlatform, api_client: Any, gemini: BillModelStub
) -> None:
    bill = truth()
    scan = scanned_pdf()
    gemini.replies = [answer_for(bill)]  # a perfect reading, line items and all

    uploaded = _upload_and_drain(api_client, platform, "scan.pdf", scan)

    assert gemini.requests["generateContent"] == 1
    assert gemini.inline_pdfs() == [("application/pdf", scan)]
    assert gemini.bodies[0]["generationConfig"]["temperature"] == 0
    # Nothing on the page can confirm the model: the reading is kept for a person to check.
    assert (uploaded.artifact["status"], uploaded.artifact["reason_code"]) == ("NEEDS_REVIEW", "no_text_layer")
    assert uploaded.job["status"] == "NEEDS_REVIEW"
    [record] = platform.ports.database.list_bills(uploaded.customer_id)
    kept = record.bill
    assert kept.status.value == "needs_review"
    assert (kept.account_number, kept.total_amount, kept.amount_due) == ("G-77", bill.total_amount, bill.amount_due)
    assert "no_text_layer" in [a.code for a in kept.audits]
    for name in ("account_number", "total_amount", "bill_period_start"):
        provenance = kept.provenance[name]
        assert provenance.method == f"gemini:{MODEL}", name
        assert provenance.page is None and provenance.confidence < 0.7, name  # not found on any page
    dashboard = api_client.get(f"/customers/{uploaded.customer_id}/dashboard").json
    assert [(b["status"], Decimal(str(b["total_amount"]))) for b in dashboard["latest_bills"]] == [
        ("needs_review", bill.total_amount)
    ]
    assert [p["reason_code"] for p in dashboard["open_problems"]] == ["no_text_layer"]
    assert [r["status"] for r in _warehouse_bills(platform, uploaded.customer_id)] == ["needs_review"]
    _settled_without_dead_letters(platform)


def test_a_scanned_bill_read_by_ocr_is_kept_but_stays_in_review(
    platform: InProcessPlatform, api_client: Any, no_llm: None
) -> None:
    bill = truth()
    scan = scanned(render_bill_pdf(bill), dpi=200)

    uploaded = _upload_and_drain(api_client, platform, "scan.pdf", scan)

    # Nothing can check what OCR read against the characters the bill was made from: a person confirms it.
    assert (uploaded.artifact["status"], uploaded.artifact["reason_code"]) == ("NEEDS_REVIEW", "no_text_layer")
    [record] = platform.ports.database.list_bills(uploaded.customer_id)
    kept = record.bill
    assert kept.status.value == "needs_review"
    assert (kept.account_number, kept.total_amount, kept.amount_due) == ("G-77", bill.total_amount, bill.amount_due)
    assert (kept.bill_period_start, kept.bill_period_end) == (bill.bill_period_start, bill.bill_period_end)
    assert [a.code for a in kept.audits][:2] == ["no_text_layer", "read_by_ocr"]
    for name in ("account_number", "total_amount", "bill_period_start"):
        provenance = kept.provenance[name]
        assert provenance.method.startswith("ocr:tesseract@"), name
        assert provenance.page == 1 and provenance.bbox is not None, name  # found on the page, where a person looks
    dashboard = api_client.get(f"/customers/{uploaded.customer_id}/dashboard").json
    assert [p["reason_code"] for p in dashboard["open_problems"]] == ["no_text_layer"]
    assert [r["status"] for r in _warehouse_bills(platform, uploaded.customer_id)] == ["needs_review"]
    _settled_without_dead_letters(platform)


# --- 4. a file of several statements of one account ---------------------------------------------


def test_a_years_download_of_one_account_loads_each_statement_as_a_bill(
    platform: InProcessPlatform, api_client: Any, gemini: BillModelStub
) -> None:
    months = months_of_one_account(3, "G-77")
    uploaded = _upload_and_drain(api_client, platform, "statements-2025.pdf", statements_file(months))

    assert gemini.requests["generateContent"] == 0  # every statement read from its own pages
    assert (uploaded.artifact["status"], uploaded.artifact["reason_code"]) == ("LOADED", None)
    assert uploaded.job["status"] == "SUCCEEDED"
    normalized = _normalized(platform, uploaded.artifact["id"])
    assert normalized.bill is None and [b.bill_period_start for b in normalized.bills] == [
        m.bill_period_start for m in months
    ]
    records = platform.ports.database.list_bills(uploaded.customer_id)
    assert sorted((r.bill.bill_period_start, r.bill.total_amount, r.bill.status.value) for r in records) == [
        (m.bill_period_start, m.total_amount, "ok") for m in months
    ]
    assert {r.artifact_id for r in records} == {uploaded.artifact["id"]}
    rows = _warehouse_bills(platform, uploaded.customer_id)
    assert sorted(r["bill_id"] for r in rows) == sorted(r.id for r in records)
    _settled_without_dead_letters(platform)


def test_a_statement_that_does_not_balance_holds_the_file_for_review_but_the_others_are_kept(
    platform: InProcessPlatform, api_client: Any, no_llm: None
) -> None:
    months = months_of_one_account(3, "G-77")
    months[2] = months[2].model_copy(update={"amount_due": (months[2].amount_due or Decimal(0)) + Decimal("1.00")})
    uploaded = _upload_and_drain(api_client, platform, "statements-2025.pdf", statements_file(months))

    assert (uploaded.artifact["status"], uploaded.artifact["reason_code"]) == ("NEEDS_REVIEW", "balance_mismatch")
    records = platform.ports.database.list_bills(uploaded.customer_id)
    assert sorted((r.bill.bill_period_start, r.bill.status.value) for r in records) == [
        (months[0].bill_period_start, "ok"),
        (months[1].bill_period_start, "ok"),
        (months[2].bill_period_start, "needs_review"),
    ]
    _settled_without_dead_letters(platform)


def test_a_stack_of_scanned_bills_keeps_each_statement_for_review(
    platform: InProcessPlatform, api_client: Any, no_llm: None
) -> None:
    """Paper bills scanned into one file, under the scanner's text stamp: each statement read by OCR on its own
    pages, each kept for a person to confirm."""
    months = months_of_one_account(2, "G-77")
    scan = stamped(scanned(statements_file(months, "compact"), dpi=200), "Scanned by OfficeJet 4650")

    uploaded = _upload_and_drain(api_client, platform, "stack.pdf", scan)

    assert (uploaded.artifact["status"], uploaded.artifact["reason_code"]) == ("NEEDS_REVIEW", "scanned_pages")
    normalized = _normalized(platform, uploaded.artifact["id"])
    assert normalized.bill is None and len(normalized.bills) == 2
    records = platform.ports.database.list_bills(uploaded.customer_id)
    assert sorted((r.bill.bill_period_start, r.bill.total_amount, r.bill.status.value) for r in records) == [
        (m.bill_period_start, m.total_amount, "needs_review") for m in months
    ]
    pages = sorted((r.bill.bill_period_start, r.bill.provenance["total_amount"].page) for r in records)
    assert [page for _, page in pages] == [1, 2]
    assert [r["status"] for r in _warehouse_bills(platform, uploaded.customer_id)] == ["needs_review"] * 2
    _settled_without_dead_letters(platform)
