"""Ports: what the core needs from the outside world. Local and cloud adapters implement them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from common.errors import NotFound
from common.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Customer,
    CustomerCreate,
    DeadLetter,
    IngestionJob,
    IntervalReading,
    IntervalSeriesSummary,
    JobError,
    JobStatus,
    JobType,
    NormalizedBill,
    PlanStep,
    ToolSpec,
    UtilityAccount,
    UtilityAccountCreate,
)


class BlobStore(ABC):
    @abstractmethod
    def write(
        self,
        bucket: str,
        name: str,
        data: bytes,
        content_type: str,
        metadata: dict[str, str] | None = None,
    ) -> bool:
        """Create the object unless it exists. Returns False when it already existed (idempotent)."""

    @abstractmethod
    def read(self, bucket: str, name: str) -> bytes: ...

    @abstractmethod
    def metadata(self, bucket: str, name: str) -> dict[str, str]: ...

    @abstractmethod
    def exists(self, bucket: str, name: str) -> bool: ...

    @abstractmethod
    def list(self, bucket: str, prefix: str = "") -> list[str]: ...


class Publisher(ABC):
    @abstractmethod
    def publish(self, topic: str, data: bytes, attributes: dict[str, str] | None = None) -> str:
        """Publish and wait until the bus has accepted the message; returns its id."""


class Secrets(ABC):
    @abstractmethod
    def get(self, name: str) -> str:
        """Raise NotFound when the secret does not exist."""

    def exists(self, name: str) -> bool:
        from common.errors import NotFound

        try:
            self.get(name)
        except NotFound:
            return False
        return True


@dataclass
class BillRecord:
    """A loaded bill as the database holds it."""

    id: str
    artifact_id: str
    customer_id: str
    utility_account_id: str
    bill: NormalizedBill


@dataclass
class AccountUsageMonth:
    month: str
    commodity: str
    unit: str
    usage: Decimal
    cost: Decimal
    exported: Decimal = Decimal(0)  # what net-metered meters received from the customer


class Database(ABC):
    """The operational store: customers, accounts, jobs, artifacts, bills."""

    @abstractmethod
    def migrate(self) -> None: ...

    # customers and accounts
    @abstractmethod
    def create_customer(self, body: CustomerCreate) -> Customer: ...

    @abstractmethod
    def get_customer(self, customer_id: str) -> Customer: ...

    @abstractmethod
    def create_account(self, body: UtilityAccountCreate) -> UtilityAccount: ...

    @abstractmethod
    def get_account(self, account_id: str) -> UtilityAccount: ...

    @abstractmethod
    def list_accounts(self, customer_id: str) -> list[UtilityAccount]: ...

    # jobs
    @abstractmethod
    def create_job(
        self,
        account: UtilityAccount,
        job_type: JobType,
        since_date: date | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[IngestionJob, bool]:
        """Insert a PENDING job; with a known idempotency key return the existing job and True."""

    @abstractmethod
    def get_job(self, job_id: str) -> IngestionJob: ...

    @abstractmethod
    def list_jobs(self, customer_id: str | None = None) -> list[IngestionJob]: ...

    @abstractmethod
    def transition_job(self, job_id: str, from_statuses: Sequence[JobStatus], to_status: JobStatus) -> bool:
        """Conditional update: True only for the caller whose update moved the job."""

    @abstractmethod
    def start_job_attempt(self, job_id: str) -> IngestionJob:
        """Count one attempt of the fetch stage and mark the job RUNNING if it was PENDING."""

    @abstractmethod
    def set_expected_artifacts(self, job_id: str, count: int) -> None: ...

    @abstractmethod
    def add_job_error(self, job_id: str, error: JobError) -> None: ...

    @abstractmethod
    def finish_job_if_complete(self, job_id: str) -> JobStatus | None:
        """Move the job to its terminal status once every expected artifact is terminal."""

    @abstractmethod
    def fail_job(self, job_id: str, error: JobError) -> bool: ...

    # artifacts
    @abstractmethod
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
        """Upsert the artifact on (account, sha256) and link it to the job."""

    @abstractmethod
    def get_artifact(self, artifact_id: str) -> Artifact: ...

    @abstractmethod
    def list_job_artifacts(self, job_id: str) -> list[Artifact]: ...

    @abstractmethod
    def list_artifacts(self, customer_id: str | None = None) -> list[Artifact]: ...

    @abstractmethod
    def count_artifact_attempt(self, artifact_id: str, stage: str) -> int:
        """Increment and return the attempt count of `stage` for this artifact."""

    @abstractmethod
    def set_artifact_status(
        self,
        artifact_id: str,
        status: ArtifactStatus,
        *,
        reason_code: str | None = None,
        message: str | None = None,
        normalized_object: str | None = None,
        kind: ArtifactKind | None = None,
    ) -> None: ...

    @abstractmethod
    def job_ids_for_artifact(self, artifact_id: str) -> list[str]: ...

    # bills and intervals
    @abstractmethod
    def upsert_bill(self, artifact: Artifact, bill: NormalizedBill) -> str:
        """Upsert on (utility_account_id, bill_period_start, bill_period_end); returns the bill id."""

    @abstractmethod
    def list_bills(self, customer_id: str, limit: int = 100) -> list[BillRecord]: ...

    @abstractmethod
    def account_bills(self, utility_account_id: str, overlapping: tuple[date, date] | None = None) -> list[BillRecord]:
        """Oldest period first; with `overlapping`, only bills whose period meets [first, last]."""

    @abstractmethod
    def upsert_interval_series(self, artifact: Artifact, series: Sequence[IntervalSeriesSummary]) -> None: ...

    @abstractmethod
    def interval_row_count(self, customer_id: str) -> int: ...

    @abstractmethod
    def monthly_usage(self, customer_id: str) -> list[AccountUsageMonth]: ...

    # replay after a fix
    @abstractmethod
    def reopen_artifact(self, artifact_id: str) -> bool:
        """A FAILED artifact gets fresh attempts (and its FAILED jobs run again); False if not FAILED."""

    @abstractmethod
    def reopen_job(self, job_id: str) -> bool:
        """A FAILED job goes back to PENDING with fresh attempts; False if it was not FAILED."""

    # API keys: only hashes are stored
    @abstractmethod
    def store_api_key(self, key_id: str, customer_id: str, key_hash: str) -> None: ...

    @abstractmethod
    def customer_for_api_key(self, key_hash: str) -> str | None:
        """The customer owning an active key with this hash, or None."""

    # agent
    @abstractmethod
    def save_agent_run(self, job_id: str, goal: str, planner: str, plan: Sequence[PlanStep]) -> None: ...

    @abstractmethod
    def get_agent_run(self, job_id: str) -> tuple[str, str, list[PlanStep]]:
        """Return (goal, planner, plan)."""


class Warehouse(ABC):
    """The analytics store: normalized_bills and interval_usage."""

    @abstractmethod
    def ensure_schema(self) -> None: ...

    @abstractmethod
    def upsert_bill(self, record: BillRecord) -> None:
        """Idempotent on the bill id."""

    @abstractmethod
    def upsert_intervals(self, customer_id: str, utility_account_id: str, rows: Iterable[IntervalReading]) -> int:
        """Merge on (account, meter, direction, interval start); returns rows in the batch."""

    @abstractmethod
    def count(self, table: str, customer_id: str | None = None) -> int: ...

    @abstractmethod
    def rows(self, table: str) -> list[dict[str, Any]]:
        """All rows of a table in a stable order, for mode-to-mode comparison and tests."""

    # Interval file loads and reconciliation. Not abstract so adapters written before them keep
    # working: the defaults fall back to row upserts and skip reconciliation.

    def load_intervals(
        self, customer_id: str, utility_account_id: str, artifact_id: str, parquet: bytes
    ) -> IntervalLoad:
        """Merge an intervals Parquet object (common.intervals.table) as a file load.

        Key (account, meter, direction, interval start); conflict policy: an actual reading is never
        replaced by an estimated one, otherwise the last file loaded wins; each row records the
        artifact it came from. The default streams rows into ``upsert_intervals``.
        """
        from common.intervals.table import readings_from_parquet

        return IntervalLoad(rows=self.upsert_intervals(customer_id, utility_account_id, readings_from_parquet(parquet)))

    def interval_buckets(self, utility_account_id: str, start: datetime, end: datetime) -> list[IntervalBucket] | None:
        """Interval rows starting in [start, end) summed per 15-minute UTC bucket, direction, commodity
        and unit; None when this warehouse cannot answer (reconciliation is then skipped)."""
        return None

    def record_reconciliation(self, utility_account_id: str, results: Sequence[ReconciliationRecord]) -> None:
        """Store the account's bill-vs-interval results, replacing earlier ones for the same bills.
        The default keeps nothing (the load stage still logs them)."""
        return None


@dataclass(frozen=True)
class IntervalLoad:
    rows: int  # rows in the file
    inserted: int | None = None  # new keys
    replaced: int | None = None  # existing keys whose row the file replaced
    kept: int | None = None  # existing keys kept by the conflict policy (actual over estimated)


@dataclass(frozen=True)
class IntervalBucket:
    start: datetime  # UTC start of the 15-minute bucket the rows start in
    direction: str
    commodity: str
    unit: str
    total: Decimal
    rows: int
    estimated_rows: int
    covered_seconds: int
    last_end: datetime  # latest row end in the bucket
    local_zone: str | None


@dataclass(frozen=True)
class ReconciliationRecord:
    """One bill period's billed usage against the interval sum (common.intervals.reconcile)."""

    bill_id: str
    customer_id: str
    commodity: str
    unit: str
    period_start: date
    period_end: date
    billed: Decimal
    interval_total: Decimal | None
    difference: Decimal | None
    coverage_ratio: Decimal
    status: str  # match | mismatch | partial_coverage | no_intervals
    likely_cause: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class LLMToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


