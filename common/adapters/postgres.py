"""The Database port on PostgreSQL through pg8000 (embedded, Debian PostgreSQL 15, Cloud SQL).

Connections come from a zero-argument factory returning a ``pg8000.dbapi`` connection, so the cloud
wiring can pass the Cloud SQL connector's ``connector.connect(..., "pg8000", ...)`` and the local
modes use :meth:`PostgresDatabase.from_url`. Nothing connects before the first query. Connections
are kept in a small thread-safe pool (functions-framework runs handlers on threads); each port call
is one transaction. All SQL is parameterised.

Errors: connection failures, serialization failures (40001), deadlocks (40P01) and server
shutdown/startup are raised as :class:`RetryableError`; unknown ids as :class:`NotFound`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal
from typing import Any, Self, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import pg8000.dbapi
from pydantic import BaseModel
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from common.errors import Conflict, MiniMeterError, NotFound, RetryableError
from common.models import (
    Artifact,
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
    NormalizedBill,
    PlanStep,
    UsageRead,
    UtilityAccount,
    UtilityAccountCreate,
    energy_exported,
    energy_used,
)
from common.ports import AccountUsageMonth, BillRecord, Database

T = TypeVar("T")
Connection = Any  # a pg8000.dbapi.Connection (or the Cloud SQL connector's, which is the same type)
Cursor = Any

TERMINAL_JOB = [s.value for s in JobStatus if s.terminal]
TERMINAL_ARTIFACT = [s.value for s in ArtifactStatus if s.terminal]
NON_TERMINAL_ARTIFACT = [s.value for s in ArtifactStatus if not s.terminal]

# SQLSTATEs worth delivering the event again for.
TRANSIENT_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available
        "53300",  # too_many_connections
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up)
        "08000",
        "08001",
        "08003",
        "08004",
        "08006",
    }
)
_DRIVER_ERRORS: tuple[type[Exception], ...] = (pg8000.dbapi.Error, OSError)
MIGRATION_LOCK_KEY = 7_215_000_001  # pg_advisory_xact_lock key guarding concurrent migrate()


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


# --- connection parameters ----------------------------------------------------------------------


def parse_db_url(db_url: str) -> dict[str, Any]:
    """``postgresql://user[:password]@host:port/dbname[?host=/socket/dir]`` → pg8000 kwargs."""
    parts = urlsplit(db_url)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+pg8000"):
        raise ValueError(f"not a postgresql:// URL: {parts.scheme}://…")
    port = parts.port or 5432
    kwargs: dict[str, Any] = {
        "user": unquote(parts.username) if parts.username else "postgres",
        "database": unquote(parts.path.lstrip("/")) or "postgres",
        "port": port,
    }
    if parts.password:
        kwargs["password"] = unquote(parts.password)
    socket_dir = parse_qs(parts.query).get("host", [None])[0]
    if socket_dir and socket_dir.startswith("/"):
        kwargs["unix_sock"] = f"{socket_dir.rstrip('/')}/.s.PGSQL.{port}"
        kwargs["host"] = None
    else:
        kwargs["host"] = socket_dir or parts.hostname or "127.0.0.1"
    return kwargs


def connect_url(db_url: str, *, timeout: float = 30) -> Connection:
    """Open one pg8000 dbapi connection to `db_url`."""
    return pg8000.dbapi.connect(**parse_db_url(db_url), timeout=timeout, application_name="minimeter")


# --- error classification -----------------------------------------------------------------------


def _sqlstate(exc: BaseException) -> str | None:
    if isinstance(exc, pg8000.dbapi.DatabaseError) and exc.args and isinstance(exc.args[0], dict):
        code = exc.args[0].get("C")
        return str(code) if code else None
    return None


_CONNECTION_LOST_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "08000", "08003", "08006"})


def _is_connection_error(exc: BaseException) -> bool:
    """The connection is unusable (network error, server terminated the session)."""
    return isinstance(exc, (pg8000.dbapi.InterfaceError, OSError)) or (_sqlstate(exc) in _CONNECTION_LOST_SQLSTATES)


def is_transient(exc: BaseException) -> bool:
    return _is_connection_error(exc) or _sqlstate(exc) in TRANSIENT_SQLSTATES


def _translate(exc: Exception) -> Exception:
    """Map a driver error onto the errors the core decides on; other errors pass unchanged."""
    if isinstance(exc, MiniMeterError):
        return exc
    if is_transient(exc):
        return RetryableError(f"database unavailable or contended: {exc}", "db_transient")
    code = _sqlstate(exc)
    if code == "23503":
        return NotFound(f"referenced row does not exist: {_message(exc)}")
    if code == "23505":
        return Conflict(f"already exists: {_message(exc)}")
    return exc


def _message(exc: BaseException) -> str:
    if exc.args and isinstance(exc.args[0], dict):
        return str(exc.args[0].get("M") or exc.args[0])
    return str(exc)


# --- pool ---------------------------------------------------------------------------------------


