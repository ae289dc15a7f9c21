"""The API's use-cases: accounts, jobs, uploads, the dashboard. The HTTP layer only maps them."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import timedelta

from common.connectors.base import ConnectorRegistry
from common.core.pipeline import StageContext, store_raw_file
from common.errors import InvalidRequest
from common.models import (
    ArtifactStatus,
    BillSummary,
    Commodity,
    Dashboard,
    IngestionJob,
    IngestRequested,
    IngestRunRequest,
    JobAccepted,
    JobStatus,
    JobType,
    JobView,
    MonthlyUsage,
    Problem,
    SecretCheck,
    UploadAccepted,
    UtilityAccount,
    UtilityAccountCreate,
)
from common.ports import BillRecord, Database, Publisher, Secrets, Warehouse

# A gap of more than this between one bill's end and the next one's start is a missing bill.
MAX_BILL_GAP = timedelta(days=1)


def create_account(db: Database, registry: ConnectorRegistry, body: UtilityAccountCreate) -> UtilityAccount:
    registry.for_provider(body.provider)  # unknown providers are refused up front
    db.get_customer(body.customer_id)
    return db.create_account(body)


def request_ingest(
    db: Database,
    publisher: Publisher,
    topic: str,
    body: IngestRunRequest,
    idempotency_key: str | None,
    months: int = 12,
) -> JobAccepted:
    """Create the job and publish the work; a repeated key returns the first job.

    A repeated request for a job still PENDING publishes again: the first publish may be the one
    that failed, and the ingest stage is idempotent, so a second message costs nothing.
    """
    account = db.get_account(body.utility_account_id)
    job, duplicate = db.create_job(account, body.job_type, body.since_date, idempotency_key)
    if not duplicate or job.status is JobStatus.PENDING:
        publish_ingest(publisher, topic, job, account, months)
    return JobAccepted(job_id=job.id, status=job.status, duplicate=duplicate)


def publish_ingest(publisher: Publisher, topic: str, job: IngestionJob, account: UtilityAccount, months: int) -> None:
    message = IngestRequested(
        job_id=job.id,
        customer_id=account.customer_id,
        utility_account_id=account.id,
        provider=account.provider,
        job_type=job.job_type,
        since_date=job.since_date,
        months=months,
    )
    publisher.publish(topic, message.model_dump_json().encode(), {"job_id": job.id, "job_type": job.job_type.value})


def job_view(db: Database, job_id: str) -> JobView:
    job = db.get_job(job_id)
    return JobView(**job.model_dump(exclude={"duration_ms"}), artifacts=db.list_job_artifacts(job_id))


def upload_file(
    ctx: StageContext,
    account_id: str,
    data: bytes,
    filename: str | None,
    max_bytes: int,
    idempotency_key: str | None = None,
) -> UploadAccepted:
    """Store the file and let the pipeline take it. A client that lost the answer (or the connection,
    mid-upload) repeats the request with the same key and completes the same job instead of leaving a
    second one; without a key a retry is a new job for the same (content-addressed) artifact."""
    if not data:
        raise InvalidRequest("the uploaded file is empty", "empty_file")
    if len(data) > max_bytes:
        raise InvalidRequest(f"the file is larger than {max_bytes} bytes", "file_too_large")
    db = ctx.database
    account = db.get_account(account_id)
    key = f"upload:{idempotency_key}" if idempotency_key else None  # never collides with an ingest key
    job, _ = db.create_job(account, JobType.UPLOAD, idempotency_key=key)
    db.transition_job(job.id, [JobStatus.PENDING], JobStatus.RUNNING)
    artifact = store_raw_file(ctx, account, job.id, data, filename)
    db.set_expected_artifacts(job.id, 1)
    db.finish_job_if_complete(job.id)  # the same file uploaded again is already loaded
    return UploadAccepted(
        job_id=job.id, artifact_id=artifact.id, object_name=artifact.object_name, sha256=artifact.sha256
    )


def check_secrets(
    db: Database, secrets: Secrets, default_secret_name: str, customer_id: str | None
) -> list[SecretCheck]:
    names = {default_secret_name}
    if customer_id is not None:
        names |= {a.credentials_secret_name for a in db.list_accounts(customer_id) if a.credentials_secret_name}
    return [SecretCheck(name=n, present=secrets.exists(n)) for n in sorted(names)]


def dashboard(db: Database, warehouse: Warehouse, customer_id: str) -> Dashboard:
    """`interval_rows` comes from the warehouse, which merges on the interval: overlapping files count once."""
    customer = db.get_customer(customer_id)
    accounts = db.list_accounts(customer_id)
    bills = db.list_bills(customer_id, limit=10_000)  # once: the latest bills and the gap check share it
    latest = sorted(bills, key=lambda r: (r.bill.bill_period_end, r.utility_account_id), reverse=True)[:24]
    providers = {a.id: a.provider for a in accounts}
    latest_bills = [
        BillSummary(
            utility_account_id=r.utility_account_id,
            provider=providers.get(r.utility_account_id, r.bill.provider),
            bill_period_start=r.bill.bill_period_start,
            bill_period_end=r.bill.bill_period_end,
            total_amount=r.bill.total_amount,
            amount_due=r.bill.amount_due,
            status=r.bill.status,
            usage=r.bill.usage,
        )
        for r in latest
    ]
    monthly = [
        MonthlyUsage(
            month=m.month,
            commodity=Commodity(m.commodity),
            unit=m.unit,
            usage=m.usage,
            cost=m.cost,
            exported=m.exported,
        )
        for m in db.monthly_usage(customer_id)
    ]
    return Dashboard(
        customer=customer,
        accounts=accounts,
        latest_bills=latest_bills,
        monthly=monthly,
        interval_rows=warehouse.count("interval_usage", customer_id),
        open_problems=open_problems(db, customer_id, bills),
    )


def open_problems(db: Database, customer_id: str, bills: list[BillRecord]) -> list[Problem]:
    problems: list[Problem] = []
    latest: dict[tuple[str, JobType], IngestionJob] = {}
    for job in sorted(db.list_jobs(customer_id), key=lambda j: j.created_at):
        latest[(job.utility_account_id, job.job_type)] = job  # a later run supersedes a failed one
    for job in latest.values():
        if job.status is JobStatus.FAILED:
            reason = job.errors[0].reason_code if job.errors else "failed"
            message = job.errors[0].message if job.errors else "job failed"
            problems.append(Problem(source="job", id=job.id, reason_code=reason, message=message))
    for artifact in db.list_artifacts(customer_id):
        if artifact.status in (ArtifactStatus.FAILED, ArtifactStatus.NEEDS_REVIEW):
            problems.append(
                Problem(
                    source="artifact",
                    id=artifact.id,
                    reason_code=artifact.reason_code or "unknown",
                    message=artifact.message or artifact.status.value,
                )
            )
    by_account = defaultdict(list)
    for record in bills:
        by_account[record.utility_account_id].append(record)
    for records in by_account.values():
        records.sort(key=lambda r: r.bill.bill_period_start)
        for before, after in itertools.pairwise(records):
            gap = after.bill.bill_period_start - before.bill.bill_period_end
            if gap > MAX_BILL_GAP:
                problems.append(
                    Problem(
                        source="bill",
                        id=after.id,
                        reason_code="bill_period_gap",
                        message=(
                            f"no bill covers {before.bill.bill_period_end + timedelta(days=1)}"
                            f" to {after.bill.bill_period_start - timedelta(days=1)}"
                        ),
                    )
                )
    return problems