class LLM(ABC):
    """A language model that can plan with tools (Gemini in the cloud, a stub offline)."""

    name: str

    @abstractmethod
    def plan(self, goal: str, context: dict[str, Any], tools: Sequence[ToolSpec]) -> list[LLMToolCall]: ...


class BillReader(ABC):
    """A model that reads a bill PDF and answers JSON for a schema (Gemini in the cloud, a stub offline).

    It returns the model's raw text: the caller validates it with the pydantic model and re-asks once,
    because SDK-side parsing silently yields None on invalid output.
    """

    name: str

    @abstractmethod
    def extract_bill(self, pdf: bytes, response_schema: dict[str, Any], prompt: str) -> str:
        """Raise RetryableError when the model is unavailable, PermanentError when it refuses the request."""


class DeadLetterStore(ABC):
    """Events the platform gave up on: listed, inspected and delivered again."""

    @abstractmethod
    def list(self) -> list[DeadLetter]: ...

    def get(self, dead_letter_id: str) -> DeadLetter:
        """Raise NotFound for an unknown id. Stores list a handful of letters: a scan of `list` will do."""
        for letter in self.list():
            if letter.id == dead_letter_id:
                return letter
        raise NotFound(f"dead letter {dead_letter_id} not found")

    @abstractmethod
    def redeliver(self, dead_letter_ids: Sequence[str]) -> dict[str, int]:
        """Deliver again with a fresh attempt budget; returns replayed/succeeded/failed counts."""
