"""Pydantic models: the one source of truth for MiniMeter's schemas.

Postgres DDL, warehouse schemas and API bodies are written against these models; tests check the
DDL columns against them so the two cannot drift silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, model_validator


def utcnow() -> datetime:
    return datetime.now(UTC)


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must be timezone-aware")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]
Money = Decimal
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Strict(BaseModel):
    """Base for every model: unknown fields are errors, so typos in JSON never pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- enumerations -------------------------------------------------------------------------------


class JobType(StrEnum):
    FETCH_BILLS = "FETCH_BILLS"
    FETCH_INTERVALS = "FETCH_INTERVALS"
    FULL_PIPELINE = "FULL_PIPELINE"
    UPLOAD = "UPLOAD"
    AGENT = "AGENT"


class JobStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    FAILED = "FAILED"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.NEEDS_REVIEW, JobStatus.FAILED)


class ArtifactStatus(StrEnum):
    RECEIVED = "RECEIVED"  # raw object written, not yet extracted
    RETRYING = "RETRYING"  # a stage failed; the platform will deliver the event again
    EXTRACTED = "EXTRACTED"  # normalized object written, not yet loaded
    LOADED = "LOADED"
    NEEDS_REVIEW = "NEEDS_REVIEW"  # loaded for inspection, but an audit or required field failed
    FAILED = "FAILED"

    @property
    def terminal(self) -> bool:
        return self in (ArtifactStatus.LOADED, ArtifactStatus.NEEDS_REVIEW, ArtifactStatus.FAILED)


class ArtifactKind(StrEnum):
    BILL_PDF = "bill_pdf"
    ESPI_XML = "espi_xml"
    UTILITY_CSV = "utility_csv"
    UNKNOWN = "unknown"


class Commodity(StrEnum):
    ELECTRICITY = "electricity"
    GAS = "gas"
    WATER = "water"
    SEWER = "sewer"
    STORMWATER = "stormwater"
    OTHER = "other"


class ReadType(StrEnum):
    ACTUAL = "actual"
    ESTIMATED = "estimated"


class LineItemCategory(StrEnum):
    SUPPLY = "supply"
    DELIVERY = "delivery"
    TAX = "tax"
    FEE = "fee"
    CREDIT = "credit"
    OTHER = "other"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Direction(StrEnum):
    DELIVERED = "delivered"  # utility to customer
    RECEIVED = "received"  # customer to utility (solar export)
    NET = "net"


class Quality(StrEnum):
    ACTUAL = "actual"
    ESTIMATED = "estimated"


# --- customers, accounts, jobs ------------------------------------------------------------------


class CustomerCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")


class Customer(CustomerCreate):
    id: str
    created_at: AwareDatetime


class UtilityAccountCreate(Strict):
    customer_id: str = Field(min_length=1, max_length=64)
    provider: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")
    account_number: str = Field(min_length=1, max_length=64)
    credentials_secret_name: str | None = Field(default=None, max_length=255, pattern=r"^[A-Za-z0-9_-]+$")
    scenario: str | None = Field(
        default=None,
        max_length=64,
        description="Sandbox provider only: which named scenario this test account plays.",
    )


class UtilityAccount(UtilityAccountCreate):
    id: str
    created_at: AwareDatetime


class IngestRunRequest(Strict):
    utility_account_id: str = Field(min_length=1, max_length=64)
    job_type: Literal[JobType.FETCH_BILLS, JobType.FETCH_INTERVALS, JobType.FULL_PIPELINE]
    since_date: date | None = None


class JobError(Strict):
    stage: str
    reason_code: str
    message: str
    artifact_id: str | None = None
    at: AwareDatetime


class IngestionJob(Strict):
    id: str
    customer_id: str
    utility_account_id: str
    job_type: JobType
    status: JobStatus
    attempts: int = 0
    since_date: date | None = None
    idempotency_key: str | None = None
    expected_artifacts: int | None = None  # known once the fetch stage has finished
    errors: list[JobError] = Field(default_factory=list)
    created_at: AwareDatetime
    started_at: AwareDatetime | None = None
    finished_at: AwareDatetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def duration_ms(self) -> int | None:
        if self.started_at is None:
            return None
        end = self.finished_at or utcnow()
        return int((end - self.started_at).total_seconds() * 1000)