class _Pool:
    """A bounded, thread-safe pool of connections created on demand."""

    def __init__(self, factory: Callable[[], Connection], max_size: int, ping_after: float) -> None:
        self._factory = factory
        self._ping_after = ping_after
        self._slots = threading.BoundedSemaphore(max_size)
        self._lock = threading.Lock()
        self._idle: list[tuple[Connection, float]] = []

    def acquire(self, timeout: float = 30) -> Connection:
        if not self._slots.acquire(timeout=timeout):
            raise RetryableError("database connection pool exhausted", "db_pool_exhausted")
        try:
            while True:
                with self._lock:
                    item = self._idle.pop() if self._idle else None
                if item is None:
                    return self._connect()
                conn, idle_since = item
                if time.monotonic() - idle_since < self._ping_after or self._ping(conn):
                    return conn
                _close_quietly(conn)
        except BaseException:
            self._slots.release()
            raise

    def release(self, conn: Connection) -> None:
        with self._lock:
            self._idle.append((conn, time.monotonic()))
        self._slots.release()

    def discard(self, conn: Connection) -> None:
        _close_quietly(conn)
        self._slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            _close_quietly(conn)

    @staticmethod
    def _ping(conn: Connection) -> bool:
        try:
            cur = conn.cursor()
            cur.execute("SELECT 1")
            cur.fetchall()
            conn.rollback()
            return True
        except _DRIVER_ERRORS:
            return False

    def _connect(self) -> Connection:
        retrying = Retrying(
            stop=stop_after_attempt(5) | stop_after_delay(10),
            wait=wait_exponential(multiplier=0.1, max=2),
            retry=retry_if_exception(is_transient),
            reraise=False,
        )
        try:
            conn = retrying(self._factory)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            raise RetryableError(f"cannot connect to the database: {last}", "db_unavailable") from last
        except Exception as exc:
            raise _translate(exc) from exc
        try:
            conn.autocommit = False
            cur = conn.cursor()
            cur.execute("SET TIME ZONE 'UTC'")
            conn.commit()
        except Exception as exc:
            _close_quietly(conn)
            raise _translate(exc) from exc
        return conn


def _close_quietly(conn: Connection) -> None:
    with suppress(*_DRIVER_ERRORS):
        conn.close()


# --- schema -------------------------------------------------------------------------------------

SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS customers (
        id text PRIMARY KEY,
        name text NOT NULL,
        email text,
        created_at timestamptz NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE IF NOT EXISTS utility_accounts (
        id text PRIMARY KEY,
        customer_id text NOT NULL REFERENCES customers(id),
        provider text NOT NULL,
        account_number text NOT NULL,
        credentials_secret_name text,
        scenario text,
        created_at timestamptz NOT NULL DEFAULT now()
    )""",
    "CREATE INDEX IF NOT EXISTS utility_accounts_customer ON utility_accounts (customer_id)",
    """CREATE TABLE IF NOT EXISTS ingestion_jobs (
        id text PRIMARY KEY,
        customer_id text NOT NULL REFERENCES customers(id),
        utility_account_id text NOT NULL REFERENCES utility_accounts(id),
        job_type text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        since_date date,
        idempotency_key text,
        expected_artifacts integer,
        errors jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        UNIQUE (customer_id, idempotency_key)
    )""",
    "CREATE INDEX IF NOT EXISTS ingestion_jobs_customer ON ingestion_jobs (customer_id, created_at)",
    """CREATE TABLE IF NOT EXISTS artifacts (
        id text PRIMARY KEY,
        customer_id text NOT NULL REFERENCES customers(id),
        utility_account_id text NOT NULL REFERENCES utility_accounts(id),
        sha256 text NOT NULL,
        object_name text NOT NULL,
        original_name text,
        kind text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        stage_attempts jsonb NOT NULL DEFAULT '{}'::jsonb,
        reason_code text,
        message text,
        normalized_object text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (utility_account_id, sha256)
    )""",
    "CREATE INDEX IF NOT EXISTS artifacts_customer ON artifacts (customer_id, created_at)",
    """CREATE TABLE IF NOT EXISTS job_artifacts (
        job_id text NOT NULL REFERENCES ingestion_jobs(id),
        artifact_id text NOT NULL REFERENCES artifacts(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job_id, artifact_id)
    )""",
    "CREATE INDEX IF NOT EXISTS job_artifacts_artifact ON job_artifacts (artifact_id)",
    """CREATE TABLE IF NOT EXISTS bills (
        id text PRIMARY KEY,
        artifact_id text NOT NULL REFERENCES artifacts(id),
        customer_id text NOT NULL REFERENCES customers(id),
        utility_account_id text NOT NULL REFERENCES utility_accounts(id),
        provider text NOT NULL,
        account_number text NOT NULL,
        service_address text,
        bill_period_start date NOT NULL,
        bill_period_end date NOT NULL,
        statement_date date,
        due_date date,
        currency text NOT NULL,
        total_amount numeric(14,2) NOT NULL,
        amount_due numeric(14,2),
        previous_balance numeric(14,2),
        status text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (utility_account_id, bill_period_start, bill_period_end)
    )""",
    "CREATE INDEX IF NOT EXISTS bills_customer ON bills (customer_id, bill_period_end)",
    """CREATE TABLE IF NOT EXISTS bill_line_items (
        bill_id text NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
        position integer NOT NULL,
        description text NOT NULL,
        amount numeric(14,2) NOT NULL,
        category text NOT NULL,
        quantity numeric,
        unit text,
        rate numeric,
        PRIMARY KEY (bill_id, position)
    )""",
    """CREATE TABLE IF NOT EXISTS bill_usage (
        bill_id text NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
        position integer NOT NULL,
        commodity text NOT NULL,
        quantity numeric NOT NULL,
        unit text NOT NULL,
        meter_number text,
        read_type text NOT NULL,
        start_read numeric,
        end_read numeric,
        multiplier numeric,
        period text,
        direction text NOT NULL DEFAULT 'delivered',
        PRIMARY KEY (bill_id, position)
    )""",
    # databases made before bill usage had a direction: every row read so far was taken as delivered
    "ALTER TABLE bill_usage ADD COLUMN IF NOT EXISTS direction text NOT NULL DEFAULT 'delivered'",
    """CREATE TABLE IF NOT EXISTS interval_series (
        artifact_id text NOT NULL REFERENCES artifacts(id),
        meter_id text NOT NULL,
        direction text NOT NULL,
        customer_id text NOT NULL REFERENCES customers(id),
        utility_account_id text NOT NULL REFERENCES utility_accounts(id),
        commodity text NOT NULL,
        unit text NOT NULL,
        interval_seconds integer NOT NULL,
        first_start timestamptz NOT NULL,
        last_end timestamptz NOT NULL,
        count integer NOT NULL,
        total numeric NOT NULL,
        estimated_count integer NOT NULL,
        gaps integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (artifact_id, meter_id, direction)
    )""",
    "CREATE INDEX IF NOT EXISTS interval_series_customer ON interval_series (customer_id)",
    """CREATE TABLE IF NOT EXISTS api_keys (
        id text PRIMARY KEY,
        customer_id text NOT NULL REFERENCES customers(id),
        key_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
    )""",
    """CREATE TABLE IF NOT EXISTS agent_runs (
        job_id text PRIMARY KEY REFERENCES ingestion_jobs(id),
        goal text NOT NULL,
        planner text NOT NULL,
        plan jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )""",
)


M = TypeVar("M", bound=BaseModel)


# --- row mapping --------------------------------------------------------------------------------


def _rows(cur: Cursor) -> list[dict[str, Any]]:
    if cur.description is None:
        return []
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _one(cur: Cursor) -> dict[str, Any] | None:
    rows = _rows(cur)
    return rows[0] if rows else None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _customer(row: dict[str, Any]) -> Customer:
    return _model(Customer, row)


def _model(model: type[M], row: dict[str, Any], **overrides: Any) -> M:
    """A row as its pydantic model: the columns are named after the fields, so the mapping is derived."""
    return model.model_validate({name: row[name] for name in model.model_fields if name in row} | overrides)


def _account(row: dict[str, Any]) -> UtilityAccount:
    return _model(UtilityAccount, row)


def _job(row: dict[str, Any]) -> IngestionJob:
    return _model(IngestionJob, row, errors=[JobError.model_validate(e) for e in _json(row["errors"]) or []])


def _artifact(row: dict[str, Any]) -> Artifact:
    return _model(Artifact, row)


def _bill_record(row: dict[str, Any]) -> BillRecord:
    return BillRecord(
        id=row["id"],
        artifact_id=row["artifact_id"],
        customer_id=row["customer_id"],
        utility_account_id=row["utility_account_id"],
        bill=NormalizedBill.model_validate(_json(row["payload"])),
    )


def _aggregate_job_status(counts: dict[str, int]) -> JobStatus:
    if counts.get(ArtifactStatus.FAILED.value):
        return JobStatus.FAILED
    if counts.get(ArtifactStatus.NEEDS_REVIEW.value):
        return JobStatus.NEEDS_REVIEW
    return JobStatus.SUCCEEDED


_JOB_COLUMNS = (
    "id, customer_id, utility_account_id, job_type, status, attempts, since_date, idempotency_key,"
    " expected_artifacts, errors, created_at, started_at, finished_at"
)
_ARTIFACT_COLUMNS = (
    "a.id, a.customer_id, a.utility_account_id, a.sha256, a.object_name, a.original_name, a.kind,"
    " a.status, a.attempts, a.reason_code, a.message, a.normalized_object, a.created_at,"
    " a.updated_at"
)


# --- the adapter --------------------------------------------------------------------------------


class PostgresDatabase(Database):
    """The operational store on PostgreSQL. Thread-safe; connects lazily."""

    def __init__(
        self,
        connection_factory: Callable[[], Connection],
        *,
        pool_size: int = 8,
        ping_after_seconds: float = 30.0,
    ) -> None:
        self._pool = _Pool(connection_factory, pool_size, ping_after_seconds)

    @classmethod
    def from_url(cls, db_url: str, **kwargs: Any) -> Self:
        parse_db_url(db_url)  # fail fast on a malformed URL, still without connecting
        return cls(lambda: connect_url(db_url), **kwargs)

    def close(self) -> None:
        """Close idle pooled connections (connections in use are closed when released later)."""
        self._pool.close()

    # --- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _cursor(self) -> Iterator[Cursor]:
        """One transaction: commit on success, roll back on error; driver errors translated."""
        conn = self._pool.acquire()
        try:
            cur = conn.cursor()
            yield cur
            conn.commit()
        except BaseException as exc:
            if _is_connection_error(exc):
                # The server went away or restarted: the idle connections are stale too.
                self._pool.discard(conn)
                self._pool.close()
            else:
                try:
                    conn.rollback()
                except _DRIVER_ERRORS:
                    self._pool.discard(conn)
                else:
                    self._pool.release(conn)
            if isinstance(exc, Exception):
                translated = _translate(exc)
                if translated is not exc:
                    raise translated from exc
            raise
        else:
            self._pool.release(conn)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._cursor() as cur:
            cur.execute(sql, tuple(params))
            return _rows(cur)

    @staticmethod
    def _exists(cur: Cursor, table: str, id_: str) -> bool:
        assert table in {"customers", "utility_accounts", "ingestion_jobs", "artifacts"}
        cur.execute(f"SELECT 1 FROM {table} WHERE id = %s", (id_,))
        return cur.fetchone() is not None

    # --- schema ---------------------------------------------------------------------------------

    def migrate(self) -> None:
        with self._cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            for statement in SCHEMA:
                cur.execute(statement)

    # --- customers and accounts -----------------------------------------------------------------

    def create_customer(self, body: CustomerCreate) -> Customer:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO customers (id, name, email) VALUES (%s, %s, %s) RETURNING id, name, email, created_at",
                (new_id("cus"), body.name, body.email),
            )
            row = _one(cur)
        assert row is not None
        return _customer(row)

    def get_customer(self, customer_id: str) -> Customer:
        rows = self._fetch("SELECT id, name, email, created_at FROM customers WHERE id = %s", (customer_id,))
        if not rows:
            raise NotFound(f"customer {customer_id} not found")
        return _customer(rows[0])

    def create_account(self, body: UtilityAccountCreate) -> UtilityAccount:
        with self._cursor() as cur:
            if not self._exists(cur, "customers", body.customer_id):
                raise NotFound(f"customer {body.customer_id} not found")
            cur.execute(
                "INSERT INTO utility_accounts (id, customer_id, provider, account_number,"
                " credentials_secret_name, scenario) VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
                (
                    new_id("acc"),
                    body.customer_id,
                    body.provider,
                    body.account_number,
                    body.credentials_secret_name,
                    body.scenario,
                ),
            )
            row = _one(cur)
        assert row is not None
        return _account(row)

    def get_account(self, account_id: str) -> UtilityAccount:
        rows = self._fetch("SELECT * FROM utility_accounts WHERE id = %s", (account_id,))
        if not rows:
            raise NotFound(f"utility account {account_id} not found")
        return _account(rows[0])

    def list_accounts(self, customer_id: str) -> list[UtilityAccount]:
        rows = self._fetch(
            "SELECT * FROM utility_accounts WHERE customer_id = %s ORDER BY created_at, id",
            (customer_id,),
        )
        return [_account(r) for r in rows]

    # --- jobs -----------------------------------------------------------------------------------

    def create_job(
        self,
        account: UtilityAccount,
        job_type: JobType,
        since_date: date | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[IngestionJob, bool]:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO ingestion_jobs (id, customer_id, utility_account_id, job_type, status,"
                " since_date, idempotency_key) VALUES (%s, %s, %s, %s, %s, %s::date, %s)"
                f" ON CONFLICT (customer_id, idempotency_key) DO NOTHING RETURNING {_JOB_COLUMNS}",
                (
                    new_id("job"),
                    account.customer_id,
                    account.id,
                    JobType(job_type).value,
                    JobStatus.PENDING.value,
                    since_date,
                    idempotency_key,
                ),
            )
            row = _one(cur)
            if row is not None:
                return _job(row), False
            # The key exists (possibly committed by a concurrent caller a moment ago: under READ
            # COMMITTED the INSERT waited for it, and this new statement sees it).
            cur.execute(
                f"SELECT {_JOB_COLUMNS} FROM ingestion_jobs WHERE customer_id = %s AND idempotency_key = %s",
                (account.customer_id, idempotency_key),
            )
            row = _one(cur)
        if row is None:
            raise RetryableError("idempotent job insert lost a race; retry", "db_transient")
        return _job(row), True

    def get_job(self, job_id: str) -> IngestionJob:
        rows = self._fetch(f"SELECT {_JOB_COLUMNS} FROM ingestion_jobs WHERE id = %s", (job_id,))
        if not rows:
            raise NotFound(f"job {job_id} not found")
        return _job(rows[0])

    def list_jobs(self, customer_id: str | None = None) -> list[IngestionJob]:
        if customer_id is None:
            rows = self._fetch(f"SELECT {_JOB_COLUMNS} FROM ingestion_jobs ORDER BY created_at DESC, id")
        else:
            rows = self._fetch(
                f"SELECT {_JOB_COLUMNS} FROM ingestion_jobs WHERE customer_id = %s ORDER BY created_at DESC, id",
                (customer_id,),
            )
        return [_job(r) for r in rows]

    def transition_job(self, job_id: str, from_statuses: Sequence[JobStatus], to_status: JobStatus) -> bool:
        """Conditional update; raises NotFound for an unknown job, False when another state won."""
        to = JobStatus(to_status)
        with self._cursor() as cur:
            cur.execute(
                "UPDATE ingestion_jobs SET status = %s, updated_at = now(),"
                " started_at = CASE WHEN %s THEN COALESCE(started_at, now()) ELSE started_at END,"
                " finished_at = CASE WHEN %s THEN now() ELSE finished_at END"
                " WHERE id = %s AND status = ANY(%s::text[]) RETURNING id",
                (
                    to.value,
                    to is JobStatus.RUNNING,
                    to.terminal,
                    job_id,
                    [JobStatus(s).value for s in from_statuses],
                ),
            )
            if cur.fetchone() is not None:
                return True
            if not self._exists(cur, "ingestion_jobs", job_id):
                raise NotFound(f"job {job_id} not found")
            return False

    def start_job_attempt(self, job_id: str) -> IngestionJob:
        with self._cursor() as cur:
            cur.execute(
                "UPDATE ingestion_jobs SET attempts = attempts + 1, updated_at = now(),"
                " status = CASE WHEN status = %s THEN %s ELSE status END,"
                " started_at = CASE WHEN status = %s THEN COALESCE(started_at, now())"
                " ELSE started_at END"
                f" WHERE id = %s RETURNING {_JOB_COLUMNS}",
                (
                    JobStatus.PENDING.value,
                    JobStatus.RUNNING.value,
                    JobStatus.PENDING.value,
                    job_id,
                ),
            )
            row = _one(cur)
        if row is None:
            raise NotFound(f"job {job_id} not found")
        return _job(row)

    def set_expected_artifacts(self, job_id: str, count: int) -> None:
        with self._cursor() as cur:
            cur.execute(
                "UPDATE ingestion_jobs SET expected_artifacts = %s, updated_at = now() WHERE id = %s RETURNING id",
                (int(count), job_id),
            )
            if cur.fetchone() is None:
                raise NotFound(f"job {job_id} not found")

    def add_job_error(self, job_id: str, error: JobError) -> None:
        """Append the error unless an equal one (ignoring its time) is already recorded."""
        with self._cursor() as cur:
            self._append_error(cur, job_id, error)
            if not self._exists(cur, "ingestion_jobs", job_id):
                raise NotFound(f"job {job_id} not found")

    @staticmethod
    def _append_error(cur: Cursor, job_id: str, error: JobError) -> None:
        cur.execute(
            "UPDATE ingestion_jobs SET errors = errors || jsonb_build_array(%s::jsonb),"
            " updated_at = now()"
            " WHERE id = %s AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(errors) e"
            "  WHERE e->>'stage' = %s AND e->>'reason_code' = %s AND e->>'message' = %s"
            "  AND (e->>'artifact_id') IS NOT DISTINCT FROM %s::text)",
            (
                error.model_dump_json(),
                job_id,
                error.stage,
                error.reason_code,
                error.message,
                error.artifact_id,
            ),
        )

    def finish_job_if_complete(self, job_id: str) -> JobStatus | None:
        with self._cursor() as cur:
            cur.execute(
                "SELECT status, expected_artifacts FROM ingestion_jobs WHERE id = %s FOR UPDATE",
                (job_id,),
            )
            job = _one(cur)
            if job is None:
                raise NotFound(f"job {job_id} not found")
            if job["expected_artifacts"] is None or JobStatus(job["status"]).terminal:
                return None
            cur.execute(
                "SELECT a.status, count(*) AS n FROM job_artifacts ja"
                " JOIN artifacts a ON a.id = ja.artifact_id"
                " WHERE ja.job_id = %s AND a.status = ANY(%s::text[]) GROUP BY a.status",
                (job_id, TERMINAL_ARTIFACT),
            )
            counts = {r["status"]: int(r["n"]) for r in _rows(cur)}
            if sum(counts.values()) < job["expected_artifacts"]:
                return None
            status = _aggregate_job_status(counts)
            cur.execute(
                "UPDATE ingestion_jobs SET status = %s, finished_at = now(), updated_at = now(),"
                " started_at = COALESCE(started_at, now())"
                " WHERE id = %s AND NOT (status = ANY(%s::text[])) RETURNING id",
                (status.value, job_id, TERMINAL_JOB),
            )
            return status if cur.fetchone() is not None else None

    def fail_job(self, job_id: str, error: JobError) -> bool:
        """Record the error and mark the job FAILED unless it is already terminal."""
        with self._cursor() as cur:
            cur.execute(
                "UPDATE ingestion_jobs SET status = %s, finished_at = now(), updated_at = now()"
                " WHERE id = %s AND NOT (status = ANY(%s::text[])) RETURNING id",
                (JobStatus.FAILED.value, job_id, TERMINAL_JOB),
            )
            if cur.fetchone() is None:
                if not self._exists(cur, "ingestion_jobs", job_id):
                    raise NotFound(f"job {job_id} not found")
                return False
            self._append_error(cur, job_id, error)
            return True

    # --- artifacts ------------------------------------------------------------------------------

    def register_artifact(
        self,
        *,
        job_id: str | None,
        account: UtilityAccount,
        sha256: str,
        object_name: str,
        original_name: str | None,
        kind: ArtifactKind,
    ) -> Artifact:
        """Upsert on (account, sha256); the status of an existing artifact is kept as it is."""
        artifact_id = f"{account.id}:{sha256}"
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO artifacts (id, customer_id, utility_account_id, sha256, object_name,"
                " original_name, kind, status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (utility_account_id, sha256) DO UPDATE SET"
                " object_name = EXCLUDED.object_name,"
                " original_name = COALESCE(artifacts.original_name, EXCLUDED.original_name),"
                " kind = CASE WHEN artifacts.kind = %s THEN EXCLUDED.kind ELSE artifacts.kind END,"
                " updated_at = now()"
                " RETURNING id",
                (
                    artifact_id,
                    account.customer_id,
                    account.id,
                    sha256,
                    object_name,
                    original_name,
                    ArtifactKind(kind).value,
                    ArtifactStatus.RECEIVED.value,
                    ArtifactKind.UNKNOWN.value,
                ),
            )
            stored_id = cur.fetchone()[0]
            if job_id is not None:
                cur.execute(
                    "INSERT INTO job_artifacts (job_id, artifact_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    (job_id, stored_id),
                )
            cur.execute(f"SELECT {_ARTIFACT_COLUMNS} FROM artifacts a WHERE a.id = %s", (stored_id,))
            row = _one(cur)
        assert row is not None
        return _artifact(row)

    def get_artifact(self, artifact_id: str) -> Artifact:
        rows = self._fetch(f"SELECT {_ARTIFACT_COLUMNS} FROM artifacts a WHERE a.id = %s", (artifact_id,))
        if not rows:
            raise NotFound(f"artifact {artifact_id} not found")
        return _artifact(rows[0])

    def list_job_artifacts(self, job_id: str) -> list[Artifact]:
        rows = self._fetch(
            f"SELECT {_ARTIFACT_COLUMNS} FROM job_artifacts ja JOIN artifacts a"
            " ON a.id = ja.artifact_id WHERE ja.job_id = %s ORDER BY a.created_at, a.id",
            (job_id,),
        )
        return [_artifact(r) for r in rows]

    def list_artifacts(self, customer_id: str | None = None) -> list[Artifact]:
        if customer_id is None:
            rows = self._fetch(f"SELECT {_ARTIFACT_COLUMNS} FROM artifacts a ORDER BY a.created_at, a.id")
        else:
            rows = self._fetch(
                f"SELECT {_ARTIFACT_COLUMNS} FROM artifacts a WHERE a.customer_id = %s ORDER BY a.created_at, a.id",
                (customer_id,),
            )
        return [_artifact(r) for r in rows]

    def count_artifact_attempt(self, artifact_id: str, stage: str) -> int:
        """Increment the `stage` counter (and the artifact's total `attempts`); return the former."""
        with self._cursor() as cur:
            cur.execute(
                "UPDATE artifacts SET attempts = attempts + 1, updated_at = now(),"
                " stage_attempts = jsonb_set(stage_attempts, ARRAY[%s::text],"
                "  to_jsonb(COALESCE((stage_attempts->>%s::text)::int, 0) + 1))"
                " WHERE id = %s RETURNING (stage_attempts->>%s::text)::int",
                (stage, stage, artifact_id, stage),
            )
            row = cur.fetchone()
        if row is None:
            raise NotFound(f"artifact {artifact_id} not found")
        return int(row[0])

    def set_artifact_status(
        self,
        artifact_id: str,
        status: ArtifactStatus,
        *,
        reason_code: str | None = None,
        message: str | None = None,
        normalized_object: str | None = None,
        kind: ArtifactKind | None = None,
    ) -> None:
        """Set the status; optional fields left None are kept, except that LOADED clears the
        reason/message. A terminal status is never replaced by RECEIVED/RETRYING/EXTRACTED."""
        new = ArtifactStatus(status)
        clear_reason = new is ArtifactStatus.LOADED
        with self._cursor() as cur:
            cur.execute(
                "UPDATE artifacts SET status = %s, updated_at = now(),"
                " reason_code = CASE WHEN %s::text IS NOT NULL THEN %s::text"
                "  WHEN %s THEN NULL ELSE reason_code END,"
                " message = CASE WHEN %s::text IS NOT NULL THEN %s::text"
                "  WHEN %s THEN NULL ELSE message END,"
                " normalized_object = COALESCE(%s::text, normalized_object),"
                " kind = COALESCE(%s::text, kind)"
                " WHERE id = %s AND NOT (status = ANY(%s::text[]) AND %s = ANY(%s::text[]))"
                " RETURNING id",
                (
                    new.value,
                    reason_code,
                    reason_code,
                    clear_reason,
                    message,
                    message,
                    clear_reason,
                    normalized_object,
                    ArtifactKind(kind).value if kind is not None else None,
                    artifact_id,
                    TERMINAL_ARTIFACT,
                    new.value,
                    NON_TERMINAL_ARTIFACT,
                ),
            )
            if cur.fetchone() is None and not self._exists(cur, "artifacts", artifact_id):
                raise NotFound(f"artifact {artifact_id} not found")

    def job_ids_for_artifact(self, artifact_id: str) -> list[str]:
        rows = self._fetch(
            "SELECT job_id FROM job_artifacts WHERE artifact_id = %s ORDER BY created_at, job_id",
            (artifact_id,),
        )
        return [r["job_id"] for r in rows]

    # --- bills and intervals --------------------------------------------------------------------

    def upsert_bill(self, artifact: Artifact, bill: NormalizedBill) -> str:
        """Upsert on the natural key; the id is stable and the children are replaced."""
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO bills (id, artifact_id, customer_id, utility_account_id, provider,"
                " account_number, service_address, bill_period_start, bill_period_end,"
                " statement_date, due_date, currency, total_amount, amount_due, previous_balance,"
                " status, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::date, %s::date,"
                " %s::date, %s::date, %s, %s, %s::numeric, %s::numeric, %s, %s::jsonb)"
                " ON CONFLICT (utility_account_id, bill_period_start, bill_period_end) DO UPDATE SET"
                " artifact_id = EXCLUDED.artifact_id, customer_id = EXCLUDED.customer_id,"
                " provider = EXCLUDED.provider, account_number = EXCLUDED.account_number,"
                " service_address = EXCLUDED.service_address,"
                " statement_date = EXCLUDED.statement_date, due_date = EXCLUDED.due_date,"
                " currency = EXCLUDED.currency, total_amount = EXCLUDED.total_amount,"
                " amount_due = EXCLUDED.amount_due, previous_balance = EXCLUDED.previous_balance,"
                " status = EXCLUDED.status, payload = EXCLUDED.payload, updated_at = now()"
                " RETURNING id",
                (
                    new_id("bill"),
                    artifact.id,
                    artifact.customer_id,
                    artifact.utility_account_id,
                    bill.provider,
                    bill.account_number,
                    bill.service_address,
                    bill.bill_period_start,
                    bill.bill_period_end,
                    bill.statement_date,
                    bill.due_date,
                    bill.currency,
                    bill.total_amount,
                    bill.amount_due,
                    bill.previous_balance,
                    bill.status.value,
                    bill.model_dump_json(),
                ),
            )
            bill_id: str = cur.fetchone()[0]
            cur.execute("DELETE FROM bill_line_items WHERE bill_id = %s", (bill_id,))
            cur.execute("DELETE FROM bill_usage WHERE bill_id = %s", (bill_id,))
            if bill.line_items:
                cur.executemany(
                    "INSERT INTO bill_line_items (bill_id, position, description, amount,"
                    " category, quantity, unit, rate)"
                    " VALUES (%s, %s, %s, %s, %s, %s::numeric, %s, %s::numeric)",
                    [
                        (
                            bill_id,
                            i,
                            li.description,
                            li.amount,
                            li.category.value,
                            li.quantity,
                            li.unit,
                            li.rate,
                        )
                        for i, li in enumerate(bill.line_items)
                    ],
                )
            if bill.usage:
                cur.executemany(
                    "INSERT INTO bill_usage (bill_id, position, commodity, quantity, unit,"
                    " meter_number, read_type, start_read, end_read, multiplier, period, direction)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s::numeric, %s::numeric,"
                    " %s::numeric, %s, %s)",
                    [
                        (
                            bill_id,
                            i,
                            u.commodity.value,
                            u.quantity,
                            u.unit,
                            u.meter_number,
                            u.read_type.value,
                            u.start_read,
                            u.end_read,
                            u.multiplier,
                            u.period,
                            u.direction.value,
                        )
                        for i, u in enumerate(bill.usage)
                    ],
                )
        return bill_id

    def list_bills(self, customer_id: str, limit: int = 100) -> list[BillRecord]:
        """Newest billing period first."""
        rows = self._fetch(
            "SELECT id, artifact_id, customer_id, utility_account_id, payload FROM bills"
            " WHERE customer_id = %s"
            " ORDER BY bill_period_end DESC, bill_period_start DESC, utility_account_id LIMIT %s",
            (customer_id, int(limit)),
        )
        return [_bill_record(r) for r in rows]

    def account_bills(self, utility_account_id: str, overlapping: tuple[date, date] | None = None) -> list[BillRecord]:
        """Oldest billing period first."""
        first, last = overlapping or (date.min, date.max)
        rows = self._fetch(
            "SELECT id, artifact_id, customer_id, utility_account_id, payload FROM bills"
            " WHERE utility_account_id = %s AND bill_period_end >= %s AND bill_period_start <= %s"
            " ORDER BY bill_period_start, bill_period_end",
            (utility_account_id, first, last),
        )
        return [_bill_record(r) for r in rows]

    def upsert_interval_series(self, artifact: Artifact, series: Sequence[IntervalSeriesSummary]) -> None:
        if not series:
            return
        with self._cursor() as cur:
            cur.executemany(
                "INSERT INTO interval_series (artifact_id, meter_id, direction, customer_id,"
                " utility_account_id, commodity, unit, interval_seconds, first_start, last_end,"
                " count, total, estimated_count, gaps)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (artifact_id, meter_id, direction) DO UPDATE SET"
                " commodity = EXCLUDED.commodity, unit = EXCLUDED.unit,"
                " interval_seconds = EXCLUDED.interval_seconds,"
                " first_start = EXCLUDED.first_start, last_end = EXCLUDED.last_end,"
                " count = EXCLUDED.count, total = EXCLUDED.total,"
                " estimated_count = EXCLUDED.estimated_count, gaps = EXCLUDED.gaps,"
                " updated_at = now()",
                [
                    (
                        artifact.id,
                        s.meter_id,
                        s.direction.value,
                        artifact.customer_id,
                        artifact.utility_account_id,
                        s.commodity.value,
                        s.unit,
                        s.interval_seconds,
                        s.first_start,
                        s.last_end,
                        s.count,
                        s.total,
                        s.estimated_count,
                        s.gaps,
                    )
                    for s in series
                ],
            )

    def interval_row_count(self, customer_id: str) -> int:
        """Sum of the series counts of the customer's artifacts. Files that overlap in time are
        each counted (the warehouse, which merges on the interval start, holds the exact count)."""
        rows = self._fetch(
            "SELECT COALESCE(SUM(count), 0) AS n FROM interval_series WHERE customer_id = %s",
            (customer_id,),
        )
        return int(rows[0]["n"])

    def monthly_usage(self, customer_id: str) -> list[AccountUsageMonth]:
        """Bills grouped by the month of bill_period_end and by usage commodity/unit.

        ``usage`` is the energy each bill says the customer took from the grid (models.energy_used: all meters, a
        meter's TOU registers where it prints no total, never what a net-metered customer sent back), ``exported``
        what such a customer sent back (models.energy_exported); ``cost`` is the bill's total_amount attributed
        entirely to the bill's FIRST usage row's commodity/unit, so a dual-fuel bill's total is counted once (bills
        without usage rows are not reported). Only ok bills count: a bill waiting for review (say, a model's
        reading of a scan) is not yet a fact.
        """
        rows = self._fetch(
            "SELECT b.id, to_char(b.bill_period_end, 'YYYY-MM') AS month, b.total_amount, u.commodity, u.unit,"
            " u.quantity, u.meter_number, u.period, u.direction"
            " FROM bills b JOIN bill_usage u ON u.bill_id = b.id"
            " WHERE b.customer_id = %s AND b.status = %s ORDER BY b.id, u.position",
            (customer_id, BillStatus.OK.value),
        )
        reads: dict[tuple[str, str, str, str], list[UsageRead]] = {}  # by bill, month, commodity and unit
        cost: dict[tuple[str, str, str], Decimal] = {}  # by month, commodity and unit
        costed: set[str] = set()
        for r in rows:
            key = (r["month"], r["commodity"], r["unit"])
            cost.setdefault(key, Decimal(0))
            if r["id"] not in costed:  # the bill's first usage row: rows come in position order
                costed.add(r["id"])
                cost[key] += r["total_amount"]
            reads.setdefault((r["id"], *key), []).append(
                UsageRead(
                    commodity=Commodity(r["commodity"]),
                    quantity=r["quantity"],
                    unit=r["unit"],
                    meter_number=r["meter_number"],
                    period=r["period"],
                    direction=Direction(r["direction"]),
                )
            )
        usage, exported = dict.fromkeys(cost, Decimal(0)), dict.fromkeys(cost, Decimal(0))
        for (_, month, commodity, unit), bill_reads in reads.items():
            usage[(month, commodity, unit)] += energy_used(bill_reads) or Decimal(0)
            exported[(month, commodity, unit)] += energy_exported(bill_reads)
        return [
            AccountUsageMonth(*key, usage=usage[key], cost=cost[key], exported=exported[key]) for key in sorted(cost)
        ]

    # --- agent ----------------------------------------------------------------------------------

    def save_agent_run(self, job_id: str, goal: str, planner: str, plan: Sequence[PlanStep]) -> None:
        payload = json.dumps([step.model_dump(mode="json") for step in plan])
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO agent_runs (job_id, goal, planner, plan) VALUES (%s, %s, %s, %s::jsonb)"
                " ON CONFLICT (job_id) DO UPDATE SET goal = EXCLUDED.goal,"
                " planner = EXCLUDED.planner, plan = EXCLUDED.plan, updated_at = now()",
                (job_id, goal, planner, payload),
            )

    def get_agent_run(self, job_id: str) -> tuple[str, str, list[PlanStep]]:
        rows = self._fetch("SELECT goal, planner, plan FROM agent_runs WHERE job_id = %s", (job_id,))
        if not rows:
            raise NotFound(f"agent run of job {job_id} not found")
        row = rows[0]
        return (
            row["goal"],
            row["planner"],
            [PlanStep.model_validate(step) for step in _json(row["plan"]) or []],
        )

    def store_api_key(self, key_id: str, customer_id: str, key_hash: str) -> None:
        with self._cursor() as cur:
            if not self._exists(cur, "customers", customer_id):
                raise NotFound(f"customer {customer_id} not found")
            cur.execute(
                "INSERT INTO api_keys (id, customer_id, key_hash) VALUES (%s, %s, %s)", (key_id, customer_id, key_hash)
            )

    def customer_for_api_key(self, key_hash: str) -> str | None:
        rows = self._fetch("SELECT customer_id FROM api_keys WHERE key_hash = %s AND revoked_at IS NULL", (key_hash,))
        return str(rows[0]["customer_id"]) if rows else None

    def reopen_artifact(self, artifact_id: str) -> bool:
        """FAILED → RETRYING with fresh attempt budgets; its FAILED jobs go back to RUNNING."""
        with self._cursor() as cur:
            cur.execute(
                "UPDATE artifacts SET status = %s, stage_attempts = '{}'::jsonb, updated_at = now()"
                " WHERE id = %s AND status = %s RETURNING id",
                (ArtifactStatus.RETRYING.value, artifact_id, ArtifactStatus.FAILED.value),
            )
            reopened = cur.fetchone() is not None
            if reopened:
                cur.execute(
                    "UPDATE ingestion_jobs SET status = %s, finished_at = NULL, updated_at = now()"
                    " WHERE status = %s AND id IN (SELECT job_id FROM job_artifacts WHERE artifact_id = %s)",
                    (JobStatus.RUNNING.value, JobStatus.FAILED.value, artifact_id),
                )
            elif not self._exists(cur, "artifacts", artifact_id):
                raise NotFound(f"artifact {artifact_id} not found")
        return reopened

    def reopen_job(self, job_id: str) -> bool:
        """A FAILED fetch job → PENDING with a fresh attempt budget."""
        with self._cursor() as cur:
            cur.execute(
                "UPDATE ingestion_jobs SET status = %s, attempts = 0, finished_at = NULL, updated_at = now()"
                " WHERE id = %s AND status = %s RETURNING id",
                (JobStatus.PENDING.value, job_id, JobStatus.FAILED.value),
            )
            reopened = cur.fetchone() is not None
            if not reopened and not self._exists(cur, "ingestion_jobs", job_id):
                raise NotFound(f"job {job_id} not found")
        return reopened
