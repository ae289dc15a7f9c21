"""PostgresDatabase against a real embedded PostgreSQL (fresh database per test)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pg8000.dbapi
import pytest

from common.adapters.postgres import SCHEMA, PostgresDatabase, _translate, connect_url, parse_db_url
from common.errors import NotFound, RetryableError
from common.models import (
    ArtifactKind,
    ArtifactStatus,
    BillStatus,
    Commodity,
    Customer,
    CustomerCreate,
    Direction,
    IngestionJob,
    IntervalSeriesSummary,
    JobError,
    JobStatus,
    JobType,
    LineItem,
    NormalizedBill,
    PlanStep,
    UsageRead,
    UtilityAccount,
    UtilityAccountCreate,
)
from local.postgres import LocalPostgres, LocalPostgresError, create_database, drop_database

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _account(db: PostgresDatabase, name: str = "Ada") -> UtilityAccount:
    customer = db.create_customer(CustomerCreate(name=name, email="ada@example.com"))
    return db.create_account(UtilityAccountCreate(customer_id=customer.id, provider="sandbox", account_number="123-45"))


def _sha(n: int) -> str:
    return f"{n:064x}"


def _race(n: int, fn: Callable[[], Any]) -> list[Any]:
    """Run `fn` on n threads released at once; return results (exceptions re-raised)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    if errors:
        raise errors[0]
    return results


def _bill(total: str = "120.50", line_items: int = 3, **overrides: Any) -> NormalizedBill:
    fields: dict[str, Any] = {
        "provider": "sandbox",
        "account_number": "123-45",
        "statement_date": date(2024, 2, 3),
        "due_date": date(2024, 2, 24),
        "bill_period_start": date(2024, 1, 1),
        "bill_period_end": date(2024, 1, 31),
        "total_amount": Decimal(total),
        "amount_due": Decimal("150.00"),
        "previous_balance": Decimal("29.50"),
        "line_items": [LineItem(description=f"item {i}", amount=Decimal("10.25") + i) for i in range(line_items)],
        "usage": [
            UsageRead(commodity=Commodity.ELECTRICITY, quantity=Decimal("400.5"), unit="kWh"),
            UsageRead(commodity=Commodity.GAS, quantity=Decimal("20"), unit="therm"),
        ],
    }
    fields.update(overrides)
    return NormalizedBill(**fields)


# --- customers, accounts, not found ---------------------------------------------------------------


def test_customer_and_account_roundtrip(database: PostgresDatabase) -> None:
    account = _account(database)
    customer = database.get_customer(account.customer_id)
    assert isinstance(customer, Customer)
    assert customer.id.startswith("cus_") and account.id.startswith("acc_")
    assert customer.email == "ada@example.com"
    assert customer.created_at.tzinfo is not None
    assert database.get_account(account.id) == account
    assert database.list_accounts(customer.id) == [account]
    assert database.list_accounts("cus_nobody") == []


def test_unknown_ids_raise_not_found(database: PostgresDatabase) -> None:
    account = _account(database)
    for call in (
        lambda: database.get_customer("cus_missing"),
        lambda: database.get_account("acc_missing"),
        lambda: database.get_job("job_missing"),
        lambda: database.get_artifact("acc_missing:" + _sha(1)),
        lambda: database.get_agent_run("job_missing"),
        lambda: database.transition_job("job_missing", [JobStatus.PENDING], JobStatus.RUNNING),
        lambda: database.start_job_attempt("job_missing"),
        lambda: database.set_expected_artifacts("job_missing", 1),
        lambda: database.finish_job_if_complete("job_missing"),
        lambda: database.count_artifact_attempt("nope", "extract"),
        lambda: database.set_artifact_status("nope", ArtifactStatus.LOADED),
        lambda: database.create_account(
            UtilityAccountCreate(customer_id="cus_missing", provider="x", account_number="1")
        ),
        lambda: database.register_artifact(
            job_id="job_missing",
            account=account,
            sha256=_sha(2),
            object_name="raw/x",
            original_name=None,
            kind=ArtifactKind.BILL_PDF,
        ),
    ):
        with pytest.raises(NotFound):
            call()


