"""The hostile and broken input catalogue: each file has a defined outcome, and its neighbour is unharmed.

Every case is uploaded through the API next to a good file of the same account and run through the
real functions. The outcome is either a refusal at the API (status and code) or the artifact's final
status and reason code; in every case no event is delivered more than three times, nothing loops, and
the neighbour is loaded.
"""

from __future__ import annotations

import io
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from harness import CORPUS_DIR, REPO_ROOT, InProcessPlatform
from pdfs import glyph_numbers_pdf
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from common.config import get_settings
from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf
from common.connectors.sandbox_greenbutton import make_sandbox_intervals, render_espi_xml
from common.models import IntervalReading

CSV_DIR = REPO_ROOT / "tests" / "data" / "csv"


def _bill(**changes: Any) -> bytes:
    bill = make_sandbox_bill(
        "Sandbox Electric", "HOSTILE-1", "9 Test Rd, Town, CA 94000", date(2026, 3, 1), date(2026, 3, 31), seed=11
    )
    return render_bill_pdf(bill.model_copy(update=changes))


def _blank_pdf(encrypt: bool = False) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, encrypt=StandardEncryption("user", "owner") if encrypt else None)
    if encrypt:
        canvas.drawString(72, 720, "Account Number: 123 Amount Due $1.00")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _pdf_with_stream(stream: bytes, filters: str = "/FlateDecode") -> bytes:
    body = (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        b"4 0 obj << /Length "
        + str(len(stream)).encode()
        + b" /Filter "
        + filters.encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return body


def _bomb() -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(1024)) + compressor.flush()  # 1 GiB inflated
    return _pdf_with_stream(data)


def _nested() -> bytes:
    return _pdf_with_stream(b"BT ET", filters="/FlateDecode").replace(
        b"/Type /Catalog", b"/Type /Catalog /Deep " + b"[" * 5000 + b"]" * 5000
    )


def _readings(count: int = 48) -> list[IntervalReading]:
    return make_sandbox_intervals("HOSTILE-M", datetime(2026, 3, 1, 8, tzinfo=UTC), 2, seed=3)[:count]


def _espi(readings: list[IntervalReading]) -> bytes:
    return render_espi_xml("HOSTILE-M", readings, tz_offset_seconds=-28800)


def _espi_replace(old: bytes, new: bytes, count: int = 1) -> bytes:
    return _espi(_readings()).replace(old, new, count)


def _overlapping() -> bytes:
    readings = _readings()
    shifted = [r.model_copy(update={"start": r.start + timedelta(minutes=30)}) for r in readings[:6]]
    return _espi(sorted(readings + shifted, key=lambda r: r.start))


ATOM = b'<?xml version="1.0" encoding="UTF-8"?>\n'
LAUGHS = (
    ATOM + b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol3;</title></feed>'
)
EXTERNAL_ENTITY = (
    ATOM + b'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>'
)
EXTERNAL_DTD = ATOM + b'<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/espi.dtd"><feed xmlns="http://www.w3.org/2005/Atom"/>'


def _csv(name: str) -> bytes:
    return (CSV_DIR / name).read_bytes()


def _formula_csv() -> bytes:
    return _csv("opower_electric_15min_fallback.csv").replace(
        b"kWh,$0.09,\n", b'kWh,$0.09,"=HYPERLINK(""http://127.0.0.1/x"",""click"")"\n', 1
    )


def _duplicate_rows_csv() -> bytes:
    lines = _csv("opower_electric_15min_fallback.csv").splitlines(keepends=True)
    header_end = next(i for i, line in enumerate(lines) if line.startswith(b"TYPE,"))
    return b"".join(lines[: header_end + 4] + lines[header_end + 1 : header_end + 4] + lines[header_end + 4 :])


