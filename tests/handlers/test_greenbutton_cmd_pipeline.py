"""A Green Button Connect My Data account through the whole in-process pipeline, against the stub custodian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from greenbutton_custodian_stub import DataCustodianStub
from harness import CORPUS_DIR, InProcessPlatform, put_secret

SECRET = "greenbutton-cmd-credentials"
HOURS_2011 = 8760


@pytest.fixture
def custodian() -> Iterator[DataCustodianStub]:
    # Page 2 repeats page 1's last IntervalBlock (a month of hours): the warehouse must merge, not double.
    server = DataCustodianStub(CORPUS_DIR, overlap=1).start()
    try:
        yield server
    finally:
        server.stop()


def _account(api: Any, tmp_path: Path, custodian: DataCustodianStub, subscription: str, **overrides: Any) -> str:
    customer = api.post("/customers", json={"name": "Coastal Apartments"})
    assert customer.status_code == 201, customer.json
    put_secret(tmp_path, SECRET, custodian.credentials(subscription, **overrides))
    body = {
        "customer_id": customer.json["id"],
        "provider": "greenbutton_cmd",
        "account_number": f"GB-{subscription}",
        "credentials_secret_name": SECRET,
    }
    response = api.post("/utility-accounts", json=body)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def _run(api: Any, platform: InProcessPlatform, account_id: str, job_type: str = "FETCH_INTERVALS") -> dict[str, Any]:
    response = api.post("/ingest/run", json={"utility_account_id": account_id, "job_type": job_type})
    assert response.status_code == 202, response.json
    platform.drain()
    job = api.get(f"/jobs/{response.json['job_id']}")
    assert job.status_code == 200
    return dict(job.json)


def test_coastal_subscription_loads_every_hour_once(
    platform: InProcessPlatform, api_client: Any, tmp_path: Path, custodian: DataCustodianStub
) -> None:
    account_id = _account(api_client, tmp_path, custodian, "coastal")
    customer_id = platform.ports.database.get_account(account_id).customer_id
    warehouse = platform.ports.warehouse

    job = _run(api_client, platform, account_id)

    assert job["status"] == "SUCCEEDED", job["errors"]
    assert job["attempts"] == 1
    assert sorted((a["kind"], a["status"]) for a in job["artifacts"]) == [("espi_xml", "LOADED")] * 2
    assert sorted(a["original_name"] for a in job["artifacts"]) == [
        "greenbutton-coastal-p1.xml",
        "greenbutton-coastal-p2.xml",
    ]
    assert warehouse.count("interval_usage", customer_id) == HOURS_2011
    # The operational store counts each file's readings: the repeated month is in both pages.
    assert platform.ports.database.interval_row_count(customer_id) > HOURS_2011
    assert custodian.requests == {"token": 1, "batch": 2}
    before = warehouse.rows("interval_usage")

    again = _run(api_client, platform, account_id)

    assert again["status"] == "SUCCEEDED"
    assert warehouse.count("interval_usage", customer_id) == HOURS_2011
    assert warehouse.rows("interval_usage") == before
    assert custodian.requests["token"] == 1  # the function instance kept its token
    assert not platform.dead_letters


def test_custodian_outage_is_retried_by_the_platform(
    platform: InProcessPlatform, api_client: Any, tmp_path: Path, custodian: DataCustodianStub
) -> None:
    account_id = _account(api_client, tmp_path, custodian, "gas")
    custodian.inject("batch", 503, retry_after=0, times=5)  # spends the connector's own five attempts

    job = _run(api_client, platform, account_id, "FULL_PIPELINE")

    assert job["status"] == "SUCCEEDED", job["errors"]
    assert job["attempts"] == 2
    assert [(a["kind"], a["status"]) for a in job["artifacts"]] == [("espi_xml", "LOADED")]
    assert [s for k, s in custodian.statuses if k == "batch"] == [503] * 5 + [200]


def test_fetch_bills_succeeds_with_nothing_to_fetch(
    platform: InProcessPlatform, api_client: Any, tmp_path: Path, custodian: DataCustodianStub
) -> None:
    account_id = _account(api_client, tmp_path, custodian, "coastal")

    job = _run(api_client, platform, account_id, "FETCH_BILLS")

    assert job["status"] == "SUCCEEDED"
    assert job["artifacts"] == []
    assert not custodian.requests


@pytest.mark.parametrize(
    ("subscription", "overrides", "reason"),
    [
        ("missing", {}, "subscription_not_found"),
        ("coastal", {"client_secret": "wrong"}, "credentials_rejected"),
        ("coastal", {"token_url": "ftp://127.0.0.1/token"}, "credentials_invalid"),
    ],
)
def test_permanent_errors_fail_the_job_at_once(
    platform: InProcessPlatform,
    api_client: Any,
    tmp_path: Path,
    custodian: DataCustodianStub,
    subscription: str,
    overrides: dict[str, Any],
    reason: str,
) -> None:
    account_id = _account(api_client, tmp_path, custodian, subscription, **overrides)

    job = _run(api_client, platform, account_id)

    assert job["status"] == "FAILED"
    assert job["attempts"] == 1
    assert [(e["stage"], e["reason_code"]) for e in job["errors"]] == [("ingest", reason)]
    assert not platform.dead_letters
