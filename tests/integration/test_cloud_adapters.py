"""The cloud adapters through the real client libraries against real emulators and loopback stubs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from common.adapters.bigquery import BigQueryWarehouse
from common.adapters.cloudsql import CloudSqlConnectionFactory
from common.adapters.duckdb_warehouse import DuckDBWarehouse
from common.adapters.gcs import GcsBlobStore
from common.adapters.postgres import PostgresDatabase, connect_url
from common.adapters.pubsub import PubSubPublisher
from common.adapters.secret_manager import SecretManagerSecrets
from common.config import Settings
from common.errors import NotFound
from common.models import (
    Commodity,
    CustomerCreate,
    Direction,
    IntervalReading,
    NormalizedBill,
    Quality,
)
from common.ports import BillRecord, ReconciliationRecord
from common.runtime import build_ports
from local.emulators.pubsub import EMULATOR_STORAGE_TOPIC, _clients
from local.emulators.stubs import GeminiStub, SecretManagerStub

pytestmark = pytest.mark.emulated
PROJECT = "minimeter-it"  # the project the session emulators (conftest.py) run for


# --- Cloud Storage on fake-gcs-server ------------------------------------------------------------


@pytest.fixture
def blobs(storage_host: str) -> GcsBlobStore:
    store = GcsBlobStore(PROJECT, emulator_host=storage_host)
    store.ensure_bucket("it-raw")
    return store


def _pull_all(pubsub_host: str, subscription: str, expect: int, timeout: float = 10.0) -> list[Any]:
    import time

    _, subscriber = _clients(pubsub_host)
    got: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < expect and time.monotonic() < deadline:
            response = subscriber.pull(request={"subscription": subscription, "max_messages": 10}, timeout=5)
            if response.received_messages:
                subscriber.acknowledge(
                    request={"subscription": subscription, "ack_ids": [m.ack_id for m in response.received_messages]}
                )
            got += [m.message for m in response.received_messages]
    finally:
        subscriber.close()
    return got


def _pull_subscription(pubsub_host: str, topic: str) -> str:
    publisher, subscriber = _clients(pubsub_host)
    name = subscriber.subscription_path(PROJECT, f"it-{uuid.uuid4().hex[:8]}")
    subscriber.create_subscription(request={"name": name, "topic": publisher.topic_path(PROJECT, topic)})
    subscriber.close()
    publisher.stop()
    return name


def test_gcs_write_is_create_if_absent_and_notifies_once(blobs: GcsBlobStore, pubsub_host: str) -> None:
    subscription = _pull_subscription(pubsub_host, EMULATOR_STORAGE_TOPIC)
    name = f"raw/c1/a1/{uuid.uuid4().hex}.pdf"
    assert blobs.write("it-raw", name, b"%PDF-1.7 first", "application/pdf", {"job_id": "j1"}) is True
    # A redelivered write (same content-hash name) changes nothing, even with other bytes.
    assert blobs.write("it-raw", name, b"%PDF-1.7 other", "application/pdf", {"job_id": "j2"}) is False
    assert blobs.read("it-raw", name) == b"%PDF-1.7 first"
    assert blobs.metadata("it-raw", name) == {"job_id": "j1"}
    assert blobs.exists("it-raw", name) and not blobs.exists("it-raw", name + ".missing")
    assert name in blobs.list("it-raw", "raw/c1/")
    with pytest.raises(NotFound):
        blobs.read("it-raw", "raw/nothing-here")
    with pytest.raises(NotFound):
        blobs.metadata("it-raw", "raw/nothing-here")

    [message] = _pull_all(pubsub_host, subscription, expect=1)
    assert message.attributes["eventType"] == "OBJECT_FINALIZE"
    assert (message.attributes["bucketId"], message.attributes["objectId"]) == ("it-raw", name)
    resource = json.loads(message.data)
    assert resource["name"] == name and resource["metadata"] == {"job_id": "j1"}
    assert _pull_all(pubsub_host, subscription, expect=1, timeout=1.0) == []  # the second write sent nothing


# --- Pub/Sub on the emulator -----------------------------------------------------------------------


def test_pubsub_publish_waits_for_the_message_id(pubsub_host: str) -> None:
    publisher_client, _ = _clients(pubsub_host)
    topic = f"it-topic-{uuid.uuid4().hex[:8]}"
    publisher_client.create_topic(name=publisher_client.topic_path(PROJECT, topic))
    publisher_client.stop()
    subscription = _pull_subscription(pubsub_host, topic)
    publisher = PubSubPublisher(PROJECT, emulator_host=pubsub_host)
    try:
        message_id = publisher.publish(topic, b'{"job_id": "j1"}', {"kind": "test"})
        assert message_id
        [message] = _pull_all(pubsub_host, subscription, expect=1)
        assert (message.message_id, message.data, dict(message.attributes)) == (
            message_id,
            b'{"job_id": "j1"}',
            {"kind": "test"},
        )
        with pytest.raises(RuntimeError, match="does not exist"):
            publisher.publish("no-such-topic", b"x")
    finally:
        publisher.close()


# --- Secret Manager (REST) against the loopback stub -------------------------------------------------


@pytest.fixture
def secret_stub() -> Iterator[SecretManagerStub]:
    stub = SecretManagerStub(PROJECT, {"utility-credentials": "token-1"})
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()


def test_secret_manager_reads_latest_and_caches(secret_stub: SecretManagerStub) -> None:
    secrets = SecretManagerSecrets(PROJECT, endpoint=secret_stub.url, cache_seconds=0)
    assert secrets.get("utility-credentials") == "token-1"
    secret_stub.put("utility-credentials", "token-2 ünïcode")
    assert secrets.get("utility-credentials") == "token-2 ünïcode"
    assert secrets.exists("utility-credentials") and not secrets.exists("missing-secret")
    with pytest.raises(NotFound):
        secrets.get("missing-secret")
    cached = SecretManagerSecrets(PROJECT, endpoint=secret_stub.url)
    cached.get("utility-credentials")
    before = secret_stub.requests["access"]
    cached.get("utility-credentials")
    assert secret_stub.requests["access"] == before  # served from the instance cache
    assert "token" not in repr(cached)


def test_gemini_planner_through_the_stub() -> None:
    from common.adapters.gemini import GeminiLLM
    from common.models import ToolSpec

    stub = GeminiStub(api_key="stub-key")
    stub.start()
    try:
        llm = GeminiLLM("stub-key", "gemini-2.5-flash", stub.url)
        tools = [ToolSpec(name="fetch_bills", description="Fetch bills", parameters={"type": "object"})]
        [call] = llm.plan("my bills for 3 months", {}, tools)
        assert (call.name, call.arguments) == ("fetch_bills", {"months": 3})
        assert stub.requests["generateContent"] == 1
    finally:
        stub.stop()


# --- BigQuery on bqemulator, row for row with DuckDB ---------------------------------------------


def _bill(total: str, start: date) -> NormalizedBill:
    return NormalizedBill(
        provider="sandbox",
        account_number="A-1",
        bill_period_start=start,
        bill_period_end=start + timedelta(days=30),
        total_amount=Decimal(total),
        amount_due=Decimal(total) + Decimal("10.50"),
    )


def _reading(hour: int, value: str, quality: Quality = Quality.ACTUAL) -> IntervalReading:
    return IntervalReading(
        meter_id="m-1",
        commodity=Commodity.ELECTRICITY,
        unit="kWh",
        direction=Direction.DELIVERED,
        start=datetime(2026, 3, 1, hour, tzinfo=UTC),
        duration_seconds=3600,
        value=Decimal(value),
        quality=quality,
        local_zone="UTC-08:00",
    )


def _exercise(warehouse: Any) -> dict[str, list[dict[str, Any]]]:
    """The same writes, including redeliveries and the actual-over-estimated policy."""
    warehouse.ensure_schema()
    warehouse.ensure_schema()
    bill = BillRecord("bill-1", "art-1", "cust-1", "acct-1", _bill("101.25", date(2026, 2, 1)))
    warehouse.upsert_bill(bill)
    warehouse.upsert_bill(bill)  # redelivered
    warehouse.upsert_bill(BillRecord("bill-1", "art-1", "cust-1", "acct-1", _bill("99.99", date(2026, 2, 1))))
    warehouse.upsert_bill(BillRecord("bill-2", "art-2", "cust-1", "acct-1", _bill("50.00", date(2026, 3, 3))))
    first = [_reading(0, "1.5"), _reading(1, "2.25", Quality.ESTIMATED), _reading(2, "3"), _reading(2, "3.5")]
    assert warehouse.upsert_intervals("cust-1", "acct-1", first) == 4
    second = [_reading(0, "9", Quality.ESTIMATED), _reading(1, "2.5"), _reading(3, "4.125")]
    assert warehouse.upsert_intervals("cust-1", "acct-1", second) == 3
    assert warehouse.upsert_intervals("cust-1", "acct-1", second) == 3  # redelivered
    buckets = warehouse.interval_buckets("acct-1", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))
    record = ReconciliationRecord(
        bill_id="bill-2",
        customer_id="cust-1",
        commodity="electricity",
        unit="kWh",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        billed=Decimal("12.5"),
        interval_total=Decimal("11.375"),
        difference=Decimal("1.125"),
        coverage_ratio=Decimal("0.5"),
        status="partial_coverage",
        likely_cause=None,
        details={"buckets": len(buckets)},
    )
    warehouse.record_reconciliation("acct-1", [record])
    warehouse.record_reconciliation("acct-1", [record])  # replaced, not duplicated
    assert warehouse.count("normalized_bills") == 2 and warehouse.count("interval_usage", "cust-1") == 4
    assert warehouse.count("interval_usage", "someone-else") == 0
    return {
        "normalized_bills": warehouse.rows("normalized_bills"),
        "interval_usage": warehouse.rows("interval_usage"),
        "interval_reconciliation": warehouse.rows("interval_reconciliation"),
        "buckets": [vars(b) for b in buckets],
    }


def test_bigquery_warehouse_matches_duckdb_row_for_row(bigquery_host: str, tmp_path: Path) -> None:
    bigquery = BigQueryWarehouse(PROJECT, f"it_{uuid.uuid4().hex[:8]}", emulator_host=bigquery_host)
    got = _exercise(bigquery)
    expected = _exercise(DuckDBWarehouse(tmp_path / "warehouse.duckdb"))
    assert got == expected
    values = {(r["ts"].hour, r["quality"]): r["value"] for r in got["interval_usage"]}
    # An actual reading is never replaced by an estimated one; otherwise the last file wins.
    assert values == {
        (0, "actual"): Decimal("1.5"),
        (1, "actual"): Decimal("2.5"),
        (2, "actual"): Decimal("3.5"),
        (3, "actual"): Decimal("4.125"),
    }
    assert [r["total_amount"] for r in got["normalized_bills"]] == [Decimal("99.99"), Decimal("50.00")]
    # No staging table is left behind.
    client = bigquery._client()
    tables = [t.table_id for t in client.list_tables(f"{PROJECT}.{bigquery.dataset}")]
    assert sorted(tables) == ["interval_reconciliation", "interval_usage", "normalized_bills"]


# --- Postgres through the Cloud SQL connector's code path ------------------------------------------


class _LoopbackConnector:
    """Stands in for google.cloud.sql.connector.Connector: same connect() contract, a local server."""

    def __init__(self, url: str, **options: Any) -> None:
        self.url = url
        self.options = options
        self.connects: list[tuple[str, str, dict[str, Any]]] = []
        self.closed = False

    def connect(self, instance: str, driver: str, **kwargs: Any) -> Any:
        self.connects.append((instance, driver, kwargs))
        return connect_url(self.url)

    def close(self) -> None:
        self.closed = True


def test_cloud_sql_factory_feeds_the_postgres_adapter(postgres_url: str) -> None:
    from local.postgres import create_database, drop_database

    name = f"it_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_url, name)
    made: list[_LoopbackConnector] = []

    def connector_factory(**options: Any) -> _LoopbackConnector:
        made.append(_LoopbackConnector(url, **options))
        return made[-1]

    factory = CloudSqlConnectionFactory(
        "proj:us-central1:minimeter",
        user="minimeter-fn@proj.iam",
        database="minimeter",
        iam_auth=True,
        connector_factory=connector_factory,
    )
    database = PostgresDatabase(factory, pool_size=2)
    assert made == []  # nothing connects before the first query
    try:
        database.migrate()
        customer = database.create_customer(CustomerCreate(name="Cloud SQL Co"))
        assert database.get_customer(customer.id).name == "Cloud SQL Co"
        [connector] = made  # one connector for every connection
        assert connector.options == {"ip_type": "PRIVATE", "iam_auth": True}
        instance, driver, kwargs = connector.connects[0]
        assert (instance, driver) == ("proj:us-central1:minimeter", "pg8000")
        assert kwargs["enable_iam_auth"] is True and "password" not in kwargs and kwargs["db"] == "minimeter"
        assert len(connector.connects) <= 2  # the pool is bounded and reuses connections
    finally:
        database.close()
        factory.close()
        drop_database(postgres_url, name)
    assert made[0].closed
    with pytest.raises(ValueError, match="DB_PASSWORD"):
        CloudSqlConnectionFactory("p:r:i", user="u", database="d")


def test_modes_refuse_the_wrong_endpoints() -> None:
    cloud = Settings.model_validate({"MINIMETER_MODE": "cloud", "PUBSUB_EMULATOR_HOST": "127.0.0.1:1"})
    with pytest.raises(RuntimeError, match="refuses emulator settings"):
        build_ports(cloud)
    emulated = Settings.model_validate({"MINIMETER_MODE": "emulated", "PUBSUB_EMULATOR_HOST": "127.0.0.1:1"})
    with pytest.raises(RuntimeError, match="STORAGE_EMULATOR_HOST"):
        build_ports(emulated)
    ports = build_ports(
        Settings.model_validate(
            {
                "MINIMETER_MODE": "cloud",
                "INSTANCE_CONNECTION_NAME": "p:r:i",
                "DB_IAM_AUTH": "true",
                "DB_USER": "fn@p.iam",
            }
        )
    )
    # Built without touching the network: no client exists until the first call.
    assert ports.blobs._client_ is None  # type: ignore[attr-defined]
    assert ports.publisher._client_ is None  # type: ignore[attr-defined]
    assert ports.warehouse._client_ is None  # type: ignore[attr-defined]
    assert ports.secrets._client_ is None  # type: ignore[attr-defined]