def _mixed_encoding_csv() -> bytes:
    return _csv("opower_electric_15min_fallback.csv").replace(b"JANE Q CUSTOMER", "JOSÉ Ñ".encode("latin-1"))


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    make: Callable[[], bytes]
    outcome: tuple[Any, ...]  # ("api", status, code) | (artifact status, reason code or None)


CASES = [
    # PDFs
    Case("empty pdf", "empty.pdf", lambda: b"", ("api", 400, "empty_file")),
    Case(
        "oversized pdf",
        "huge.pdf",
        lambda: b"%PDF-1.7\n" + b"0" * (get_settings().max_upload_bytes + 1),
        ("api", 413, "file_too_large"),
    ),
    Case(
        "text named .pdf",
        "bill.pdf",
        lambda: b"Dear customer, your bill is attached.\n",
        ("FAILED", "unsupported_file_type"),
    ),
    Case("header only", "header.pdf", lambda: b"%PDF-1.7\n", ("FAILED", "corrupt_pdf")),
    Case("truncated download", "cut.pdf", lambda: _bill()[:1500], ("FAILED", "corrupt_pdf")),
    Case(
        "garbage body",
        "garbage.pdf",
        lambda: b"%PDF-1.7\n" + random.Random(1).randbytes(4000) + b"\n%%EOF\n",
        ("FAILED", "corrupt_pdf"),
    ),
    Case("encrypted", "locked.pdf", lambda: _blank_pdf(encrypt=True), ("FAILED", "encrypted_pdf")),
    Case("no text layer", "scan.pdf", _blank_pdf, ("NEEDS_REVIEW", "no_text_layer")),
    Case("text layer of glyph numbers", "statement.pdf", glyph_numbers_pdf, ("NEEDS_REVIEW", "unreadable_text_layer")),
    Case("deeply nested objects", "nested.pdf", _nested, ("FAILED", "pdf_too_deeply_nested")),
    Case("decompression bomb", "bomb.pdf", _bomb, ("FAILED", "compressed_bomb")),
    Case("pdf named .xml (extension lies)", "usage.xml", _bill, ("LOADED", None)),
    Case(
        "period in the future",
        "future.pdf",
        lambda: _bill(
            bill_period_start=date(2099, 1, 1),
            bill_period_end=date(2099, 1, 31),
            statement_date=date(2099, 2, 3),
            due_date=date(2099, 2, 24),
        ),
        ("NEEDS_REVIEW", "period_in_future"),
    ),
    Case(
        "reversed period",
        "reversed.pdf",
        lambda: _bill(bill_period_start=date(2026, 3, 31), bill_period_end=date(2026, 3, 1)),
        ("NEEDS_REVIEW", "period_invalid"),
    ),
    Case(
        "wrong total",
        "wrong-total.pdf",
        lambda: _bill(total_amount=Decimal("999.99")),
        ("NEEDS_REVIEW", "line_items_sum_mismatch"),
    ),
    # XML
    Case("billion laughs", "laughs.xml", lambda: LAUGHS, ("FAILED", "xml_dtd_forbidden")),
    Case("external entity", "xxe.xml", lambda: EXTERNAL_ENTITY, ("FAILED", "xml_dtd_forbidden")),
    Case("external DTD", "dtd.xml", lambda: EXTERNAL_DTD, ("FAILED", "xml_dtd_forbidden")),
    Case(
        "UTF-16 external entity",
        "xxe16.xml",
        lambda: EXTERNAL_ENTITY.replace(b"UTF-8", b"UTF-16").decode().encode("utf-16"),
        ("FAILED", "xml_dtd_forbidden"),
    ),
    Case("malformed xml", "broken.xml", lambda: _espi(_readings())[:-300], ("FAILED", "malformed_xml")),
    Case(
        "wrong namespace",
        "wrong-ns.xml",
        lambda: _espi(_readings()).replace(b"http://naesb.org/espi", b"http://example.invalid/espi"),
        ("FAILED", "wrong_namespace"),
    ),
    Case(
        "huge attribute",
        "attr.xml",
        lambda: ATOM + b'<feed xmlns="http://www.w3.org/2005/Atom" x="' + b"a" * (11 << 20) + b'"/>',
        ("FAILED", "malformed_xml"),
    ),
    Case("negative values", "negative.xml", lambda: _espi_replace(b"<value>", b"<value>-", 3), ("LOADED", None)),
    Case(
        "unknown unit",
        "uom.xml",
        lambda: _espi_replace(b"<uom>72</uom>", b"<uom>999</uom>"),
        ("NEEDS_REVIEW", "unknown_unit"),
    ),
    Case(
        "non-numeric value",
        "nan.xml",
        lambda: _espi_replace(b"<value>", b"<value>abc"),
        ("FAILED", "invalid_espi_value"),
    ),
    Case("overlapping readings", "overlap.xml", _overlapping, ("LOADED", None)),
    Case(
        "absurd value",
        "absurd.xml",
        lambda: _espi_replace(b"<value>", b"<value>9999999999999"),
        ("NEEDS_REVIEW", "implausible_value"),
    ),
    # CSV
    Case("unknown csv layout", "export.csv", lambda: _csv("unknown_layout.csv"), ("FAILED", "unknown_csv_layout")),
    Case("formula injection", "formula.csv", _formula_csv, ("LOADED", None)),
    Case("duplicate rows", "dupes.csv", _duplicate_rows_csv, ("LOADED", None)),
    Case("mixed encodings", "latin1.csv", _mixed_encoding_csv, ("LOADED", None)),
    Case("BOM and non-breaking spaces", "sce.csv", lambda: _csv("sce_sectioned_fallback.csv"), ("LOADED", None)),
    # names and kinds
    Case("path traversal name", "../../../etc/passwd.pdf", _bill, ("LOADED", None)),
    Case("empty xml", "empty.xml", lambda: b"", ("api", 400, "empty_file")),
    Case("binary garbage", "data.bin", lambda: random.Random(2).randbytes(5000), ("FAILED", "unsupported_file_type")),
    Case(
        "xml named .pdf (extension lies)",
        "bill.pdf",
        lambda: (CORPUS_DIR / "gas_direct.xml").read_bytes(),
        ("LOADED", None),
    ),
]


