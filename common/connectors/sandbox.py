"""The built-in sandbox utility: realistic bills and Green Button data for test accounts.

Like the sandboxes commercial utility APIs give their users, it is deterministic: an account's
scenario and number fix every byte it returns, so the same request always yields the same files.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from common.connectors.base import Connector, FetchedFile, FetchRequest
from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf
from common.connectors.sandbox_greenbutton import make_sandbox_intervals, render_espi_xml
from common.errors import PermanentError
from common.models import JobType, UtilityAccount

SCENARIOS = (
    "normal",
    "estimated_read",
    "credit_bill",
    "missing_month",
    "duplicate_delivery",
    "corrupt_file",
    "scanned_bill",
)
SANDBOX_PROVIDER = "sandbox"
SANDBOX_CREDENTIAL_PREFIX = "sandbox-"
# The sandbox's clock is fixed so its data is reproducible: the last period ends here.
SANDBOX_AS_OF = date(2026, 10, 31)


def _month_starts(months: int) -> list[date]:
    first_of_last = SANDBOX_AS_OF.replace(day=1)
    starts = []
    year, month = first_of_last.year, first_of_last.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return sorted(starts)


def _next_month(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


class SandboxConnector(Connector):
    provider = SANDBOX_PROVIDER
    description = "the MiniMeter sandbox utility"

    def fetch(self, account: UtilityAccount, request: FetchRequest, credentials: str) -> list[FetchedFile]:
        if not credentials.startswith(SANDBOX_CREDENTIAL_PREFIX):
            raise PermanentError("sandbox rejected the account's credentials", "credentials_rejected")
        scenario = account.scenario or "normal"
        if scenario not in SCENARIOS:
            raise PermanentError(f"unknown sandbox scenario {scenario!r}", "unknown_scenario")
        periods = [(s, _next_month(s) - timedelta(days=1)) for s in _month_starts(request.months)]
        if request.since_date is not None:
            periods = [p for p in periods if p[1] >= request.since_date]
        if scenario == "missing_month" and len(periods) >= 3:
            periods.pop(len(periods) // 2)
        files: list[FetchedFile] = []
        if request.job_type in (JobType.FETCH_BILLS, JobType.FULL_PIPELINE):
            files += self._bills(account, scenario, periods)
        if request.job_type in (JobType.FETCH_INTERVALS, JobType.FULL_PIPELINE):
            files += self._intervals(account, scenario, periods)
        if scenario == "duplicate_delivery" and files:
            files.append(files[0])  # the utility sends the first file twice
        return files

    def _bills(self, account: UtilityAccount, scenario: str, periods: list[tuple[date, date]]) -> list[FetchedFile]:
        files = []
        for index, (start, end) in enumerate(periods):
            bill = make_sandbox_bill(
                "Sandbox Electric",
                account.account_number,
                f"{100 + _seed(account.account_number) % 800} Sandbox Way, Testville, CA 94000",
                start,
                end,
                seed=_seed(account.account_number, start),
                estimated=scenario == "estimated_read" and index % 3 == 1,
                credit=scenario == "credit_bill" and index == len(periods) - 1,
            )
            pdf = render_bill_pdf(bill, layout="compact" if index % 2 else "default")
            if scenario == "corrupt_file" and index == len(periods) - 1:
                pdf = pdf[: len(pdf) // 3]  # a download cut short
            if scenario == "scanned_bill" and index == 0:
                # Portals give older statements as scans of the paper bill: page images, no text layer.
                from common.connectors.billgen.scan import scanned  # Pillow: loaded for this scenario only

                pdf = scanned(pdf, dpi=200, turn_degrees=0.3, noise=0.001, seed=_seed(account.account_number, start))
            files.append(FetchedFile(f"bill-{start:%Y-%m}.pdf", "application/pdf", pdf))
        return files

    def _intervals(self, account: UtilityAccount, scenario: str, periods: list[tuple[date, date]]) -> list[FetchedFile]:
        files = []
        meter_id = f"SBX-{account.account_number}"
        for start, end in periods:
            readings = make_sandbox_intervals(
                meter_id,
                datetime(start.year, start.month, start.day, 8, tzinfo=UTC),
                (end - start).days + 1,
                seed=_seed(meter_id, start),
                estimated_every=7 if scenario == "estimated_read" else 0,
                tz_offset_seconds=-28800,
            )
            xml = render_espi_xml(meter_id, readings, tz_offset_seconds=-28800)
            files.append(FetchedFile(f"usage-{start:%Y-%m}.xml", "application/atom+xml", xml))
        return files
