"""The whole pipeline through the real functions (functions-framework test clients, golden CloudEvents)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from harness import CORPUS_DIR, SANDBOX_SECRET, InProcessPlatform, storage_event

from common.models import ArtifactStatus, JobStatus


def _customer(api: Any) -> str:
    response = api.post("/customers", json={"name": "Test Energy", "email": "ops@test.example"})
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def _account(
    api: Any, customer_id: str, scenario: str = "normal", provider: str = "sandbox", secret: str | None = SANDBOX_SECRET
) -> str:
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "provider": provider,
        "account_number": f"ACC-{scenario.upper().replace('_', '-')}",
        "scenario": scenario,
    }
    if secret:
        body["credentials_secret_name"] = secret
    response = api.post("/utility-accounts", json=body)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def _run(
    api: Any,
    platform: InProcessPlatform,
    account_id: str,
    job_type: str = "FULL_PIPELINE",
    since: str = "2026-08-01",
    **headers: str,
) -> dict[str, Any]:
    response = api.post(
        "/ingest/run",
        json={"utility_account_id": account_id, "job_type": job_type, "since_date": since},
        headers=headers,
    )
    assert response.status_code == 202, response.json
    platform.drain()
    job = api.get(f"/jobs/{response.json['job_id']}")
    assert job.status_code == 200
    return dict(job.json)


@pytest.mark.parametrize("storage_form", ["eventarc", "pubsub"])
def test_full_pipeline_loads_bills_and_intervals(
    platform: InProcessPlatform, api_client: Any, storage_form: str
) -> None:
    platform.storage_form = storage_form
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id)

    job = _run(api_client, platform, account_id)

    assert job["status"] == "SUCCEEDED"
    assert job["attempts"] == 1
    assert job["duration_ms"] is not None and job["duration_ms"] >= 0
    assert sorted(a["kind"] for a in job["artifacts"]) == ["bill_pdf"] * 3 + ["espi_xml"] * 3
    assert {a["status"] for a in job["artifacts"]} == {"LOADED"}
    bills = platform.ports.database.list_bills(customer_id)
    assert sorted(str(b.bill.bill_period_start) for b in bills) == ["2026-08-01", "2026-09-01", "2026-10-01"]
    assert platform.ports.warehouse.count("normalized_bills", customer_id) == 3
    hours = (31 + 30 + 31) * 24
    assert platform.ports.warehouse.count("interval_usage", customer_id) == hours
    assert platform.ports.database.interval_row_count(customer_id) == hours
    assert not platform.dead_letters


def test_running_twice_and_redelivering_adds_no_rows(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id)
    _run(api_client, platform, account_id)
    warehouse = platform.ports.warehouse
    before = (warehouse.rows("normalized_bills"), warehouse.rows("interval_usage"))
    bill_ids = sorted(b.id for b in platform.ports.database.list_bills(customer_id))

    second = _run(api_client, platform, account_id)
    for delivery in list(platform.delivered):  # the platform delivers everything once more
        platform.deliver(type(delivery)(delivery.function, delivery.make_event))

    assert second["status"] == "SUCCEEDED"
    assert len(second["artifacts"]) == 6
    assert (warehouse.rows("normalized_bills"), warehouse.rows("interval_usage")) == before
    assert sorted(b.id for b in platform.ports.database.list_bills(customer_id)) == bill_ids
    assert not platform.dead_letters


def test_corrupt_file_fails_after_three_attempts_without_losing_neighbours(
    platform: InProcessPlatform, api_client: Any
) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, "corrupt_file")

    job = _run(api_client, platform, account_id, "FETCH_BILLS", since="2026-09-01")

    assert job["status"] == "FAILED"
    statuses = sorted((a["status"], a["reason_code"]) for a in job["artifacts"])
    assert statuses == [("FAILED", "corrupt_pdf"), ("LOADED", None)]
    assert [e["reason_code"] for e in job["errors"]] == ["corrupt_pdf"]
    assert len(platform.dead_letters) == 1
    dead = platform.dead_letters[0]
    assert (dead.function, dead.attempts, dead.statuses) == ("extract", 3, [500, 500, 500])
    failed = next(a for a in job["artifacts"] if a["status"] == "FAILED")
    assert platform.ports.database.get_artifact(failed["id"]).attempts == 3
    assert len(platform.ports.database.list_bills(customer_id)) == 1

    # Redelivering the dead letter without a replay does no work: refused, back to the dead letters.
    assert not platform.deliver(type(dead)(dead.function, dead.make_event))
    assert platform.ports.database.get_artifact(failed["id"]).status is ArtifactStatus.FAILED
    assert len(platform.ports.database.list_bills(customer_id)) == 1


def test_duplicate_delivery_is_one_artifact(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, "duplicate_delivery")
    job = _run(api_client, platform, account_id, "FETCH_BILLS", since="2026-09-01")
    assert job["status"] == "SUCCEEDED"
    assert len(job["artifacts"]) == 2
    assert len(platform.ports.database.list_bills(customer_id)) == 2


def test_a_scanned_bill_from_the_portal_waits_for_review_beside_the_loaded_ones(
    platform: InProcessPlatform, api_client: Any
) -> None:
    """The scanned_bill scenario's oldest statement is a scan: OCR fills it in, a person confirms it, and the job
    says so; the statements with a text layer load."""
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, "scanned_bill")

    job = _run(api_client, platform, account_id, "FETCH_BILLS", since="2026-09-01")

    assert job["status"] == "NEEDS_REVIEW"
    statuses = sorted((a["status"], a["reason_code"]) for a in job["artifacts"])
    assert statuses == [("LOADED", None), ("NEEDS_REVIEW", "no_text_layer")]
    bills = sorted(platform.ports.database.list_bills(customer_id), key=lambda record: record.bill.bill_period_start)
    assert [(r.bill.bill_period_start.isoformat(), r.bill.status.value) for r in bills] == [
        ("2026-09-01", "needs_review"),
        ("2026-10-01", "ok"),
    ]
    scanned = bills[0].bill
    assert scanned.account_number == "ACC-SCANNED-BILL" and scanned.total_amount is not None
    assert scanned.provenance["total_amount"].method.startswith("ocr:tesseract@")
    assert not platform.dead_letters


def test_scenarios_show_on_the_dashboard(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    credit = _account(api_client, customer_id, "credit_bill")
    missing = _account(api_client, customer_id, "missing_month")
    estimated = _account(api_client, customer_id, "estimated_read")
    assert _run(api_client, platform, credit, "FETCH_BILLS", since="2026-09-01")["status"] == "SUCCEEDED"
    assert _run(api_client, platform, missing, "FETCH_BILLS", since="2026-08-01")["status"] == "SUCCEEDED"
    assert _run(api_client, platform, estimated, "FETCH_BILLS", since="2026-08-01")["status"] == "SUCCEEDED"

    dashboard = api_client.get(f"/customers/{customer_id}/dashboard").json
    assert len(dashboard["accounts"]) == 3
    credit_bills = [b for b in dashboard["latest_bills"] if b["utility_account_id"] == credit]
    assert any(Decimal(b["amount_due"]) < 0 for b in credit_bills)
    gaps = [p for p in dashboard["open_problems"] if p["reason_code"] == "bill_period_gap"]
    assert len(gaps) == 1 and "2026-09-01 to 2026-09-30" in gaps[0]["message"]
    estimated_bills = platform.ports.database.account_bills(estimated)
    assert any(u.read_type.value == "estimated" for b in estimated_bills for u in b.bill.usage)
    assert dashboard["monthly"], "monthly usage and cost are aggregated"


def test_missing_credentials_fail_the_job_without_retrying(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, secret="no-such-secret")
    job = _run(api_client, platform, account_id)
    assert job["status"] == "FAILED"
    assert job["errors"][0]["reason_code"] == "credentials_missing"
    assert job["attempts"] == 1 and not platform.dead_letters


def test_rejected_credentials_fail_the_job(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, secret="wrong-credentials")
    job = _run(api_client, platform, account_id)
    assert (job["status"], job["errors"][0]["reason_code"]) == ("FAILED", "credentials_rejected")


def test_idempotency_key_returns_the_same_job(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id)
    body = {"utility_account_id": account_id, "job_type": "FETCH_BILLS", "since_date": "2026-10-01"}
    first = api_client.post("/ingest/run", json=body, headers={"Idempotency-Key": "k-1"})
    platform.drain()
    second = api_client.post("/ingest/run", json=body, headers={"Idempotency-Key": "k-1"})
    other = api_client.post("/ingest/run", json=body, headers={"Idempotency-Key": "k-2"})
    assert first.status_code == second.status_code == 202
    assert second.json["job_id"] == first.json["job_id"] and second.json["duplicate"] is True
    assert other.json["job_id"] != first.json["job_id"]
    assert len(platform.publisher.messages) == 2  # the finished job was not published again


def test_upload_twice_and_corpus_file(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, provider="manual", secret=None)
    path = CORPUS_DIR / "Coastal_Multi_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_5.xml"
    jobs = []
    for _ in range(2):
        with path.open("rb") as handle:
            response = api_client.post("/uploads", data={"utility_account_id": account_id, "file": (handle, path.name)})
        assert response.status_code == 202, response.json
        platform.drain()
        jobs.append(api_client.get(f"/jobs/{response.json['job_id']}").json)
    assert [j["status"] for j in jobs] == ["SUCCEEDED", "SUCCEEDED"]
    assert jobs[0]["artifacts"][0]["id"] == jobs[1]["artifacts"][0]["id"]
    assert jobs[0]["artifacts"][0]["original_name"] == path.name
    assert platform.ports.warehouse.count("interval_usage", customer_id) == 8760


def test_overlapping_files_count_their_intervals_once_on_the_dashboard(
    platform: InProcessPlatform, api_client: Any
) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, provider="manual", secret=None)
    path = CORPUS_DIR / "Coastal_Multi_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_5.xml"
    original = path.read_bytes()
    # The same readings in a second file (one more byte, so another artifact): a re-export that overlaps.
    for name, content in ((path.name, original), ("re-export.xml", original + b"\n")):
        response = api_client.post(
            "/uploads", data={"utility_account_id": account_id, "file": (io.BytesIO(content), name)}
        )
        assert response.status_code == 202, response.json
        platform.drain()
        assert api_client.get(f"/jobs/{response.json['job_id']}").json["status"] == "SUCCEEDED"
    assert len(platform.ports.database.list_artifacts(customer_id)) == 2
    assert platform.ports.database.interval_row_count(customer_id) == 2 * 8760  # each file's own series
    dashboard = api_client.get(f"/customers/{customer_id}/dashboard").json
    assert dashboard["interval_rows"] == 8760


def test_a_file_dropped_straight_into_the_bucket_is_processed(platform: InProcessPlatform, api_client: Any) -> None:
    from common.core.naming import raw_object_name
    from common.models import sha256_hex

    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, provider="manual", secret=None)
    data = (CORPUS_DIR / "gas_direct.xml").read_bytes()
    name = raw_object_name(customer_id, account_id, sha256_hex(data), "xml")
    platform.blobs.write(platform.ports.settings.raw_bucket, name, data, "application/xml")  # no metadata
    platform.drain()
    artifact = platform.ports.database.get_artifact(f"{account_id}:{sha256_hex(data)}")
    assert artifact.status is ArtifactStatus.LOADED
    assert platform.ports.warehouse.count("interval_usage", customer_id) > 0


def test_events_for_foreign_objects_are_acknowledged(platform: InProcessPlatform) -> None:
    settings = platform.ports.settings
    platform.blobs.write(settings.raw_bucket, "elsewhere/readme.txt", b"hello", "text/plain")
    event = storage_event(platform.blobs, settings.raw_bucket, "elsewhere/readme.txt", "eventarc")
    from cloudevents.conversion import to_binary

    headers, body = to_binary(event)
    assert platform.clients["extract"].post("/", headers=headers, data=body).status_code == 200


def test_ingest_redelivery_after_the_job_ended_changes_nothing(platform: InProcessPlatform, api_client: Any) -> None:
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id)
    job = _run(api_client, platform, account_id, "FETCH_INTERVALS", since="2026-10-01")
    ingest = next(d for d in platform.delivered if d.function == "ingest")
    assert platform.deliver(type(ingest)(ingest.function, ingest.make_event))
    again = api_client.get(f"/jobs/{job['id']}").json
    assert (again["status"], again["attempts"]) == (JobStatus.SUCCEEDED.value, 1)


def test_retries_of_a_failed_event_beyond_the_budget_are_refused(platform: InProcessPlatform, api_client: Any) -> None:
    """Pub/Sub dead-letters only after 5 deliveries: attempts 4 and 5 must be refused, without new work."""
    customer_id = _customer(api_client)
    account_id = _account(api_client, customer_id, "corrupt_file")
    job = _run(api_client, platform, account_id, "FETCH_BILLS", since="2026-10-01")
    assert job["status"] == "FAILED"
    [dead] = platform.dead_letters
    failed = platform.ports.database.get_artifact(job["artifacts"][0]["id"])
    from cloudevents.conversion import to_binary

    # Deliveries 4 and 5 (Pub/Sub's budget) carry no attempt number here: the count in Postgres refuses them.
    for _ in range(2):
        headers, body = to_binary(dead.make_event(1))
        assert platform.clients["extract"].post("/", headers=headers, data=body).status_code == 500
    after = platform.ports.database.get_artifact(failed.id)
    assert (after.status, after.reason_code) == (ArtifactStatus.FAILED, "corrupt_pdf")  # no work was redone
    # A replay reopens it with a fresh budget: three more real attempts, then the dead letters again.
    assert platform.ports.database.reopen_artifact(failed.id)
    assert not platform.deliver(type(dead)(dead.function, dead.make_event))
    assert platform.ports.database.get_artifact(failed.id).status is ArtifactStatus.FAILED