# --- jobs -----------------------------------------------------------------------------------------


def test_idempotency_key_returns_the_same_job(database: PostgresDatabase) -> None:
    account = _account(database)
    first, dup1 = database.create_job(account, JobType.FETCH_BILLS, since_date=date(2023, 1, 1), idempotency_key="k1")
    again, dup2 = database.create_job(account, JobType.FETCH_BILLS, idempotency_key="k1")
    other, dup3 = database.create_job(account, JobType.FETCH_BILLS, idempotency_key="k2")
    nokey_a, _ = database.create_job(account, JobType.FETCH_BILLS)
    nokey_b, _ = database.create_job(account, JobType.FETCH_BILLS)
    assert (dup1, dup2, dup3) == (False, True, False)
    assert again == first
    assert first.status is JobStatus.PENDING and first.since_date == date(2023, 1, 1)
    assert first.id.startswith("job_")
    assert len({first.id, other.id, nokey_a.id, nokey_b.id}) == 4
    assert len(database.list_jobs(account.customer_id)) == 4
    assert database.list_jobs("cus_nobody") == []


def test_concurrent_idempotent_creates_make_one_job(database: PostgresDatabase) -> None:
    account = _account(database)
    results = _race(8, lambda: database.create_job(account, JobType.UPLOAD, idempotency_key="same"))
    assert len({job.id for job, _ in results}) == 1
    assert sorted(dup for _, dup in results) == [False] + [True] * 7


def test_concurrent_transitions_exactly_one_wins(database: PostgresDatabase) -> None:
    account = _account(database)
    job, _ = database.create_job(account, JobType.FETCH_BILLS)
    wins = _race(10, lambda: database.transition_job(job.id, [JobStatus.PENDING], JobStatus.RUNNING))
    assert wins.count(True) == 1
    running = database.get_job(job.id)
    assert running.status is JobStatus.RUNNING
    assert running.started_at is not None and running.finished_at is None
    assert database.transition_job(job.id, [JobStatus.RUNNING, JobStatus.PENDING], JobStatus.SUCCEEDED)
    done = database.get_job(job.id)
    assert done.status is JobStatus.SUCCEEDED and done.finished_at is not None
    assert done.duration_ms is not None and done.duration_ms >= 0
    assert not database.transition_job(job.id, [JobStatus.RUNNING], JobStatus.FAILED)
    assert not database.transition_job(job.id, [], JobStatus.FAILED)


def test_start_job_attempt_counts_and_starts(database: PostgresDatabase) -> None:
    account = _account(database)
    job, _ = database.create_job(account, JobType.FETCH_BILLS)
    first = database.start_job_attempt(job.id)
    second = database.start_job_attempt(job.id)
    assert (first.attempts, first.status) == (1, JobStatus.RUNNING)
    assert (second.attempts, second.status) == (2, JobStatus.RUNNING)
    assert first.started_at == second.started_at is not None


def test_job_errors_and_fail_job(database: PostgresDatabase) -> None:
    account = _account(database)
    job, _ = database.create_job(account, JobType.FETCH_BILLS)
    err = JobError(stage="fetch", reason_code="timeout", message="slow", at=T0)
    database.add_job_error(job.id, err)
    database.add_job_error(job.id, err.model_copy(update={"at": T0 + timedelta(minutes=1)}))
    assert database.get_job(job.id).errors == [err]  # a redelivered error is recorded once
    fatal = JobError(stage="fetch", reason_code="bad_credentials", message="no", at=T0)
    assert database.fail_job(job.id, fatal) is True
    assert database.fail_job(job.id, fatal) is False
    failed = database.get_job(job.id)
    assert failed.status is JobStatus.FAILED and failed.finished_at is not None
    assert [e.reason_code for e in failed.errors] == ["timeout", "bad_credentials"]


# --- finishing jobs -------------------------------------------------------------------------------


