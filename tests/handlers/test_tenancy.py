"""Authentication and tenant isolation, tried on every endpoint the API declares."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import functions_framework
import pytest
from harness import ADMIN_KEY, REPO_ROOT, SANDBOX_SECRET, InProcessPlatform

from common.http_api import OPERATIONS


def _client(key: str | None) -> Any:
    app = functions_framework.create_app("api", str(REPO_ROOT / "functions" / "api" / "main.py"), "http")
    client = app.test_client()
    if key is not None:
        client.environ_base["HTTP_X_API_KEY"] = key
    return client


class Tenant:
    def __init__(self, admin: Any, platform: InProcessPlatform, name: str) -> None:
        self.customer = admin.post("/customers", json={"name": name}).json["id"]
        self.key = admin.post(f"/customers/{self.customer}/api-keys").json["api_key"]
        self.account = admin.post(
            "/utility-accounts",
            json={
                "customer_id": self.customer,
                "provider": "sandbox",
                "account_number": f"{name}-1",
                "credentials_secret_name": SANDBOX_SECRET,
            },
        ).json["id"]
        self.job = admin.post(
            "/ingest/run",
            json={"utility_account_id": self.account, "job_type": "FETCH_BILLS", "since_date": "2026-10-01"},
        ).json["job_id"]
        self.agent_job = admin.post(
            "/agent/run", json={"utility_account_id": self.account, "goal": "1 month of bills"}
        ).json["job_id"]
        platform.drain()


# One request per declared operation, aimed at the victim's resources.
REQUESTS: dict[tuple[str, str], Callable[[Any, Tenant], Any]] = {
    ("GET", "/customers/{customer_id}"): lambda c, v: c.get(f"/customers/{v.customer}"),
    ("GET", "/customers/{customer_id}/dashboard"): lambda c, v: c.get(f"/customers/{v.customer}/dashboard"),
    ("POST", "/customers/{customer_id}/api-keys"): lambda c, v: c.post(f"/customers/{v.customer}/api-keys"),
    ("POST", "/customers"): lambda c, v: c.post("/customers", json={"name": "Intruder"}),
    ("POST", "/utility-accounts"): lambda c, v: c.post(
        "/utility-accounts", json={"customer_id": v.customer, "provider": "sandbox", "account_number": "X-1"}
    ),
    ("GET", "/utility-accounts/{account_id}"): lambda c, v: c.get(f"/utility-accounts/{v.account}"),
    ("POST", "/ingest/run"): lambda c, v: c.post(
        "/ingest/run", json={"utility_account_id": v.account, "job_type": "FETCH_BILLS"}
    ),
    ("GET", "/jobs/{job_id}"): lambda c, v: c.get(f"/jobs/{v.job}"),
    ("POST", "/uploads"): lambda c, v: c.post(
        "/uploads", data={"utility_account_id": v.account, "file": (io.BytesIO(b"%PDF-1.7 x"), "a.pdf")}
    ),
    ("GET", "/secrets/check"): lambda c, v: c.get(f"/secrets/check?customer_id={v.customer}"),
    ("POST", "/agent/run"): lambda c, v: c.post("/agent/run", json={"utility_account_id": v.account, "goal": "bills"}),
    ("GET", "/agent/result/{job_id}"): lambda c, v: c.get(f"/agent/result/{v.agent_job}"),
    ("GET", "/admin/dead-letters"): lambda c, v: c.get("/admin/dead-letters"),
    ("GET", "/admin/dead-letters/{dead_letter_id}"): lambda c, v: c.get("/admin/dead-letters/any"),
    ("POST", "/admin/dead-letters/replay"): lambda c, v: c.post("/admin/dead-letters/replay", json={}),
}
ADMIN_ONLY = {
    ("POST", "/customers"),
    ("POST", "/customers/{customer_id}/api-keys"),
    ("GET", "/admin/dead-letters"),
    ("GET", "/admin/dead-letters/{dead_letter_id}"),
    ("POST", "/admin/dead-letters/replay"),
}


@pytest.fixture
def tenants(platform: InProcessPlatform) -> tuple[Tenant, Tenant]:
    admin = _client(ADMIN_KEY)
    return Tenant(admin, platform, "Alpha"), Tenant(admin, platform, "Bravo")


def test_every_private_endpoint_is_covered() -> None:
    private = {(op.method, op.openapi_path) for op in OPERATIONS if not op.public}
    assert private == set(REQUESTS)


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_no_key_or_a_wrong_key_is_refused(tenants: tuple[Tenant, Tenant], operation: tuple[str, str]) -> None:
    victim, _ = tenants
    for key in (None, "mmk_not-a-real-key", ""):
        response = REQUESTS[operation](_client(key), victim)
        assert response.status_code == 401, (operation, key, response.json)
        assert response.json["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_a_customer_key_never_reaches_another_tenant(
    tenants: tuple[Tenant, Tenant], operation: tuple[str, str]
) -> None:
    victim, intruder = tenants
    response = REQUESTS[operation](_client(intruder.key), victim)
    expected = 403 if operation in ADMIN_ONLY else 404
    assert response.status_code == expected, (operation, response.json)
    body = response.get_data(as_text=True)
    for victim_id in (victim.customer, victim.account, victim.job, victim.agent_job):
        assert victim_id not in body, (operation, body)


@pytest.mark.parametrize("operation", sorted(set(REQUESTS) - ADMIN_ONLY))
def test_a_customer_key_reaches_its_own_data(tenants: tuple[Tenant, Tenant], operation: tuple[str, str]) -> None:
    owner, _ = tenants
    response = REQUESTS[operation](_client(owner.key), owner)
    assert response.status_code in (200, 201, 202), (operation, response.json)


def test_bearer_header_works_and_public_endpoints_need_no_key(tenants: tuple[Tenant, Tenant]) -> None:
    owner, _ = tenants
    client = _client(None)
    response = client.get(f"/customers/{owner.customer}", headers={"Authorization": f"Bearer {owner.key}"})
    assert response.status_code == 200
    assert client.get("/health").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_keys_never_reach_the_logs(tenants: tuple[Tenant, Tenant], capfd: pytest.CaptureFixture[str]) -> None:
    owner, intruder = tenants
    _client(owner.key).get(f"/customers/{owner.customer}/dashboard")
    _client(intruder.key).get(f"/customers/{owner.customer}/dashboard")
    _client("mmk_wrong").get("/jobs/job_x")
    _client(ADMIN_KEY).post("/customers", json={"name": 42})
    captured = capfd.readouterr()
    logs = captured.out + captured.err
    for secret in (owner.key, intruder.key, ADMIN_KEY, "mmk_wrong", "sandbox-test-token"):
        assert secret not in logs
