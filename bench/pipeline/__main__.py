"""`python -m bench.pipeline`: 200 bill PDFs + 10 Green Button files dropped through the API, per mode.

For each mode (embedded: router + local bucket + DuckDB; emulated: Pub/Sub emulator push + fake-gcs-server
+ bqemulator + PostgreSQL 15) it starts the stack, uploads every file as fast as the API takes them and
waits until every job is terminal. Figures:

- files/min: files / (last job finished - first drop);
- p50 / p95 latency drop → loaded: job finished_at - the instant its upload was sent;
- peak memory per function: VmHWM of each function's process tree (/proc);
- work share: (extract + load stage time, from the functions' stage log lines) / summed drop→loaded
  latency; the rest is plumbing (event delivery, the API's write, queueing behind other files, waiting).
  With every file dropped at once that share is mostly queueing, so a second, sequential phase drops
  PROBES more bills one at a time (each waits for the previous to load): its work share is the cost of
  the plumbing itself, with no queue.

Prints a table and, with --json PATH, writes the figures as JSON. Loopback only; everything it starts
is stopped.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from local.client import ApiClient
from local.stack import LocalStack

BILLS = 200
INTERVAL_FILES = 10
PROBES = 10


def make_inputs(directory: Path, bills: int, interval_files: int) -> list[Path]:
    from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf
    from common.connectors.sandbox_greenbutton import make_sandbox_intervals, render_espi_xml

    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(bills):
        start = date(2005, 1, 1) + timedelta(days=31 * i)  # 200 months, all in the past
        start = start.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        bill = make_sandbox_bill(
            "Sandbox Electric", f"BENCH-{i % 20:03d}", "1 Bench Way, Testville, CA 94000", start, end, seed=i
        )
        path = directory / f"bill-{i:03d}.pdf"
        path.write_bytes(render_bill_pdf(bill))
        files.append(path)
    for i in range(interval_files):
        start = datetime(2025, 1 + i, 1, tzinfo=UTC)
        readings = make_sandbox_intervals(f"bench-meter-{i}", start, 30, seed=1000 + i)
        path = directory / f"usage-{i:02d}.xml"
        path.write_bytes(render_espi_xml(f"bench-meter-{i}", readings))
        files.append(path)
    return files


def make_probe_inputs(directory: Path, count: int) -> list[Path]:
    """Bills unlike the bulk ones (other seeds and years), so each is new work."""
    from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        start = date(1995, 1 + i, 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        bill = make_sandbox_bill(
            "Sandbox Electric", "PROBE-001", "2 Probe Way, Testville, CA 94000", start, end, seed=50_000 + i
        )
        paths.append(directory / f"probe-{i:02d}.pdf")
        paths[-1].write_bytes(render_bill_pdf(bill))
    return paths


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def peak_rss_mb(pid: int) -> float:
    peak = 0
    for member in _descendants(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return round(peak / 1024, 1)


def stage_seconds(log_file: Path, stage: str) -> dict[str, float]:
    """Per artifact: summed duration of `stage` lines (every attempt) in a function log."""
    totals: dict[str, float] = {}
    if not log_file.exists():
        return totals
    for line in log_file.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("stage") == stage and entry.get("artifact") and entry.get("duration_ms") is not None:
            totals[entry["artifact"]] = totals.get(entry["artifact"], 0.0) + float(entry["duration_ms"]) / 1000
    return totals


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_mode(mode: str, files: list[Path], work: Path) -> dict[str, Any]:
    stack: LocalStack
    if mode == "emulated":
        from local.emulate import EmulatedStack

        stack = EmulatedStack(work / mode)
    else:
        stack = LocalStack(work / mode)
    started = time.monotonic()
    with stack:
        startup = time.monotonic() - started
        client = ApiClient(stack.api_url, stack.admin_key, timeout=120)
        customer = client.call("POST", "/customers", json={"name": "Bench Co"})
        account = client.call(
            "POST",
            "/utility-accounts",
            json={"customer_id": customer["id"], "provider": "manual", "account_number": "BENCH-ALL"},
        )
        dropped: dict[str, float] = {}
        for path in files:
            sent = time.time()
            dropped[client.upload(account["id"], path)["job_id"]] = sent
        jobs = client.wait_for_jobs(list(dropped), timeout=1800, poll=0.5)
        stack.wait_idle(120)
        probe_latency: dict[str, float] = {}
        probe_artifacts: dict[str, str] = {}
        for path in make_probe_inputs(work / f"{mode}-probes", PROBES):
            sent = time.time()
            job_id = client.upload(account["id"], path)["job_id"]
            [job] = client.wait_for_jobs([job_id], timeout=300, poll=0.02).values()
            probe_latency[job_id] = datetime.fromisoformat(job["finished_at"]).timestamp() - sent
            probe_artifacts[job_id] = job["artifacts"][0]["id"]
        latencies: dict[str, float] = {}
        artifacts: dict[str, str] = {}
        for job_id, job in jobs.items():
            finished = datetime.fromisoformat(job["finished_at"]).timestamp()
            latencies[job_id] = finished - dropped[job_id]
            if job["artifacts"]:
                artifacts[job_id] = job["artifacts"][0]["id"]
        logs = stack.data_dir / "logs"
        memory = {name: peak_rss_mb(process.pid) for name, process in stack.processes.items()}
        extract = stage_seconds(logs / "extract.log", "extract")
        load = stage_seconds(logs / "load.log", "load")
    first, last = (
        min(dropped.values()),
        max(datetime.fromisoformat(j["finished_at"]).timestamp() for j in jobs.values()),
    )
    work_seconds = sum(extract.get(a, 0.0) + load.get(a, 0.0) for a in artifacts.values())
    probe_work = sum(extract.get(a, 0.0) + load.get(a, 0.0) for a in probe_artifacts.values())
    statuses: dict[str, int] = {}
    for job in jobs.values():
        statuses[job["status"]] = statuses.get(job["status"], 0) + 1
    return {
        "mode": mode,
        "files": len(files),
        "statuses": statuses,
        "startup_s": round(startup, 2),
        "wall_s": round(last - first, 2),
        "files_per_min": round(len(files) / (last - first) * 60, 1),
        "p50_latency_s": round(_percentile(list(latencies.values()), 0.5), 2),
        "p95_latency_s": round(_percentile(list(latencies.values()), 0.95), 2),
        "peak_rss_mb": memory,
        "extract_s": round(sum(extract.values()), 2),
        "load_s": round(sum(load.values()), 2),
        "work_share_of_latency": round(work_seconds / sum(latencies.values()), 3),
        "sequential_p50_latency_s": round(_percentile(list(probe_latency.values()), 0.5), 3),
        "sequential_work_share": round(probe_work / sum(probe_latency.values()), 3),
    }


def _peak_rss(result: dict[str, Any], name: str) -> str:
    return str(result["peak_rss_mb"].get(name, "-"))


def print_table(results: list[dict[str, Any]]) -> None:
    rows = [
        ("files", lambda r: str(r["files"])),
        ("statuses", lambda r: ", ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items()))),
        ("stack start (s)", lambda r: str(r["startup_s"])),
        ("drop → last loaded (s)", lambda r: str(r["wall_s"])),
        ("files / min", lambda r: str(r["files_per_min"])),
        ("p50 drop → loaded (s)", lambda r: str(r["p50_latency_s"])),
        ("p95 drop → loaded (s)", lambda r: str(r["p95_latency_s"])),
        ("extract stage, summed (s)", lambda r: str(r["extract_s"])),
        ("load stage, summed (s)", lambda r: str(r["load_s"])),
        ("extract+load / latency", lambda r: f"{r['work_share_of_latency']:.1%}"),
        ("one at a time: p50 drop → loaded (s)", lambda r: str(r["sequential_p50_latency_s"])),
        ("one at a time: extract+load / latency", lambda r: f"{r['sequential_work_share']:.1%}"),
    ]
    for name in sorted({n for r in results for n in r["peak_rss_mb"]}):
        rows.append((f"peak RSS {name} (MB)", partial(_peak_rss, name=name)))
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}}  " + "  ".join(f"{r['mode']:>22}" for r in results))
    for label, value in rows:
        print(f"{label:{width}}  " + "  ".join(f"{value(r):>22}" for r in results))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--bills", type=int, default=BILLS)
    parser.add_argument("--interval-files", type=int, default=INTERVAL_FILES)
    parser.add_argument("--modes", default="embedded,emulated")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="minimeter-bench-"))
    work.chmod(0o711)  # PostgreSQL runs unprivileged and must reach its data directory
    try:
        files = make_inputs(work / "inputs", args.bills, args.interval_files)
        results = [run_mode(mode, files, work) for mode in args.modes.split(",")]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    payload = {"bills": args.bills, "interval_files": args.interval_files, "results": results}
    print(json.dumps(payload))
    if args.json:
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