def _job_with_artifacts(db: PostgresDatabase, statuses: list[ArtifactStatus], expected: int | None) -> IngestionJob:
    account = _account(db)
    job, _ = db.create_job(account, JobType.FETCH_BILLS)
    db.start_job_attempt(job.id)
    for i, status in enumerate(statuses):
        artifact = db.register_artifact(
            job_id=job.id,
            account=account,
            sha256=_sha(100 + i),
            object_name=f"raw/{i}.pdf",
            original_name=f"{i}.pdf",
            kind=ArtifactKind.BILL_PDF,
        )
        db.set_artifact_status(artifact.id, status, reason_code="r" if status.terminal else None)
    if expected is not None:
        db.set_expected_artifacts(job.id, expected)
    return job


@pytest.mark.parametrize(
    ("statuses", "expected", "outcome"),
    [
        ([ArtifactStatus.LOADED, ArtifactStatus.LOADED], 2, JobStatus.SUCCEEDED),
        ([ArtifactStatus.LOADED, ArtifactStatus.NEEDS_REVIEW], 2, JobStatus.NEEDS_REVIEW),
        (
            [ArtifactStatus.NEEDS_REVIEW, ArtifactStatus.FAILED, ArtifactStatus.LOADED],
            3,
            JobStatus.FAILED,
        ),
        ([], 0, JobStatus.SUCCEEDED),
        ([ArtifactStatus.LOADED, ArtifactStatus.EXTRACTED], 2, None),  # one still in flight
        ([ArtifactStatus.LOADED, ArtifactStatus.RETRYING], 2, None),
        ([ArtifactStatus.LOADED], None, None),  # fetch stage has not said how many to expect
    ],
)
def test_finish_job_if_complete(
    database: PostgresDatabase,
    statuses: list[ArtifactStatus],
    expected: int | None,
    outcome: JobStatus | None,
) -> None:
    job = _job_with_artifacts(database, statuses, expected)
    assert database.finish_job_if_complete(job.id) == outcome
    stored = database.get_job(job.id)
    if outcome is None:
        assert stored.status is JobStatus.RUNNING and stored.finished_at is None
    else:
        assert stored.status is outcome and stored.finished_at is not None
        assert database.finish_job_if_complete(job.id) is None  # already terminal: no change


def test_finish_job_does_not_override_a_terminal_job(database: PostgresDatabase) -> None:
    job = _job_with_artifacts(database, [ArtifactStatus.LOADED], 1)
    assert database.fail_job(job.id, JobError(stage="x", reason_code="y", message="z", at=T0))
    assert database.finish_job_if_complete(job.id) is None
    assert database.get_job(job.id).status is JobStatus.FAILED


# --- artifacts ------------------------------------------------------------------------------------


def test_same_file_in_two_jobs_is_one_artifact(database: PostgresDatabase) -> None:
    account = _account(database)
    job1, _ = database.create_job(account, JobType.FETCH_BILLS)
    job2, _ = database.create_job(account, JobType.FETCH_BILLS)
    kwargs: dict[str, Any] = {
        "account": account,
        "sha256": _sha(7),
        "object_name": "raw/c/a/7.pdf",
        "original_name": "jan.pdf",
        "kind": ArtifactKind.BILL_PDF,
    }
    a1 = database.register_artifact(job_id=job1.id, **kwargs)
    database.set_artifact_status(a1.id, ArtifactStatus.LOADED)
    a2 = database.register_artifact(job_id=job2.id, **kwargs)
    database.register_artifact(job_id=job2.id, **kwargs)  # redelivery: no second link
    a3 = database.register_artifact(job_id=None, **kwargs)
    assert a1.id == a2.id == a3.id == f"{account.id}:{_sha(7)}"
    assert a1.status is ArtifactStatus.RECEIVED
    assert a2.status is ArtifactStatus.LOADED  # re-registering never downgrades
    assert [a.id for a in database.list_job_artifacts(job1.id)] == [a1.id]
    assert [a.id for a in database.list_job_artifacts(job2.id)] == [a1.id]
    assert sorted(database.job_ids_for_artifact(a1.id)) == sorted([job1.id, job2.id])
    assert len(database.list_artifacts(account.customer_id)) == 1
    assert len(database.list_artifacts()) == 1
    database.set_expected_artifacts(job2.id, 1)
    assert database.finish_job_if_complete(job2.id) is JobStatus.SUCCEEDED


