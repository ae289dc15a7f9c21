"""The HTTP function's contract: validated JSON in and out, JSON errors, the agent and secrets endpoints."""

from __future__ import annotations

import io
from typing import Any

import pytest
from harness import SANDBOX_SECRET, InProcessPlatform

from common.config import get_settings


def _customer_and_account(api: Any, provider: str = "sandbox") -> tuple[str, str]:
    customer = api.post("/customers", json={"name": "Acme"}).json["id"]
    account = api.post(
        "/utility-accounts",
        json={
            "customer_id": customer,
            "provider": provider,
            "account_number": "A-100",
            "credentials_secret_name": SANDBOX_SECRET,
        },
    ).json["id"]
    return customer, account


def test_health(api_client: Any) -> None:
    response = api_client.get("/health")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("get", "/customers/cus_missing", None, 404, "not_found"),
        ("get", "/jobs/job_missing", None, 404, "not_found"),
        ("get", "/no/such/route", None, 404, "not_found"),
        ("delete", "/customers", None, 405, "method_not_allowed"),
        ("post", "/customers", {"name": ""}, 422, "validation_error"),
        ("post", "/customers", {"name": "x", "extra": 1}, 422, "validation_error"),
        ("post", "/customers", ["not", "an", "object"], 400, "invalid_json"),
        (
            "post",
            "/utility-accounts",
            {"customer_id": "cus_missing", "provider": "sandbox", "account_number": "1"},
            404,
            "not_found",
        ),
        ("post", "/ingest/run", {"utility_account_id": "acc_x", "job_type": "DELETE_ALL"}, 422, "validation_error"),
        ("post", "/agent/run", {"utility_account_id": "acc_missing", "goal": "backfill"}, 404, "not_found"),
    ],
)
def test_errors_are_json_with_a_code(
    api_client: Any, method: str, path: str, body: Any, status: int, code: str
) -> None:
    response = getattr(api_client, method)(path, json=body) if body is not None else getattr(api_client, method)(path)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_provider_is_refused(api_client: Any) -> None:
    customer = api_client.post("/customers", json={"name": "Acme"}).json["id"]
    response = api_client.post(
        "/utility-accounts", json={"customer_id": customer, "provider": "nowhere-electric", "account_number": "1"}
    )
    assert (response.status_code, response.json["error"]["code"]) == (422, "unknown_provider")


def test_uploads_reject_empty_missing_and_oversized_files(api_client: Any) -> None:
    _, account = _customer_and_account(api_client, provider="manual")
    empty = api_client.post("/uploads", data={"utility_account_id": account, "file": (io.BytesIO(b""), "e.pdf")})
    assert (empty.status_code, empty.json["error"]["code"]) == (400, "empty_file")
    missing = api_client.post("/uploads", data={"utility_account_id": account})
    assert (missing.status_code, missing.json["error"]["code"]) == (400, "missing_file")
    big = b"%PDF-1.7\n" + b"0" * (get_settings().max_upload_bytes + 10)
    too_large = api_client.post("/uploads", data={"utility_account_id": account, "file": (io.BytesIO(big), "b.pdf")})
    assert (too_large.status_code, too_large.json["error"]["code"]) == (413, "file_too_large")
    other = api_client.post(
        "/uploads", data={"utility_account_id": "acc_missing", "file": (io.BytesIO(b"%PDF-1.7"), "b.pdf")}
    )
    assert other.status_code == 404


def test_upload_with_a_path_in_its_name_keeps_only_the_base_name(platform: InProcessPlatform, api_client: Any) -> None:
    _, account = _customer_and_account(api_client, provider="manual")
    response = api_client.post(
        "/uploads", data={"utility_account_id": account, "file": (io.BytesIO(b"not a bill at all"), "../../etc/passwd")}
    )
    assert response.status_code == 202
    assert response.json["object_name"].startswith("raw/")
    assert ".." not in response.json["object_name"]
    platform.drain()
    job = api_client.get(f"/jobs/{response.json['job_id']}").json
    assert job["artifacts"][0]["original_name"] == "passwd"
    assert (job["status"], job["artifacts"][0]["reason_code"]) == ("FAILED", "unsupported_file_type")


def test_agent_backfill_plans_runs_and_reports(platform: InProcessPlatform, api_client: Any) -> None:
    _, account = _customer_and_account(api_client)
    started = api_client.post(
        "/agent/run", json={"utility_account_id": account, "goal": "backfill 2 months of bills and intervals"}
    )
    assert started.status_code == 202, started.json
    assert started.json["planner"] == "deterministic"
    assert [(s["tool"], s["arguments"]) for s in started.json["plan"]] == [
        ("fetch_bills", {"months": 2}),
        ("fetch_intervals", {"months": 2}),
    ]
    assert started.json["status"] == "RUNNING"

    platform.drain()
    result = api_client.get(f"/agent/result/{started.json['job_id']}").json
    assert result["status"] == "SUCCEEDED"
    assert [s["status"] for s in result["plan"]] == ["done", "done"]
    assert [s["outcome"]["artifacts"] for s in result["plan"]] == [2, 2]
    job = api_client.get(f"/jobs/{started.json['job_id']}").json
    assert (job["job_type"], job["status"]) == ("AGENT", "SUCCEEDED")


def test_agent_only_bills_when_asked(api_client: Any) -> None:
    _, account = _customer_and_account(api_client)
    started = api_client.post("/agent/run", json={"utility_account_id": account, "goal": "get the last year of bills"})
    assert [s["tool"] for s in started.json["plan"]] == ["fetch_bills"]
    assert started.json["plan"][0]["arguments"] == {"months": 12}


def test_agent_result_of_a_plain_job_is_refused(platform: InProcessPlatform, api_client: Any) -> None:
    _, account = _customer_and_account(api_client)
    job = api_client.post("/ingest/run", json={"utility_account_id": account, "job_type": "FETCH_BILLS"}).json
    response = api_client.get(f"/agent/result/{job['job_id']}")
    assert (response.status_code, response.json["error"]["code"]) == (400, "not_an_agent_job")


def test_secrets_check_names_only(api_client: Any) -> None:
    customer, _ = _customer_and_account(api_client)
    api_client.post(
        "/utility-accounts",
        json={
            "customer_id": customer,
            "provider": "sandbox",
            "account_number": "A-2",
            "credentials_secret_name": "absent",
        },
    )
    response = api_client.get(f"/secrets/check?customer_id={customer}")
    assert response.status_code == 200
    assert response.json["secrets"] == [{"name": "absent", "present": False}, {"name": SANDBOX_SECRET, "present": True}]
    assert "sandbox-test-token" not in response.get_data(as_text=True)
