"""The three event-driven stages: ingest (fetch), extract, load. Each is idempotent.

Failure policy (the same for every stage): a stage counts its attempts per artifact or job. Before the
last attempt a failure leaves the row RETRYING with its reason and raises RetryableError, so the
platform delivers the event again. On the last attempt the artifact or job becomes FAILED with the
reason code and the error is raised once more, so the event lands in the dead-letter topic where it
can be inspected and replayed. A poison file therefore costs exactly MAX_DELIVERY_ATTEMPTS runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from common.connectors.base import ConnectorRegistry, FetchRequest
from common.core.naming import (
    artifact_id,
    intervals_object_name,
    normalized_object_name,
    parse_raw_name,
    raw_object_name,
)
from common.errors import MiniMeterError, NotFound, PermanentError, RetryableError
from common.extraction.classify import CONTENT_TYPES, classify
from common.extraction.dispatch import extract_file
from common.intervals.reconcile import bucket_range, reconcile
from common.logs import stage_log
from common.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    ExtractionStatus,
    IngestRequested,
    IntervalReading,
    JobError,
    JobStatus,
    NormalizedArtifact,
    Severity,
    StorageObject,
    UtilityAccount,
    sha256_hex,
    utcnow,
)
from common.ports import BillReader, BillRecord, BlobStore, Database, Secrets, Warehouse
from common.topology import MAX_DELIVERY_ATTEMPTS

PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet"


class StageFailed(MiniMeterError):
    """Raised on the last attempt after recording FAILED: the platform dead-letters the event."""


@dataclass
class StageContext:
    database: Database
    blobs: BlobStore
    raw_bucket: str
    normalized_bucket: str


# --- ingest -------------------------------------------------------------------------------------


def run_ingest(
    request: IngestRequested,
    delivery_attempt: int,
    ctx: StageContext,
    secrets: Secrets,
    registry: ConnectorRegistry,
    default_secret_name: str,
) -> JobStatus:
    db = ctx.database
    job = db.get_job(request.job_id)
    if job.status.terminal:
        if job.status is JobStatus.FAILED:
            deliveries = max(db.start_job_attempt(job.id).attempts, delivery_attempt)
            _refuse_retries_of_failed(deliveries, f"job {job.id}")
        return job.status  # a redelivery of finished work changes nothing
    job = db.start_job_attempt(job.id)
    attempt = max(job.attempts, delivery_attempt)
    account = db.get_account(request.utility_account_id)
    with stage_log("ingest", job_id=job.id, artifact=None, attempt=attempt) as outcome:
        try:
            connector = registry.for_provider(account.provider)
            credentials = ""
            if connector.needs_credentials:
                secret_name = account.credentials_secret_name or default_secret_name
                try:
                    credentials = secrets.get(secret_name)
                except NotFound as exc:
                    raise PermanentError(
                        f"credentials secret {secret_name!r} is missing", "credentials_missing"
                    ) from exc
            files = connector.fetch(
                account, FetchRequest(request.job_type, request.since_date, request.months), credentials
            )
        except PermanentError as exc:
            db.fail_job(job.id, _job_error("ingest", exc))
            outcome["reason_code"] = exc.reason_code
            return JobStatus.FAILED
        except Exception as exc:
            _retry_or_fail_job(db, job.id, attempt, exc)
            raise  # unreachable: _retry_or_fail_job always raises
        artifact_ids = {store_raw_file(ctx, account, job.id, f.data, f.filename).id for f in files}
        db.set_expected_artifacts(job.id, len(artifact_ids))
        outcome.update(files=len(files), artifacts=len(artifact_ids))
    return db.finish_job_if_complete(job.id) or JobStatus.RUNNING


def store_raw_file(
    ctx: StageContext, account: UtilityAccount, job_id: str | None, data: bytes, original_name: str | None
) -> Artifact:
    """Register the artifact first, then write the object: the object's event always finds its row."""
    sha = sha256_hex(data)
    kind = classify(data)
    content_type, extension = CONTENT_TYPES[kind]
    name = raw_object_name(account.customer_id, account.id, sha, extension)
    artifact = ctx.database.register_artifact(
        job_id=job_id,
        account=account,
        sha256=sha,
        object_name=name,
        original_name=_display_name(original_name),
        kind=kind,
    )
    metadata = {
        "customer_id": account.customer_id,
        "utility_account_id": account.id,
        "sha256": sha,
        "original_name": _display_name(original_name) or "",
    }
    if job_id:
        metadata["job_id"] = job_id
    ctx.blobs.write(ctx.raw_bucket, name, data, content_type, metadata)
    return artifact