def test_artifact_status_guard_and_fields(database: PostgresDatabase) -> None:
    account = _account(database)
    art = database.register_artifact(
        job_id=None,
        account=account,
        sha256=_sha(9),
        object_name="raw/9",
        original_name=None,
        kind=ArtifactKind.UNKNOWN,
    )
    database.set_artifact_status(art.id, ArtifactStatus.RETRYING, reason_code="db_transient", message="try again")
    database.set_artifact_status(
        art.id,
        ArtifactStatus.EXTRACTED,
        normalized_object="normalized/9.json",
        kind=ArtifactKind.ESPI_XML,
    )
    mid = database.get_artifact(art.id)
    assert mid.status is ArtifactStatus.EXTRACTED
    assert (mid.kind, mid.normalized_object) == (ArtifactKind.ESPI_XML, "normalized/9.json")
    assert mid.reason_code == "db_transient"  # kept until the artifact is loaded
    database.set_artifact_status(art.id, ArtifactStatus.LOADED)
    loaded = database.get_artifact(art.id)
    assert (loaded.status, loaded.reason_code, loaded.message) == (ArtifactStatus.LOADED, None, None)
    for late in (ArtifactStatus.RETRYING, ArtifactStatus.RECEIVED, ArtifactStatus.EXTRACTED):
        database.set_artifact_status(art.id, late, reason_code="late")
        assert database.get_artifact(art.id).status is ArtifactStatus.LOADED
    database.set_artifact_status(art.id, ArtifactStatus.NEEDS_REVIEW, reason_code="audit")
    assert database.get_artifact(art.id).status is ArtifactStatus.NEEDS_REVIEW
    assert database.get_artifact(art.id).normalized_object == "normalized/9.json"


def test_count_artifact_attempt_is_atomic_per_stage(database: PostgresDatabase) -> None:
    account = _account(database)
    art = database.register_artifact(
        job_id=None,
        account=account,
        sha256=_sha(11),
        object_name="raw/11",
        original_name=None,
        kind=ArtifactKind.BILL_PDF,
    )
    assert database.count_artifact_attempt(art.id, "extract") == 1
    assert database.count_artifact_attempt(art.id, "extract") == 2
    assert database.count_artifact_attempt(art.id, "load") == 1
    counts = _race(8, lambda: database.count_artifact_attempt(art.id, "load"))
    assert sorted(counts) == list(range(2, 10))
    assert database.get_artifact(art.id).attempts == 11


# --- bills, series, usage -------------------------------------------------------------------------


def _loaded_artifact(db: PostgresDatabase, account: UtilityAccount, n: int) -> Any:
    return db.register_artifact(
        job_id=None,
        account=account,
        sha256=_sha(n),
        object_name=f"raw/{n}.pdf",
        original_name=None,
        kind=ArtifactKind.BILL_PDF,
    )