class Artifact(Strict):
    """One source file of one account, identified by its content hash."""

    id: str  # "<utility_account_id>:<sha256>"
    customer_id: str
    utility_account_id: str
    sha256: str
    object_name: str
    original_name: str | None = None
    kind: ArtifactKind = ArtifactKind.UNKNOWN
    status: ArtifactStatus
    attempts: int = 0
    reason_code: str | None = None
    message: str | None = None
    normalized_object: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class JobView(IngestionJob):
    artifacts: list[Artifact] = Field(default_factory=list)


# --- events --------------------------------------------------------------------------------------


class IngestRequested(Strict):
    """The message on the ingestion-jobs topic."""

    job_id: str
    customer_id: str
    utility_account_id: str
    provider: str
    job_type: JobType
    since_date: date | None = None
    months: int = Field(default=12, ge=1, le=120)


class StorageObject(Strict):
    """A finalized object, decoded from either CloudEvent form."""

    bucket: str
    name: str
    size: int | None = None
    content_type: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    generation: str | None = None


# --- bills ---------------------------------------------------------------------------------------


class Provenance(Strict):
    """Where a value came from, so every field can be explained."""

    method: str  # template:<id>@<version> | heuristic | gemini:<model> | espi | sandbox
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    source_text: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)


class AuditResult(Strict):
    code: str
    severity: Severity
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class LineItem(Strict):
    description: str
    amount: Money
    category: LineItemCategory = LineItemCategory.OTHER
    quantity: Decimal | None = None
    unit: str | None = None
    rate: Decimal | None = None
    third_party: str | None = Field(
        default=None, description="Supplier billed through the utility (e.g. a retail energy supplier), if any."
    )


class UsageRead(Strict):
    commodity: Commodity
    quantity: Decimal
    unit: str
    meter_number: str | None = None
    read_type: ReadType = ReadType.ACTUAL
    start_read: Decimal | None = None
    end_read: Decimal | None = None
    multiplier: Decimal | None = None
    period: str | None = Field(default=None, description="TOU period name, e.g. on_peak")
    conversion_factor: Decimal | None = Field(
        default=None, description="Read units to billed units, e.g. m³ to kWh (volume correction x calorific value)."
    )
    read_unit: str | None = Field(default=None, description="Unit of start_read/end_read when it differs from unit.")
    direction: Direction = Field(
        default=Direction.DELIVERED,
        description="A net-metered meter's register: delivered from the grid, received from the customer (exported"
        " or generated) or the net of the two. Only delivered and net are energy the customer used.",
    )


def _registers_total(reads: Sequence[UsageRead]) -> Decimal:
    """Per meter, its total where the bill prints one, else the sum of its time-of-use registers."""
    meters: dict[str | None, list[UsageRead]] = {}
    for read in reads:
        meters.setdefault(read.meter_number, []).append(read)
    return sum(
        (
            read.quantity
            for registers in meters.values()
            for read in [r for r in registers if r.period is None] or registers
        ),
        Decimal(0),
    )


def energy_used(reads: Sequence[UsageRead]) -> Decimal | None:
    """What reads of one commodity and unit say the customer took from the grid: the delivered registers, or the net
    where the bill prints no delivered one. What the customer's system sent back (received) is never usage; None
    where only that is printed."""
    for direction in (Direction.DELIVERED, Direction.NET):
        if registers := [read for read in reads if read.direction is direction]:
            return _registers_total(registers)
    return None


def energy_exported(reads: Sequence[UsageRead]) -> Decimal:
    """What reads of one commodity and unit say a net-metered customer's system sent back (the received registers)."""
    return _registers_total([read for read in reads if read.direction is Direction.RECEIVED])