def _display_name(original_name: str | None) -> str | None:
    """Keep only the base name a user gave: never a path to be joined anywhere."""
    if not original_name:
        return None
    base = original_name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in base if ch.isprintable())[:200] or None


def _job_error(stage: str, exc: Exception, artifact: str | None = None) -> JobError:
    reason = exc.reason_code if isinstance(exc, MiniMeterError) else "internal_error"
    return JobError(stage=stage, reason_code=reason, message=str(exc)[:500], artifact_id=artifact, at=utcnow())


def _retry_or_fail_job(db: Database, job_id: str, attempt: int, exc: Exception) -> None:
    if attempt >= MAX_DELIVERY_ATTEMPTS:
        db.fail_job(job_id, _job_error("ingest", exc))
        raise StageFailed(f"ingest failed after {attempt} attempts: {exc}", "attempts_exhausted") from exc
    raise RetryableError(f"ingest attempt {attempt} failed: {exc}") from exc


def _refuse_retries_of_failed(deliveries: int, what: str) -> None:
    """Past the work budget, deliveries of a FAILED item are refused, not acknowledged.

    Pub/Sub cannot dead-letter before its fifth delivery, while the work budget is three, and the
    push envelope's attempt number does not survive functions-framework: so every delivery of a
    FAILED item is counted in Postgres, and those beyond the budget (which do no work) are refused.
    That is what carries the event to the dead-letter topic. A replay reopens the item and resets
    the count; the local router, whose budget is the work budget, dead-letters on the third.
    """
    if deliveries > MAX_DELIVERY_ATTEMPTS:
        raise StageFailed(
            f"{what} already FAILED; refusing delivery {deliveries} so it is dead-lettered", "attempts_exhausted"
        )


# --- artifact failure policy -------------------------------------------------------------------


def _retry_or_fail_artifact(db: Database, artifact: Artifact, stage: str, attempt: int, exc: Exception) -> None:
    reason = exc.reason_code if isinstance(exc, MiniMeterError) else "internal_error"
    if attempt >= MAX_DELIVERY_ATTEMPTS:
        db.set_artifact_status(artifact.id, ArtifactStatus.FAILED, reason_code=reason, message=str(exc)[:500])
        for job_id in db.job_ids_for_artifact(artifact.id):
            db.add_job_error(job_id, _job_error(stage, exc, artifact.id))
            db.finish_job_if_complete(job_id)
        raise StageFailed(f"{stage} of {artifact.id} failed after {attempt} attempts: {exc}", reason) from exc
    db.set_artifact_status(artifact.id, ArtifactStatus.RETRYING, reason_code=reason, message=str(exc)[:500])
    raise RetryableError(f"{stage} attempt {attempt} of {artifact.id} failed: {exc}", reason) from exc


# --- extract ------------------------------------------------------------------------------------