def test_bill_upsert_twice_keeps_id_and_replaces_children(database: PostgresDatabase) -> None:
    account = _account(database)
    art = _loaded_artifact(database, account, 20)
    first_id = database.upsert_bill(art, _bill())
    assert database.upsert_bill(art, _bill()) == first_id
    changed = _bill(total="99.99", line_items=2)
    assert database.upsert_bill(art, changed) == first_id

    def count(table: str) -> int:
        return int(database._fetch(f"SELECT count(*) AS n FROM {table} WHERE bill_id = %s", (first_id,))[0]["n"])

    assert database._fetch("SELECT count(*) AS n FROM bills")[0]["n"] == 1
    assert count("bill_line_items") == 2
    assert count("bill_usage") == 2
    [record] = database.list_bills(account.customer_id)
    assert record.id == first_id and record.artifact_id == art.id
    assert record.bill == changed
    assert record.bill.total_amount == Decimal("99.99")
    assert database.account_bills(account.id)[0].bill == changed

    other = database.upsert_bill(art, _bill(bill_period_start=date(2024, 2, 1), bill_period_end=date(2024, 2, 29)))
    assert other != first_id
    assert [r.bill.bill_period_end for r in database.list_bills(account.customer_id)] == [
        date(2024, 2, 29),
        date(2024, 1, 31),
    ]
    assert len(database.list_bills(account.customer_id, limit=1)) == 1
    periods = [
        [r.bill.bill_period_start for r in database.account_bills(account.id, window)]
        for window in ((date(2024, 1, 31), date(2024, 2, 1)), (date(2024, 2, 15), date(2024, 3, 1)), None)
    ]
    assert periods == [[date(2024, 1, 1), date(2024, 2, 1)], [date(2024, 2, 1)], [date(2024, 1, 1), date(2024, 2, 1)]]


def test_monthly_usage_attributes_cost_to_first_commodity(database: PostgresDatabase) -> None:
    account = _account(database)
    art = _loaded_artifact(database, account, 30)
    database.upsert_bill(art, _bill(total="100.00"))
    database.upsert_bill(
        art,
        _bill(
            total="50.00",
            bill_period_start=date(2024, 1, 5),
            bill_period_end=date(2024, 1, 30),
            usage=[UsageRead(commodity=Commodity.ELECTRICITY, quantity=Decimal("100"), unit="kWh")],
        ),
    )
    database.upsert_bill(
        art,
        _bill(
            total="70.00",
            bill_period_start=date(2024, 2, 1),
            bill_period_end=date(2024, 2, 29),
            usage=[UsageRead(commodity=Commodity.GAS, quantity=Decimal("30"), unit="therm")],
        ),
    )
    database.upsert_bill(  # waiting for review: not counted until a person confirms it
        art,
        _bill(
            total="999.00",
            bill_period_start=date(2024, 3, 1),
            bill_period_end=date(2024, 3, 31),
            status=BillStatus.NEEDS_REVIEW,
        ),
    )
    got = [(m.month, m.commodity, m.unit, m.usage, m.cost) for m in database.monthly_usage(account.customer_id)]
    assert got == [
        ("2024-01", "electricity", "kWh", Decimal("500.5"), Decimal("150.00")),
        ("2024-01", "gas", "therm", Decimal("20"), Decimal("0")),
        ("2024-02", "gas", "therm", Decimal("30"), Decimal("70.00")),
    ]
    assert database.monthly_usage("cus_nobody") == []


def test_monthly_usage_is_the_energy_taken_from_the_grid(database: PostgresDatabase) -> None:
    """A net-metered bill's received register (solar sent back) was summed into the month's usage, and a meter's
    time-of-use registers with its total counted it twice."""
    account = _account(database)
    art = _loaded_artifact(database, account, 31)

    def read(quantity: str, direction: Direction = Direction.DELIVERED, period: str | None = None) -> UsageRead:
        return UsageRead(
            commodity=Commodity.ELECTRICITY,
            quantity=Decimal(quantity),
            unit="kWh",
            meter_number="E1",
            period=period,
            direction=direction,
        )

    solar = [read("500"), read("200", Direction.RECEIVED), read("300", Direction.NET)]
    database.upsert_bill(art, _bill(total="40.00", usage=solar))
    tou = [read("200", period="on_peak"), read("300", period="off_peak"), read("500")]
    feb: dict[str, Any] = {"bill_period_start": date(2024, 2, 1), "bill_period_end": date(2024, 2, 29)}
    database.upsert_bill(art, _bill(total="60.00", usage=tou, **feb))
    net_only = [read("-40", Direction.NET)]  # a month of surplus, on a meter that prints its net alone
    mar: dict[str, Any] = {"bill_period_start": date(2024, 3, 1), "bill_period_end": date(2024, 3, 31)}
    database.upsert_bill(art, _bill(total="5.00", usage=net_only, **mar))
    got = [(m.month, m.usage, m.exported, m.cost) for m in database.monthly_usage(account.customer_id)]
    assert got == [
        ("2024-01", Decimal("500"), Decimal("200"), Decimal("40.00")),
        ("2024-02", Decimal("500"), Decimal("0"), Decimal("60.00")),
        ("2024-03", Decimal("-40"), Decimal("0"), Decimal("5.00")),
    ]
    stored = database._fetch("SELECT direction FROM bill_usage ORDER BY bill_id, position")
    assert sorted(r["direction"] for r in stored) == ["delivered"] * 4 + ["net", "net", "received"]
    [record] = [r for r in database.list_bills(account.customer_id) if r.bill.bill_period_start == date(2024, 1, 1)]
    assert record.bill.usage == solar


