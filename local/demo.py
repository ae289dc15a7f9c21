"""The demo: sandbox accounts for every scenario plus the real corpus, through the whole pipeline.

It keeps its customer and accounts in `<data dir>/demo.json`, so running it again re-fetches the
same files for the same accounts — and must add no rows.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from common.config import Settings
from common.connectors.sandbox import SANDBOX_AS_OF
from common.models import Direction, NormalizedArtifact
from common.ports import BlobStore
from common.runtime import build_ports
from local.client import ApiClient, collect_files
from local.stack import REPO_ROOT, SANDBOX_SECRET_NAME, LocalStack

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "greenbutton"
# (scenario, months): the normal account gets a year, the others a quarter each.
DEMO_ACCOUNTS = (
    ("normal", 12),
    ("estimated_read", 3),
    ("credit_bill", 3),
    ("missing_month", 4),
    ("duplicate_delivery", 2),
    ("corrupt_file", 2),
    ("scanned_bill", 2),
)


def _months_back(months: int) -> str:
    year, month = SANDBOX_AS_OF.year, SANDBOX_AS_OF.month - months + 1
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}-01"


def _ensure_accounts(client: ApiClient, state_file: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(state_file.read_text()) if state_file.exists() else {}
    try:
        if state:
            client.call("GET", f"/customers/{state['customer_id']}")
            return state
    except Exception:  # noqa: BLE001 - a stale state file from a wiped database: start over
        state = {}
    customer = client.call("POST", "/customers", json={"name": "Demo Energy Co", "email": "ops@demo.example"})
    state = {"customer_id": customer["id"], "accounts": {}}
    for scenario, _ in DEMO_ACCOUNTS:
        account = client.call(
            "POST",
            "/utility-accounts",
            json={
                "customer_id": customer["id"],
                "provider": "sandbox",
                "account_number": f"SBX-{scenario.upper().replace('_', '-')}-001",
                "credentials_secret_name": SANDBOX_SECRET_NAME,
                "scenario": scenario,
            },
        )
        state["accounts"][scenario] = account["id"]
    corpus = client.call(
        "POST",
        "/utility-accounts",
        json={"customer_id": customer["id"], "provider": "manual", "account_number": "CORPUS-GREENBUTTON"},
    )
    state["accounts"]["corpus"] = corpus["id"]
    state_file.write_text(json.dumps(state, indent=2))
    return state


def _describe(settings: Settings, blobs: BlobStore, artifact: dict[str, Any]) -> dict[str, Any]:
    """One table row: read the normalized object the pipeline wrote for this artifact."""
    row = {
        "file": artifact.get("original_name") or artifact["object_name"].rsplit("/", 1)[-1],
        "kind": artifact["kind"],
        "status": artifact["status"],
        "period": "",
        "usage": "",
        "amount": "",
        "reason": artifact.get("reason_code") or "",
    }
    if not artifact.get("normalized_object"):
        return row
    normalized = NormalizedArtifact.model_validate_json(
        blobs.read(settings.normalized_bucket, artifact["normalized_object"])
    )
    if bills := normalized.statements:
        many = f" ({len(bills)} statements)" if len(bills) > 1 else ""
        row["period"] = f"{bills[0].bill_period_start} .. {bills[-1].bill_period_end}{many}"
        row["usage"] = ", ".join(
            f"{u.quantity} {u.unit}" + ("" if u.direction is Direction.DELIVERED else f" {u.direction.value}")
            for bill in bills
            for u in bill.usage
        )
        row["amount"] = ", ".join(f"{bill.total_amount} {bill.currency}" for bill in bills)
    elif normalized.series:
        first = min(s.first_start for s in normalized.series)
        last = max(s.last_end for s in normalized.series)
        row["period"] = f"{first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M}Z"
        totals: Counter[str] = Counter()
        for s in normalized.series:
            totals[s.unit] += s.total  # type: ignore[assignment]
        row["usage"] = ", ".join(f"{Decimal(v).quantize(Decimal('0.001'))} {u}" for u, v in totals.items())
    return row


def _print_table(rows: list[dict[str, Any]]) -> None:
    columns = ("file", "kind", "status", "period", "usage", "amount", "reason")
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns} if rows else {}
    line = "  ".join(c.upper().ljust(widths.get(c, len(c))) for c in columns)
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns))


def demo_stack(data_dir: Path, mode: str) -> LocalStack:
    """The embedded stack, or the emulated one (the cloud code path against real emulators)."""
    if mode == "emulated":
        from local.emulate import EmulatedStack

        return EmulatedStack(data_dir)
    if mode != "embedded":
        raise ValueError(f"the demo runs embedded or emulated, not {mode!r}")
    return LocalStack(data_dir)


def run_demo(
    data_dir: Path, corpus_dir: Path | None = None, as_json: bool = False, mode: str = "embedded"
) -> dict[str, Any]:
    with demo_stack(data_dir, mode) as stack:
        summary, rows = demo_flow(stack, data_dir, corpus_dir)
    print_summary(summary, rows, as_json)
    return summary


def demo_flow(
    stack: LocalStack, data_dir: Path, corpus_dir: Path | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The demo's work on a running stack (either mode): its summary and one table row per file."""
    corpus = corpus_dir or DEFAULT_CORPUS
    client = ApiClient(stack.api_url, stack.admin_key)
    state = _ensure_accounts(client, data_dir / "demo.json")
    job_ids = []
    for scenario, months in DEMO_ACCOUNTS:
        body = {
            "utility_account_id": state["accounts"][scenario],
            "job_type": "FULL_PIPELINE",
            "since_date": _months_back(months),
        }
        job_ids.append(client.call("POST", "/ingest/run", json=body)["job_id"])
    for path in collect_files([corpus]) if corpus.exists() else []:
        job_ids.append(client.upload(state["accounts"]["corpus"], path)["job_id"])
    jobs = client.wait_for_jobs(job_ids, timeout=600)
    stack.wait_idle(60)
    settings = stack.settings()
    artifacts = {a["id"]: a for job in jobs.values() for a in job["artifacts"]}
    ports = build_ports(settings)
    ordered = sorted(artifacts.values(), key=lambda a: a["object_name"])
    rows = [_describe(settings, ports.blobs, a) for a in ordered]
    dashboard = client.call("GET", f"/customers/{state['customer_id']}/dashboard")
    statuses = Counter(a["status"] for a in artifacts.values())
    summary = {
        "customer_id": state["customer_id"],
        "jobs": dict(Counter(j["status"] for j in jobs.values())),
        "files": len(artifacts),
        "bills_loaded": len(ports.database.list_bills(state["customer_id"], limit=100_000)),
        "interval_rows_loaded": ports.warehouse.count("interval_usage", state["customer_id"]),
        "warehouse_bills": ports.warehouse.count("normalized_bills", state["customer_id"]),
        "loaded": statuses.get("LOADED", 0),
        "needs_review": statuses.get("NEEDS_REVIEW", 0),
        "failed": statuses.get("FAILED", 0),
        "open_problems": len(dashboard["open_problems"]),
        "dead_letters": len(list(settings.dead_letter_dir.glob("*.json"))) if settings.dead_letter_dir.exists() else 0,
    }
    return summary, rows


def print_summary(summary: dict[str, Any], rows: list[dict[str, Any]], as_json: bool) -> None:
    _print_table(rows)
    print(
        f"\n{summary['files']} files: {summary['loaded']} loaded, {summary['needs_review']} need review, "
        f"{summary['failed']} failed; {summary['bills_loaded']} bills and {summary['interval_rows_loaded']} "
        f"interval rows in the stores; {summary['dead_letters']} dead letters; "
        f"{summary['open_problems']} open problems on the dashboard."
    )
    if as_json:
        print(json.dumps(summary))
    sys.stdout.flush()
