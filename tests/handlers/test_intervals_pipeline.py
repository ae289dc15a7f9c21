"""Interval files through the real functions: Parquet objects, file loads, CSV, reconciliation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness import CORPUS_DIR, SANDBOX_SECRET, InProcessPlatform
from test_pipeline import _account, _customer, _run

from common.intervals.table import read_parquet

CSV_DIR = Path(__file__).resolve().parents[1] / "data" / "csv"


def _upload(api: Any, platform: InProcessPlatform, account_id: str, path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        response = api.post("/uploads", data={"utility_account_id": account_id, "file": (handle, path.name)})
    assert response.status_code == 202, response.json
    platform.drain()
    return dict(api.get(f"/jobs/{response.json['job_id']}").json)


def test_intervals_travel_as_parquet_and_load_as_a_file(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, provider="manual", secret=None)
    job = _upload(api_client, platform, account_id, CORPUS_DIR / "gas_direct.xml")
    assert job["status"] == "SUCCEEDED"
    settings = platform.ports.settings
    [name] = [n for n in platform.blobs.list(settings.normalized_bucket) if n.endswith(".intervals.parquet")]
    table = read_parquet(platform.blobs.read(settings.normalized_bucket, name))
    rows = platform.ports.warehouse.rows("interval_usage")
    assert table.num_rows == len(rows) == 5
    assert {r["artifact_id"] for r in rows} == {job["artifacts"][0]["id"]}
    assert {r["unit"] for r in rows} == {"therm"}


def test_each_csv_layout_goes_through_the_pipeline(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, provider="manual", secret=None)
    for name in ("opower_electric_15min_fallback.csv", "sdge_hourly_fallback.csv", "sce_sectioned_fallback.csv"):
        job = _upload(api_client, platform, account_id, CSV_DIR / name)
        assert (job["status"], job["artifacts"][0]["kind"]) == ("SUCCEEDED", "utility_csv"), name
    assert platform.ports.warehouse.count("interval_usage", customer_id) == 28 + 75 + 50
    rejected = _upload(api_client, platform, account_id, CSV_DIR / "unknown_layout.csv")
    assert rejected["status"] == "FAILED"
    assert rejected["artifacts"][0]["reason_code"] == "unknown_csv_layout"


def test_bill_periods_are_reconciled_against_intervals(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, secret=SANDBOX_SECRET)
    job = _run(api_client, platform, account_id, since="2026-09-01")
    assert job["status"] == "SUCCEEDED"
    records = platform.ports.warehouse.rows("interval_reconciliation")
    bills = {b.id for b in platform.ports.database.account_bills(account_id)}
    assert {r["bill_id"] for r in records} == bills  # every bill with interval coverage has a result
    for record in records:
        assert record["status"] in {"match", "mismatch", "partial_coverage"}
        assert record["interval_total"] is not None and record["coverage_ratio"] > 0
        if record["status"] != "match":
            assert record["likely_cause"] in {
                "missing_intervals",
                "conversion_factor",
                "estimated_intervals",
                "dst",
                "unexplained",
            }