def test_a_database_made_before_usage_had_a_direction_is_migrated(database: PostgresDatabase) -> None:
    """Its rows were all read as energy used: they keep that meaning, and new ones say their direction."""
    account = _account(database)
    art = _loaded_artifact(database, account, 32)
    database.upsert_bill(art, _bill())
    with database._cursor() as cur:
        cur.execute("ALTER TABLE bill_usage DROP COLUMN direction")
    database.migrate()
    received = UsageRead(commodity=Commodity.ELECTRICITY, quantity=Decimal(7), unit="kWh", direction=Direction.RECEIVED)
    feb: dict[str, Any] = {"bill_period_start": date(2024, 2, 1), "bill_period_end": date(2024, 2, 29)}
    database.upsert_bill(art, _bill(usage=[received], **feb))
    rows = database._fetch("SELECT b.bill_period_start, u.direction FROM bill_usage u JOIN bills b ON b.id = u.bill_id")
    assert sorted((r["bill_period_start"].month, r["direction"]) for r in rows) == [
        (1, "delivered"),
        (1, "delivered"),
        (2, "received"),
    ]


def test_interval_series_upsert_and_row_count(database: PostgresDatabase) -> None:
    account = _account(database)
    art = _loaded_artifact(database, account, 40)
    series = IntervalSeriesSummary(
        meter_id="m1",
        commodity=Commodity.ELECTRICITY,
        unit="kWh",
        direction=Direction.DELIVERED,
        interval_seconds=3600,
        first_start=T0,
        last_end=T0 + timedelta(hours=24),
        count=24,
        total=Decimal("12.5"),
        estimated_count=0,
        gaps=0,
    )
    received = series.model_copy(update={"direction": Direction.RECEIVED, "count": 10})
    database.upsert_interval_series(art, [series, received])
    database.upsert_interval_series(art, [series, received])
    assert database.interval_row_count(account.customer_id) == 34
    database.upsert_interval_series(art, [series.model_copy(update={"count": 48})])
    assert database.interval_row_count(account.customer_id) == 58
    assert database.interval_row_count("cus_nobody") == 0


def test_agent_run_roundtrip(database: PostgresDatabase) -> None:
    account = _account(database)
    job, _ = database.create_job(account, JobType.FETCH_BILLS)
    plan = [PlanStep(tool="fetch_bills", arguments={"months": 3}, reason="r")]
    database.save_agent_run(job.id, "get my bills", "deterministic", plan)
    assert database.get_agent_run(job.id) == ("get my bills", "deterministic", plan)
    done = [plan[0].model_copy(update={"status": "done", "outcome": {"files": 3}})]
    database.save_agent_run(job.id, "get my bills", "deterministic", done)
    assert database.get_agent_run(job.id)[2] == done


# --- schema, migration, connections ---------------------------------------------------------------


def test_schema_has_a_column_for_every_model_field(database: PostgresDatabase) -> None:
    for table, model in (
        ("customers", Customer),
        ("utility_accounts", UtilityAccount),
        ("ingestion_jobs", IngestionJob),
    ):
        rows = database._fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s",
            (table,),
        )
        columns = {r["column_name"] for r in rows}
        missing = set(model.model_fields) - columns
        assert not missing, f"{table} lacks columns for {model.__name__} fields {missing}"


