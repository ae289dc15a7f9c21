"""The demo through the real emulators, and row-for-row agreement with the embedded stack.

Runs the same inputs (sandbox accounts of every scenario + the Green Button corpus) once on the
embedded stack and once on the emulated one (Pub/Sub emulator push subscriptions, fake-gcs-server
notifications, bqemulator, PostgreSQL 15, Secret Manager and Gemini through their real clients), then
compares what each left in Postgres and in its warehouse with generated ids and load times named away.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from snapshot import snapshot

from common.runtime import build_ports
from local.client import ApiClient, collect_files
from local.demo import DEFAULT_CORPUS, demo_flow
from local.emulate import EmulatedStack
from local.stack import LocalStack

pytestmark = pytest.mark.emulated


def _without(rows: list[str], column: str) -> list[str]:
    return sorted(json.dumps({k: v for k, v in json.loads(r).items() if k != column}, sort_keys=True) for r in rows)


def _comparable(summary: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in summary.items() if k not in ("customer_id", "dead_letters")}


def test_emulated_demo_agrees_with_embedded_row_for_row(work_dir: Path) -> None:
    started = time.monotonic()
    with LocalStack(work_dir / "embedded") as embedded_stack:
        embedded_summary, _ = demo_flow(embedded_stack, work_dir / "embedded")
        embedded = snapshot(embedded_stack.env["DB_URL"], build_ports(embedded_stack.settings()).warehouse)
    embedded_seconds = time.monotonic() - started

    started = time.monotonic()
    with EmulatedStack(work_dir / "emulated") as stack:
        summary, rows = demo_flow(stack, work_dir / "emulated")
        emulated = snapshot(stack.env["DB_URL"], build_ports(stack.settings()).warehouse)
        client = ApiClient(stack.api_url, stack.admin_key)
        accounts = json.loads((work_dir / "emulated" / "demo.json").read_text())["accounts"]

        # Redelivery changes nothing: the same corpus dropped again is recognised by content hash.
        jobs = [client.upload(accounts["corpus"], path)["job_id"] for path in collect_files([DEFAULT_CORPUS])]
        assert {j["status"] for j in client.wait_for_jobs(jobs, timeout=300).values()} == {"SUCCEEDED"}
        assert stack.wait_idle(60)
        after = snapshot(stack.env["DB_URL"], build_ports(stack.settings()).warehouse)

        # The agent plans with Gemini (the real google-genai client against the loopback stub) and its
        # step runs through Pub/Sub.
        result = client.call(
            "POST", "/agent/run", json={"utility_account_id": accounts["normal"], "goal": "my last 3 months of bills"}
        )
        assert result["planner"].startswith("gemini:")
        [step] = result["plan"]
        assert (step["tool"], step["arguments"]["months"]) == ("fetch_bills", 3)
        child = step["outcome"]["job_id"]
        assert client.wait_for_jobs([child], timeout=300)[child]["status"] == "SUCCEEDED"
        assert stack.gemini_stub is not None and stack.gemini_stub.requests["generateContent"] == 1
        assert stack.secret_stub is not None and stack.secret_stub.requests["access"] > 0
        services = list(stack.services)
    emulated_seconds = time.monotonic() - started
    print(f"\nembedded demo {embedded_seconds:.1f}s, emulated demo {emulated_seconds:.1f}s")

    # Everything started was stopped, the push subscriptions first.
    assert stack.topology is None and stack.services == [] and stack.processes == {}
    assert all(s.process is None for s in services)

    assert (summary["files"], summary["loaded"], summary["needs_review"], summary["failed"]) == (59, 57, 1, 1)
    assert _comparable(summary) == _comparable(embedded_summary)
    assert len(rows) == 59
    # The corrupt file reaches the dead letters in both modes: the router's budget is 3 deliveries;
    # Pub/Sub's is 5, and the code refuses the 4th and 5th delivery of work it recorded as FAILED.
    assert (embedded_summary["dead_letters"], summary["dead_letters"]) == (1, 1)

    for table, expected in embedded.items():
        if table == "warehouse.interval_usage":
            # Overlapping corpus files repeat readings; which file a row was loaded from LAST depends on
            # the delivery order (concurrent in both modes), so artifact_id is compared without it.
            expected, got = _without(expected, "artifact_id"), _without(emulated[table], "artifact_id")
            assert got == expected, f"{table} differs between the embedded and emulated modes"
            continue
        assert emulated[table] == expected, f"{table} differs between the embedded and emulated modes"
    for table in ("bills", "bill_line_items", "interval_series", "artifacts", "warehouse.normalized_bills"):
        assert after[table] == emulated[table], f"{table} changed when the same files came again"
    assert after["warehouse.interval_usage"] == emulated["warehouse.interval_usage"]
