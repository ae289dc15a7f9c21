"""Fault injection: stages die at chosen points; after redelivery (and replay) nothing is lost or doubled.

Each run gets a fresh database and warehouse. A run's outcome is compared with a clean run's as a
snapshot of natural keys and values (ids and timestamps differ by construction).
"""

from __future__ import annotations

import io
import random
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from harness import (
    ADMIN_KEY,
    CORPUS_DIR,
    SANDBOX_SECRET,
    InProcessPlatform,
    RecordingBlobStore,
    function_client,
    make_ports,
)

from common import runtime
from common.adapters.duckdb_warehouse import DuckDBWarehouse
from common.adapters.postgres import PostgresDatabase
from common.models import NormalizedBill
from common.ports import BillRecord
from local.postgres import create_database, drop_database

POINTS = (
    "raw_before_write",  # ingest died writing a raw object: nothing written yet
    "raw_written",  # ingest wrote a raw object, then died before acknowledging
    "normalized_written",  # extract wrote the normalized object, then died before acknowledging
    "postgres_committed",  # load committed the bill to Postgres, then died before the warehouse
    "warehouse_loaded",  # load wrote the warehouse, then died before marking the artifact
)


class InjectedCrash(RuntimeError):
    """A process dying at a chosen point; the platform sees a failed delivery."""


class FaultPlan:
    def __init__(self, crashes: dict[str, int]) -> None:
        self.remaining = dict(crashes)
        self.fired: list[str] = []

    def hit(self, point: str) -> None:
        if self.remaining.get(point, 0) > 0:
            self.remaining[point] -= 1
            self.fired.append(point)
            raise InjectedCrash(point)

    def heal(self) -> None:
        self.remaining.clear()


def faulty_blob_store(plan: FaultPlan) -> Any:
    class FaultyBlobStore(RecordingBlobStore):
        def write(
            self, bucket: str, name: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None
        ) -> bool:
            if name.startswith("raw/"):
                plan.hit("raw_before_write")  # the API or ingest dies mid-upload, before the object exists
            created = super().write(bucket, name, data, content_type, metadata)
            if name.startswith("raw/"):
                plan.hit("raw_written")
            elif name.endswith(".json"):
                plan.hit("normalized_written")
            return created

    return FaultyBlobStore


class FaultyDatabase(PostgresDatabase):
    plan: FaultPlan

    def upsert_bill(self, artifact: Any, bill: NormalizedBill) -> str:
        bill_id = super().upsert_bill(artifact, bill)
        self.plan.hit("postgres_committed")
        return bill_id


class FaultyWarehouse(DuckDBWarehouse):
    plan: FaultPlan

    def upsert_bill(self, record: BillRecord) -> None:
        super().upsert_bill(record)
        self.plan.hit("warehouse_loaded")


@contextmanager
def fresh_platform(postgres_url: str, plan: FaultPlan) -> Iterator[InProcessPlatform]:
    name = f"faults_{uuid.uuid4().hex[:12]}"
    workdir = Path(tempfile.mkdtemp(prefix="minimeter-faults-"))
    database = FaultyDatabase.from_url(create_database(postgres_url, name))
    database.plan = plan
    database.migrate()
    warehouse = FaultyWarehouse(workdir / "warehouse.duckdb")
    warehouse.plan = plan
    warehouse.ensure_schema()
    ports, publisher, blobs = make_ports(workdir, database, warehouse, blob_store=faulty_blob_store(plan))
    runtime.set_ports(ports)
    try:
        yield InProcessPlatform(ports, publisher, blobs)
    finally:
        runtime.set_ports(None)
        database.close()
        drop_database(postgres_url, name)
        shutil.rmtree(workdir, ignore_errors=True)


def run_scenario(platform: InProcessPlatform, plan: FaultPlan) -> dict[str, Any]:
    """Two accounts, bills and intervals; faults fire; dead letters are replayed once the plan heals."""
    api = function_client("api", "http")
    api.environ_base["HTTP_X_API_KEY"] = ADMIN_KEY
    customer = api.post("/customers", json={"name": "Faults Inc"}).json["id"]
    jobs = []
    for number in ("F-1", "F-2"):
        account = api.post(
            "/utility-accounts",
            json={
                "customer_id": customer,
                "provider": "sandbox",
                "account_number": number,
                "credentials_secret_name": SANDBOX_SECRET,
            },
        ).json["id"]
        response = api.post(
            "/ingest/run", json={"utility_account_id": account, "job_type": "FULL_PIPELINE", "since_date": "2026-09-01"}
        )
        jobs.append(response.json["job_id"])
    platform.drain()
    plan.heal()  # the fix is deployed
    replay = api.post("/admin/dead-letters/replay", json={})
    assert replay.status_code == 200, replay.json
    platform.drain()
    assert not platform.dead_letters
    return snapshot(platform, customer, [api.get(f"/jobs/{j}").json for j in jobs])