def run_extract(
    obj: StorageObject, delivery_attempt: int, ctx: StageContext, bill_reader: BillReader | None = None
) -> ArtifactStatus:
    db = ctx.database
    raw = parse_raw_name(obj.name)
    account = db.get_account(raw.account_id)
    if account.customer_id != raw.customer_id:
        raise PermanentError(f"{obj.name} names the wrong customer for its account", "ignored_object")
    try:
        artifact = db.get_artifact(artifact_id(account.id, raw.sha256))
    except NotFound:  # a file dropped straight into the bucket, not through the API or a connector
        artifact = db.register_artifact(
            job_id=obj.metadata.get("job_id") or None,
            account=account,
            sha256=raw.sha256,
            object_name=obj.name,
            original_name=obj.metadata.get("original_name") or None,
            kind=ArtifactKind.UNKNOWN,
        )
    if artifact.status.terminal:
        if artifact.status is ArtifactStatus.FAILED:
            deliveries = max(db.count_artifact_attempt(artifact.id, "extract"), delivery_attempt)
            _refuse_retries_of_failed(deliveries, artifact.id)
        return artifact.status
    normalized_name = normalized_object_name(account.customer_id, account.id, raw.sha256)
    attempt = max(db.count_artifact_attempt(artifact.id, "extract"), delivery_attempt)
    with stage_log("extract", job_id=obj.metadata.get("job_id"), artifact=artifact.id, attempt=attempt) as outcome:
        try:
            data = ctx.blobs.read(obj.bucket, obj.name)
            if sha256_hex(data) != raw.sha256:
                raise PermanentError("object content does not match its content-hash name", "hash_mismatch")
            result = extract_file(data, artifact.original_name, bill_reader=bill_reader)
        except Exception as exc:
            outcome["reason_code"] = getattr(exc, "reason_code", "internal_error")
            _retry_or_fail_artifact(db, artifact, "extract", attempt, exc)
            raise
        intervals_name = None
        if len(result.intervals):
            intervals_name = intervals_object_name(account.customer_id, account.id, raw.sha256)
            ctx.blobs.write(
                ctx.normalized_bucket,
                intervals_name,
                result.intervals.to_parquet(),
                PARQUET_CONTENT_TYPE,
                {"artifact_id": artifact.id},
            )
        normalized = NormalizedArtifact(
            artifact_id=artifact.id,
            sha256=raw.sha256,
            customer_id=account.customer_id,
            utility_account_id=account.id,
            job_id=obj.metadata.get("job_id") or None,
            source_object=f"gs://{obj.bucket}/{obj.name}",
            kind=result.kind,
            status=result.status,
            bill=result.bill,
            bills=result.bills,
            series=result.series,
            intervals_object=intervals_name,
            audits=result.audits,
            extracted_at=utcnow(),
        )
        db.set_artifact_status(
            artifact.id, ArtifactStatus.EXTRACTED, normalized_object=normalized_name, kind=result.kind
        )
        # Written last: its finalize event starts the load, which needs everything above.
        ctx.blobs.write(
            ctx.normalized_bucket,
            normalized_name,
            normalized.model_dump_json().encode(),
            "application/json",
            {"artifact_id": artifact.id},
        )
        outcome.update(kind=result.kind.value, status=result.status.value)
    return ArtifactStatus.EXTRACTED


def iter_ndjson(data: bytes) -> Iterator[IntervalReading]:
    """Interval objects written before the Parquet format (``.intervals.ndjson``)."""
    for line in data.splitlines():
        if line.strip():
            yield IntervalReading.model_validate_json(line)


# --- load ---------------------------------------------------------------------------------------


