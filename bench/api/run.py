"""Load benchmark of the local API: requests/s, p50/p99 latency and errors for dashboard and uploads.

Starts the embedded stack in a temporary directory, seeds a customer with a year of sandbox data, then
drives each endpoint from a loopback load generator (threads with keep-alive sessions) for a bounded
time. Prints a table, then one JSON line. Usage: .venv/bin/python -m bench.api.run [--seconds 10]
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import requests

from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf
from local.client import ApiClient
from local.stack import LocalStack


def _drive(
    name: str, seconds: float, threads: int, make_request: Callable[[requests.Session, int], int]
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(10**9))
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(api_key: str) -> None:
        nonlocal errors
        session = requests.Session()
        session.trust_env = False
        session.headers["X-API-Key"] = api_key
        while time.monotonic() < deadline:
            with lock:
                number = next(counter)
            started = time.perf_counter()
            try:
                status = make_request(session, number)
            except requests.RequestException:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not 200 <= status < 300:
                    errors += 1

    pool = [threading.Thread(target=worker, args=(API_KEY[0],)) for _ in range(threads)]
    began = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "endpoint": name,
        "threads": threads,
        "requests": len(latencies),
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1) if ordered else None,
        "errors": errors,
    }


API_KEY: list[str] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration per endpoint")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="minimeter-bench-api-"))
    workdir.chmod(0o711)
    try:
        with LocalStack(workdir / "stack") as stack:
            API_KEY.append(stack.admin_key)
            client = ApiClient(stack.api_url, stack.admin_key)
            customer = client.call("POST", "/customers", json={"name": "Bench Co"})["id"]
            account = client.call(
                "POST",
                "/utility-accounts",
                json={
                    "customer_id": customer,
                    "provider": "sandbox",
                    "account_number": "BENCH-1",
                    "credentials_secret_name": "sandbox-credentials",
                },
            )["id"]
            job = client.call("POST", "/ingest/run", json={"utility_account_id": account, "job_type": "FULL_PIPELINE"})
            client.wait_for_jobs([job["job_id"]], timeout=300)
            base = stack.api_url

            def dashboard(session: requests.Session, _: int) -> int:
                return session.get(f"{base}/customers/{customer}/dashboard", timeout=30).status_code

            def upload(session: requests.Session, number: int) -> int:
                start = date(2000 + number // 12 % 20, number % 12 + 1, 1)
                end = date(start.year, start.month, 28)
                bill = make_sandbox_bill(
                    "Bench Electric", f"U-{number}", "1 Bench St, Town, CA 94000", start, end, seed=number
                )
                files = {"file": (f"bill-{number}.pdf", io.BytesIO(render_bill_pdf(bill)))}
                return session.post(
                    f"{base}/uploads", data={"utility_account_id": account}, files=files, timeout=30
                ).status_code

            results = [
                _drive("GET /customers/{id}/dashboard", args.seconds, args.threads, dashboard),
                _drive("POST /uploads", args.seconds, args.threads, upload),
            ]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"{'endpoint':34s} {'threads':>7s} {'requests':>8s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>6s}"
    )
    for r in results:
        print(
            f"{r['endpoint']:34s} {r['threads']:7d} {r['requests']:8d} {r['rps']:8.1f} {r['p50_ms']:8.1f} "
            f"{r['p99_ms']:8.1f} {r['errors']:6d}"
        )
    print(json.dumps({"benchmark": "api", "seconds_per_endpoint": args.seconds, "results": results}))


if __name__ == "__main__":
    main()