def _upload(api: Any, account: str, filename: str, data: bytes) -> Any:
    return api.post("/uploads", data={"utility_account_id": account, "file": (io.BytesIO(data), filename)})


def test_the_catalogue_has_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input_has_its_defined_outcome(platform: InProcessPlatform, api_client: Any, case: Case) -> None:
    customer = api_client.post("/customers", json={"name": "Hostile"}).json["id"]
    account = api_client.post(
        "/utility-accounts", json={"customer_id": customer, "provider": "manual", "account_number": "H-1"}
    ).json["id"]
    neighbour = _upload(api_client, account, "neighbour.xml", (CORPUS_DIR / "electric_containerized.xml").read_bytes())
    response = _upload(api_client, account, case.filename, case.make())
    platform.drain()

    if case.outcome[0] == "api":
        assert (response.status_code, response.json["error"]["code"]) == case.outcome[1:]
    else:
        assert response.status_code == 202, response.json
        job = api_client.get(f"/jobs/{response.json['job_id']}").json
        [artifact] = job["artifacts"]
        assert (artifact["status"], artifact["reason_code"]) == case.outcome, artifact.get("message")
        assert job["status"] == {"LOADED": "SUCCEEDED"}.get(artifact["status"], artifact["status"])
        assert "/" not in (artifact["original_name"] or "") and ".." not in artifact["object_name"]
    assert all(d.attempts <= 3 for d in platform.delivered + platform.dead_letters)
    assert len(platform.dead_letters) <= 1
    neighbour_job = api_client.get(f"/jobs/{neighbour.json['job_id']}").json
    assert neighbour_job["status"] == "SUCCEEDED", neighbour_job