def run_load(
    obj: StorageObject, delivery_attempt: int, ctx: StageContext, warehouse: Warehouse
) -> ArtifactStatus | None:
    if not obj.name.endswith(".json"):
        return None  # interval Parquet is read through its artifact's JSON, not on its own event
    db = ctx.database
    try:
        normalized = NormalizedArtifact.model_validate_json(ctx.blobs.read(obj.bucket, obj.name))
    except NotFound:
        raise
    except ValueError as exc:
        raise PermanentError(f"{obj.name} is not a normalized artifact: {exc}", "bad_normalized_object") from exc
    artifact = db.get_artifact(normalized.artifact_id)
    if artifact.status.terminal:
        if artifact.status is ArtifactStatus.FAILED:
            deliveries = max(db.count_artifact_attempt(artifact.id, "load"), delivery_attempt)
            _refuse_retries_of_failed(deliveries, artifact.id)
        _finish_jobs(db, artifact.id)
        return artifact.status
    attempt = max(db.count_artifact_attempt(artifact.id, "load"), delivery_attempt)
    with stage_log("load", job_id=normalized.job_id, artifact=artifact.id, attempt=attempt) as outcome:
        try:
            rows = 0
            for bill in normalized.statements:
                bill_id = db.upsert_bill(artifact, bill)
                warehouse.upsert_bill(
                    BillRecord(bill_id, artifact.id, artifact.customer_id, artifact.utility_account_id, bill)
                )
            if normalized.intervals_object:
                data = ctx.blobs.read(ctx.normalized_bucket, normalized.intervals_object)
                if normalized.intervals_object.endswith(".ndjson"):
                    rows = warehouse.upsert_intervals(
                        artifact.customer_id, artifact.utility_account_id, iter_ndjson(data)
                    )
                else:
                    loaded = warehouse.load_intervals(
                        artifact.customer_id, artifact.utility_account_id, artifact.id, data
                    )
                    rows = loaded.rows
                    outcome.update(inserted=loaded.inserted, replaced=loaded.replaced, kept=loaded.kept)
                db.upsert_interval_series(artifact, normalized.series)
            window = _affected_days(normalized)
            if window is not None:
                outcome["reconciled"] = reconcile_account(db, warehouse, artifact.utility_account_id, window)
        except Exception as exc:
            outcome["reason_code"] = getattr(exc, "reason_code", "internal_error")
            _retry_or_fail_artifact(db, artifact, "load", attempt, exc)
            raise
        if normalized.status is ExtractionStatus.OK:
            db.set_artifact_status(artifact.id, ArtifactStatus.LOADED)
        else:
            failing = [a for a in normalized.audits if a.severity is Severity.ERROR]
            reason = failing[0].code if failing else "needs_review"
            # Why the model fallback did not settle it (down, or answering nonsense) is a warning on the
            # bill, but the reviewer needs it beside the reason.
            fallback = [a for a in normalized.audits if a.code.startswith("llm_") and a.severity is not Severity.ERROR]
            db.set_artifact_status(
                artifact.id,
                ArtifactStatus.NEEDS_REVIEW,
                reason_code=reason,
                message="; ".join(a.message for a in [*failing, *fallback])[:500] or None,
            )
        outcome.update(status=normalized.status.value, interval_rows=rows)
    _finish_jobs(db, artifact.id)
    return db.get_artifact(artifact.id).status


def _affected_days(normalized: NormalizedArtifact) -> tuple[date, date] | None:
    """The days a loaded artifact can change reconciliation for: its bills' periods, or its intervals' span
    widened by a day each side for the meter's zone."""
    spans = [(bill.bill_period_start, bill.bill_period_end) for bill in normalized.statements]
    if normalized.series:
        first = min(s.first_start for s in normalized.series).date() - timedelta(days=1)
        last = max(s.last_end for s in normalized.series).date() + timedelta(days=1)
        spans.append((first, last))
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def reconcile_account(
    db: Database, warehouse: Warehouse, utility_account_id: str, window: tuple[date, date] | None = None
) -> dict[str, int]:
    """Bill periods vs interval sums, recomputed after every bill or interval load (either may arrive
    first) for the bills the load can affect, and stored through the warehouse (interval_reconciliation,
    which replaces a bill's earlier result). Recomputing only the window keeps a load's cost independent
    of how many bills the account already has."""
    bills = db.account_bills(utility_account_id, window)
    window = bucket_range(bills)
    if window is None:
        return {}
    buckets = warehouse.interval_buckets(utility_account_id, *window)
    if buckets is None:
        return {}
    records = reconcile(bills, buckets)
    warehouse.record_reconciliation(utility_account_id, records)
    counts: dict[str, int] = {}
    for record in records:
        counts[record.status] = counts.get(record.status, 0) + 1
    return counts


def _finish_jobs(db: Database, artifact_id: str) -> None:
    for job_id in db.job_ids_for_artifact(artifact_id):
        db.finish_job_if_complete(job_id)