def test_migrate_is_idempotent_and_safe_concurrently(database: PostgresDatabase, postgres_url: str) -> None:
    database.migrate()  # the fixture migrated already: a second run is a no-op
    # several processes migrating a brand-new database at once (the advisory lock serialises them)
    name = f"test_migrate_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_url, name)
    instances = iter([PostgresDatabase.from_url(url) for _ in range(6)])
    used: list[PostgresDatabase] = []
    guard = threading.Lock()

    def migrate_one() -> None:
        with guard:
            db = next(instances)
            used.append(db)
        db.migrate()

    try:
        _race(6, migrate_one)
        tables = used[0]._fetch(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        expected = sum(1 for statement in SCHEMA if statement.lstrip().startswith("CREATE TABLE"))
        assert tables[0]["n"] == expected == 11
    finally:
        for db in used:
            db.close()
        drop_database(postgres_url, name)


def test_unreachable_server_is_retryable_and_construction_is_lazy() -> None:
    db = PostgresDatabase.from_url("postgresql://postgres@127.0.0.1:1/nothing")  # no connect yet
    with pytest.raises(RetryableError):
        db.get_customer("cus_x")


def test_dropped_connections_fail_once_as_retryable_then_recover(database: PostgresDatabase, postgres_url: str) -> None:
    account = _account(database)
    _race(4, lambda: database.get_account(account.id))  # fill the pool with several connections
    dbname = database._fetch("SELECT current_database() AS d")[0]["d"]
    admin = connect_url(postgres_url)
    try:
        cur = admin.cursor()
        cur.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s", (dbname,))
        assert cur.fetchone()[0] >= 1
        admin.commit()
    finally:
        admin.close()
    failures = 0
    for _ in range(4):
        try:
            assert database.get_account(account.id) == account
        except RetryableError:
            failures += 1
    assert failures == 1  # the first stale connection fails; the pool then drops the others


def test_transient_sqlstates_are_retryable() -> None:
    for code in ("40001", "40P01", "57P01"):
        exc = pg8000.dbapi.DatabaseError({"S": "ERROR", "C": code, "M": "boom"})
        assert isinstance(_translate(exc), RetryableError)
    assert isinstance(_translate(pg8000.dbapi.InterfaceError("network error")), RetryableError)
    assert isinstance(_translate(pg8000.dbapi.DatabaseError({"C": "23503", "M": "fk"})), NotFound)
    syntax = pg8000.dbapi.DatabaseError({"C": "42601", "M": "syntax"})
    assert _translate(syntax) is syntax  # a bug is not retried


def test_parse_db_url_tcp_and_socket() -> None:
    tcp = parse_db_url("postgresql://app:s%40cret@127.0.0.1:6543/mm")
    assert tcp == {
        "user": "app",
        "password": "s@cret",
        "host": "127.0.0.1",
        "port": 6543,
        "database": "mm",
    }
    sock = parse_db_url("postgresql://postgres@localhost:5433/mm?host=/tmp/pgdir")
    assert sock["unix_sock"] == "/tmp/pgdir/.s.PGSQL.5433" and sock["host"] is None
    with pytest.raises(ValueError):
        parse_db_url("mysql://x@y/z")


def test_pool_is_thread_safe(database: PostgresDatabase) -> None:
    account = _account(database)
    results = _race(16, lambda: database.create_job(account, JobType.FETCH_BILLS)[0].id)
    assert len(set(results)) == 16


@pytest.mark.skipif(os.geteuid() != 0, reason="the unprivileged-user path is taken only as root")
def test_local_postgres_refuses_an_unreachable_data_dir(tmp_path: Path) -> None:
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    with pytest.raises(LocalPostgresError, match="not traversable"):
        LocalPostgres(hidden / "pg").start()
    assert not (hidden / "pg").exists()