def snapshot(platform: InProcessPlatform, customer: str, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    db, warehouse = platform.ports.database, platform.ports.warehouse
    return {
        "jobs": sorted(j["status"] for j in jobs),
        "artifacts": sorted((a.sha256, a.kind.value, a.status.value) for a in db.list_artifacts(customer)),
        "bills": sorted(
            (
                r.bill.account_number,
                r.bill.bill_period_start,
                r.bill.total_amount,
                r.bill.amount_due,
                len(r.bill.line_items),
                len(r.bill.usage),
            )
            for r in db.list_bills(customer, limit=10_000)
        ),
        "warehouse_bills": sorted(
            (str(r["bill_period_start"]), str(r["total_amount"]), r["status"])
            for r in warehouse.rows("normalized_bills")
        ),
        "interval_rows": len(warehouse.rows("interval_usage")),
        "interval_values": sorted(
            (str(r["meter_id"]), str(r["ts"]), str(r["value"])) for r in warehouse.rows("interval_usage")
        )[::97],  # a deterministic sample of values keeps the comparison quick
        "interval_series": db.interval_row_count(customer),
    }


@pytest.fixture(scope="module")
def clean_run(postgres_url: str) -> dict[str, Any]:
    plan = FaultPlan({})
    with fresh_platform(postgres_url, plan) as platform:
        result = run_scenario(platform, plan)
    assert result["jobs"] == ["SUCCEEDED", "SUCCEEDED"]
    assert len(result["bills"]) == 4 and result["interval_rows"] == (30 + 31) * 24 * 2
    return result


@pytest.mark.parametrize("crashes", [1, 2, 3])
@pytest.mark.parametrize("point", POINTS)
def test_a_crash_at_each_point_loses_and_doubles_nothing(
    postgres_url: str, clean_run: dict[str, Any], point: str, crashes: int
) -> None:
    """1 or 2 crashes are healed by redelivery; 3 exhaust the attempts and are healed by replay."""
    plan = FaultPlan({point: crashes})
    with fresh_platform(postgres_url, plan) as platform:
        result = run_scenario(platform, plan)
    assert plan.fired == [point] * crashes
    assert result == clean_run


@pytest.mark.parametrize("seed", range(6))
def test_random_fault_schedules(postgres_url: str, clean_run: dict[str, Any], seed: int) -> None:
    chooser = random.Random(seed)
    plan = FaultPlan({point: chooser.randint(0, 3) for point in chooser.sample(POINTS, k=chooser.randint(1, 4))})
    with fresh_platform(postgres_url, plan) as platform:
        result = run_scenario(platform, plan)
    assert result == clean_run


def test_an_upload_that_dies_midway_is_completed_by_its_retry(postgres_url: str) -> None:
    """The API registered the artifact and died before the object was written; the client retries."""

    plan = FaultPlan({"raw_before_write": 1})
    with fresh_platform(postgres_url, plan) as platform:
        api = function_client("api", "http")
        api.environ_base["HTTP_X_API_KEY"] = ADMIN_KEY
        customer = api.post("/customers", json={"name": "Uploads"}).json["id"]
        account = api.post(
            "/utility-accounts", json={"customer_id": customer, "provider": "manual", "account_number": "U-1"}
        ).json["id"]
        data = (CORPUS_DIR / "gas_direct.xml").read_bytes()

        def upload() -> Any:
            return api.post(
                "/uploads",
                data={"utility_account_id": account, "file": (io.BytesIO(data), "gas.xml")},
                headers={"Idempotency-Key": "upload-1"},
            )

        first = upload()
        assert (first.status_code, first.json["error"]["code"]) == (500, "internal_error")
        second = upload()
        assert second.status_code == 202
        platform.drain()
        jobs = platform.ports.database.list_jobs(customer)
        assert [(j.id, j.status.value) for j in jobs] == [(second.json["job_id"], "SUCCEEDED")]  # no orphan job
        assert platform.ports.warehouse.count("interval_usage", customer) == 5
