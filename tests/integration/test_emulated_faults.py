"""Fault injection on the emulated stack: the load function dies, Pub/Sub dead-letters, replay heals.

The in-process harness (tests/handlers/test_faults.py) makes stages crash at chosen points; here a
whole function process is killed while a job runs, on the cloud code path: the Pub/Sub emulator's
push subscription to `load` is refused, pushed again about every second and, after its
5 deliveries, forwarded to the dead-letter topic, where the ``-hold`` subscription keeps it. Once
`load` runs again, the admin API replays the dead letters (PubSubDeadLetterStore republishes them to
the source topic) and the job completes. What Postgres and the warehouse hold at the end equals a
clean run of the same account on the embedded stack: zero rows lost, zero doubled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from snapshot import snapshot

from common.runtime import build_ports
from local.client import ApiClient
from local.emulate import EmulatedStack
from local.stack import SANDBOX_SECRET_NAME, LocalStack

pytestmark = pytest.mark.emulated

CUSTOMER = "Emulated Faults Co"
ACCOUNT_NUMBER = "SBX-FAULTS-001"
SINCE = "2026-10-01"  # one month: a bill PDF and an ESPI file with hourly intervals
LOAD_SUBSCRIPTION = "load-on-normalized-finalize"


def _start_job(client: ApiClient) -> str:
    customer = client.call("POST", "/customers", json={"name": CUSTOMER})
    account = client.call(
        "POST",
        "/utility-accounts",
        json={
            "customer_id": customer["id"],
            "provider": "sandbox",
            "account_number": ACCOUNT_NUMBER,
            "credentials_secret_name": SANDBOX_SECRET_NAME,
        },
    )
    job = client.call(
        "POST",
        "/ingest/run",
        json={"utility_account_id": account["id"], "job_type": "FULL_PIPELINE", "since_date": SINCE},
    )
    return str(job["job_id"])


def _wait_for(predicate: Any, timeout: float, what: str, evidence: Callable[[], str] = lambda: "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout}s {evidence()}")
        time.sleep(0.5)


def test_load_dies_events_dead_letter_and_replay_lands_exactly_a_clean_run(work_dir: Path) -> None:
    started = time.monotonic()
    with LocalStack(work_dir / "embedded") as embedded_stack:
        client = ApiClient(embedded_stack.api_url, embedded_stack.admin_key)
        job_id = _start_job(client)
        assert client.wait_for_jobs([job_id], timeout=120)[job_id]["status"] == "SUCCEEDED"
        assert embedded_stack.wait_idle(60)
        clean = snapshot(embedded_stack.env["DB_URL"], build_ports(embedded_stack.settings()).warehouse)
    embedded_seconds = time.monotonic() - started
    assert len(clean["bills"]) >= 1 and clean["warehouse.interval_usage"], "the clean run loaded nothing"

    started = time.monotonic()
    with EmulatedStack(work_dir / "emulated", hold_dead_letters=True) as stack:
        ports = build_ports(stack.settings())
        client = ApiClient(stack.api_url, stack.admin_key)

        settings = stack.settings()

        def acknowledged_without_work(envelope: dict[str, Any]) -> bool:
            """What load acknowledges without work: the other bucket's events (the emulator's one storage
            topic carries both) and the interval Parquet objects (read through their JSON). Failing those
            too would stall the emulator's push (EmulatedStack.stop_function)."""
            attributes = envelope.get("message", {}).get("attributes", {})
            return bool(
                attributes.get("bucketId") != settings.normalized_bucket
                or not str(attributes.get("objectId", "")).endswith(".json")
            )

        stack.stop_function("load", acknowledge=acknowledged_without_work)  # the stage dies: pushes get 503
        job_id = _start_job(client)

        # ingest and extract finish; every normalized-bucket event pushed to load is dead-lettered
        # after its 5 deliveries and held on the -hold subscription.
        assert stack.wait_idle(120)
        objects = len([n for n in ports.blobs.list(settings.normalized_bucket) if n.endswith(".json")])
        assert objects == 2  # the bill's and the ESPI file's normalized JSON

        def held() -> list[dict[str, Any]] | None:
            letters: list[dict[str, Any]] = client.call("GET", "/admin/dead-letters")["dead_letters"]
            return letters if len(letters) >= objects else None

        load_port = stack.unavailable["load"]
        letters = _wait_for(
            held,
            120,
            f"{objects} dead letters held",
            lambda: f"(load's port refused {dict(load_port.refused)}, accepted {load_port.accepted})",
        )
        assert len(letters) == objects
        assert {letter["subscription"] for letter in letters} == {LOAD_SUBSCRIPTION}
        assert all(letter["attempts"] == 5 for letter in letters)
        one = client.call("GET", f"/admin/dead-letters/{letters[0]['id']}")
        assert one == letters[0]
        assert client.call("GET", f"/jobs/{job_id}")["status"] not in ("SUCCEEDED", "FAILED")
        faulted = snapshot(stack.env["DB_URL"], ports.warehouse)
        assert faulted["bills"] == [] and faulted["warehouse.interval_usage"] == []

        stack.start_function("load")  # the fix is deployed
        result = client.call("POST", "/admin/dead-letters/replay", json={})
        assert (result["replayed"], result["succeeded"], result["failed"]) == (objects, objects, 0)
        assert client.wait_for_jobs([job_id], timeout=120)[job_id]["status"] == "SUCCEEDED"
        assert stack.wait_idle(60)
        assert client.call("GET", "/admin/dead-letters")["dead_letters"] == []
        # Replaying again finds nothing to replay and changes nothing.
        again = client.call("POST", "/admin/dead-letters/replay", json={})
        assert (again["replayed"], again["succeeded"], again["failed"]) == (0, 0, 0)

        healed = snapshot(stack.env["DB_URL"], ports.warehouse)
    emulated_seconds = time.monotonic() - started
    print(f"\nembedded clean run {embedded_seconds:.1f}s, emulated faulted run {emulated_seconds:.1f}s")

    for table, expected in clean.items():
        assert healed[table] == expected, f"{table}: the healed emulated run differs from the clean run"