def energy_billed(reads: Sequence[UsageRead]) -> Decimal:
    """The quantity a bill charges for reads of one commodity and unit: the net register, or delivered less received
    (a net-metered meter's interval data nets the same way)."""
    if net := [read for read in reads if read.direction is Direction.NET]:
        return _registers_total(net)
    return _registers_total([read for read in reads if read.direction is Direction.DELIVERED]) - energy_exported(reads)


class DemandRead(Strict):
    """Peak demand billed for a meter (kW or kVA), per TOU period when the tariff has them."""

    meter_number: str | None = None
    quantity: Decimal
    unit: str = "kW"
    period: str | None = None


class BudgetBilling(Strict):
    """Budget (levelized) billing: the customer pays a fixed instalment; the difference is deferred."""

    instalment: Money
    actual_charges: Money | None = None
    deferred_balance: Money | None = Field(default=None, description="Actual charges minus instalments to date.")


class BillStatus(StrEnum):
    OK = "ok"
    NEEDS_REVIEW = "needs_review"


class NormalizedBill(Strict):
    provider: str
    account_number: str
    service_address: str | None = None
    statement_date: date | None = None
    due_date: date | None = None
    bill_period_start: date
    bill_period_end: date
    currency: str = "USD"
    total_amount: Money = Field(description="New charges of this period.")
    amount_due: Money | None = None
    previous_balance: Money | None = None
    payments_and_credits: Money | None = None
    adjustments: Money | None = Field(
        default=None,
        description="Account activity since the last bill besides payments and this period's charges (a late"
        " payment charge, an adjustment, a returned-payment fee), signed as printed: a credit is negative.",
    )
    line_items: list[LineItem] = Field(default_factory=list)
    usage: list[UsageRead] = Field(default_factory=list)
    demand: list[DemandRead] = Field(default_factory=list)
    budget_billing: BudgetBilling | None = None
    audits: list[AuditResult] = Field(default_factory=list)
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    status: BillStatus = BillStatus.OK


# --- intervals -----------------------------------------------------------------------------------


class IntervalReading(Strict):
    meter_id: str
    commodity: Commodity
    unit: str  # normalized: kWh for electricity, therm for gas
    direction: Direction = Direction.DELIVERED
    start: AwareDatetime  # UTC instant
    duration_seconds: int = Field(gt=0)
    value: Decimal
    quality: Quality = Quality.ACTUAL
    cost: Money | None = None
    local_zone: str | None = None  # e.g. "UTC-08:00" or an IANA name when known


class CoverageSpan(Strict):
    """A contiguous run of one resolution; gaps lie between spans, resolution changes where they touch."""

    start: AwareDatetime
    end: AwareDatetime
    interval_seconds: int


class IntervalSeriesSummary(Strict):
    meter_id: str
    commodity: Commodity
    unit: str
    direction: Direction
    interval_seconds: int
    first_start: AwareDatetime
    last_end: AwareDatetime
    count: int
    total: Decimal
    estimated_count: int
    gaps: int
    # Kept from the source: the zone label (IANA, UTC±hh:mm or ESPI rules), the unit as the file wrote
    # it and the exact factor that turned it into `unit`.
    local_zone: str | None = None
    source_unit: str | None = None
    unit_factor: Decimal | None = None
    overlaps: int = 0
    resolution_changes: int = 0
    coverage: list[CoverageSpan] = Field(default_factory=list, description="At most 100 spans, oldest first.")


# --- extraction result: the normalized object ---------------------------------------------------


class ExtractionStatus(StrEnum):
    OK = "ok"
    NEEDS_REVIEW = "needs_review"


