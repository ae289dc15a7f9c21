"""The sandbox utility's scenarios give the same bytes for the same account and request, as its docstring promises;
the scanned_bill scenario's oldest statement has no text layer, the others have one."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from common.connectors.base import FetchRequest
from common.connectors.sandbox import SandboxConnector
from common.extraction.bills.guard import PdfTextReader
from common.models import JobType, UtilityAccount

BILLS = FetchRequest(JobType.FETCH_BILLS, months=3)


def _account(scenario: str) -> UtilityAccount:
    return UtilityAccount(
        id="acct-1",
        customer_id="cust-1",
        provider="sandbox",
        account_number=f"SBX-{scenario.upper()}-001",
        scenario=scenario,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


def test_the_scanned_bill_scenario_gives_its_oldest_statement_as_a_scan_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same bytes an hour later too: a PDF that carried the second it was saved would be a new file to the
    pipeline (its hash), a second bill for review on each run."""
    connector = SandboxConnector()
    first = connector.fetch(_account("scanned_bill"), BILLS, "sandbox-secret")
    gmtime = time.gmtime  # "now" an hour later; a given time (reportlab's fixed date) as given
    monkeypatch.setattr(time, "gmtime", lambda seconds=None: gmtime(time.time() + 3600 if seconds is None else seconds))
    again = connector.fetch(_account("scanned_bill"), BILLS, "sandbox-secret")

    assert [f.filename for f in first] == ["bill-2026-08.pdf", "bill-2026-09.pdf", "bill-2026-10.pdf"]
    assert [f.data for f in first] == [f.data for f in again]
    reader = PdfTextReader("inline")
    assert [reader.read(f.data).has_text for f in first] == [False, True, True]
    normal = connector.fetch(_account("normal"), BILLS, "sandbox-secret")
    assert all(reader.read(f.data).has_text for f in normal)
