"""Ports: what the core needs from the outside world. Local and cloud adapters implement them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from common.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Customer,
    CustomerCreate,
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
    def account_bills(self, utility_account_id: str) -> list[BillRecord]: ...

    @abstractmethod
    def upsert_interval_series(self, artifact: Artifact, series: Sequence[IntervalSeriesSummary]) -> None: ...

    @abstractmethod
    def interval_row_count(self, customer_id: str) -> int: ...

    @abstractmethod
    def monthly_usage(self, customer_id: str) -> list[AccountUsageMonth]: ...

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


@dataclass
class LLMToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


class LLM(ABC):
    """A language model that can plan with tools (Gemini in the cloud, a stub offline)."""

    name: str

    @abstractmethod
    def plan(self, goal: str, context: dict[str, Any], tools: Sequence[ToolSpec]) -> list[LLMToolCall]: ...