class NormalizedArtifact(Strict):
    """What the extract stage writes to the normalized bucket and the load stage reads."""

    artifact_id: str
    sha256: str
    customer_id: str
    utility_account_id: str
    job_id: str | None
    source_object: str
    kind: ArtifactKind
    status: ExtractionStatus
    bill: NormalizedBill | None = None
    # A file of several statements of one account (a year of bills downloaded as one): each, in page order, with
    # its own status and audits; `bill` is None then.
    bills: list[NormalizedBill] = Field(default_factory=list)
    series: list[IntervalSeriesSummary] = Field(default_factory=list)
    intervals_object: str | None = None  # Parquet of interval rows beside the JSON (common.intervals.table)
    audits: list[AuditResult] = Field(default_factory=list)
    extracted_at: AwareDatetime

    @model_validator(mode="after")
    def _one_bill_or_several(self) -> NormalizedArtifact:
        if self.bill is not None and self.bills:
            raise ValueError("a normalized artifact holds one bill or several statements, not both")
        return self

    @property
    def statements(self) -> list[NormalizedBill]:
        """Every bill the file holds: its one bill, or each of its statements."""
        return [self.bill] if self.bill is not None else self.bills


# --- API views -----------------------------------------------------------------------------------


class JobAccepted(Strict):
    job_id: str
    status: JobStatus
    duplicate: bool = False


class UploadAccepted(Strict):
    job_id: str
    artifact_id: str
    object_name: str
    sha256: str


class BillSummary(Strict):
    utility_account_id: str
    provider: str
    bill_period_start: date
    bill_period_end: date
    total_amount: Money
    amount_due: Money | None
    status: BillStatus
    usage: list[UsageRead]


class MonthlyUsage(Strict):
    month: str  # YYYY-MM
    commodity: Commodity
    unit: str
    usage: Decimal = Field(
        description="What the month's ok bills say was taken from the grid (energy_used): delivered, or net where a"
        " meter prints only its net; never what a net-metered customer sent back."
    )
    cost: Money
    exported: Decimal = Field(
        default=Decimal(0), description="What the month's ok bills say a net-metered customer sent back (received)."
    )


class Problem(Strict):
    source: Literal["job", "artifact", "bill"]
    id: str
    reason_code: str
    message: str


class Dashboard(Strict):
    customer: Customer
    accounts: list[UtilityAccount]
    latest_bills: list[BillSummary]
    monthly: list[MonthlyUsage]
    interval_rows: int
    open_problems: list[Problem]


class AgentRunRequest(Strict):
    utility_account_id: str = Field(min_length=1, max_length=64)
    goal: str = Field(min_length=1, max_length=2000)


class ToolSpec(Strict):
    name: str
    description: str
    parameters: dict[str, Any]


class PlanStep(Strict):
    tool: str
    arguments: dict[str, Any]
    reason: str
    status: Literal["planned", "done", "failed"] = "planned"
    outcome: dict[str, Any] = Field(default_factory=dict)


class AgentResult(Strict):
    job_id: str
    utility_account_id: str
    goal: str
    planner: str  # "deterministic" | "gemini:<model>"
    status: JobStatus
    plan: list[PlanStep]


class DeadLetter(Strict):
    """An event the platform gave up on after its last attempt."""

    id: str
    subscription: str
    function: str | None = None
    attempts: int
    dead_lettered_at: str | None = None
    last_error: dict[str, Any] = Field(default_factory=dict)
    event_type: str | None = None
    subject: str | None = None
    cloud_event: dict[str, Any] = Field(default_factory=dict, description="The event as it was delivered.")


class DeadLetterList(Strict):
    dead_letters: list[DeadLetter]


class ReplayRequest(Strict):
    ids: list[str] | None = Field(default=None, max_length=1000, description="Default: every dead letter.")


class ReplayResult(Strict):
    replayed: int
    succeeded: int
    failed: int
    reopened: list[str] = Field(default_factory=list, description="Artifacts and jobs given fresh attempts.")


class ApiKeyCreated(Strict):
    """Returned once: only a hash of the key is stored."""

    id: str
    customer_id: str
    api_key: str
    created_at: AwareDatetime


class SecretCheck(Strict):
    name: str
    present: bool


class ErrorBody(Strict):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorEnvelope(Strict):
    error: ErrorBody


class Health(Strict):
    status: Literal["ok"]


class SecretChecks(Strict):
    secrets: list[SecretCheck]


class OpenApiDocument(BaseModel):
    """The OpenAPI document itself: free-form, described by the OpenAPI 3.1 specification."""

    model_config = ConfigDict(extra="allow")
    openapi: str
