"""A small client of MiniMeter's HTTP API, used by the demo and `drop`."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

TERMINAL = {"SUCCEEDED", "NEEDS_REVIEW", "FAILED"}
UPLOAD_SUFFIXES = {".pdf", ".xml", ".csv"}


class ApiError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class ApiClient:
    def __init__(self, base_url: str, api_key: str, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only: never through a proxy
        self.session.headers["X-API-Key"] = api_key

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        body = response.json() if response.content else None
        if response.status_code >= 400:
            raise ApiError(response.status_code, body)
        return body

    def upload(self, account_id: str, path: Path) -> dict[str, Any]:
        with path.open("rb") as handle:
            result: dict[str, Any] = self.call(
                "POST", "/uploads", data={"utility_account_id": account_id}, files={"file": (path.name, handle)}
            )
        return result

    def wait_for_jobs(self, job_ids: list[str], timeout: float = 300, poll: float = 0.2) -> dict[str, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        jobs: dict[str, dict[str, Any]] = {}
        pending = list(dict.fromkeys(job_ids))
        while pending:
            for job_id in list(pending):
                jobs[job_id] = self.call("GET", f"/jobs/{job_id}")
                if jobs[job_id]["status"] in TERMINAL:
                    pending.remove(job_id)
            if pending:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(pending)} jobs still running after {timeout}s: {pending[:5]}")
                time.sleep(poll)
        return jobs


def collect_files(paths: list[Path]) -> list[Path]:
    """Files named directly, and the bill/interval files inside named folders (a user's archive)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in UPLOAD_SUFFIXES)
        elif path.is_file():
            found.append(path)
    return found


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:40s}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def drop_files(client: ApiClient, account_id: str, files: list[Path], wait: bool = True) -> dict[str, int]:
    """Upload each file, then count the artifacts' final statuses; a refused file counts as REJECTED."""
    counts: Counter[str] = Counter()
    job_ids: list[str] = []
    for index, path in enumerate(files, 1):
        try:
            job_ids.append(client.upload(account_id, path)["job_id"])
        except ApiError as exc:
            counts["REJECTED"] += 1
            sys.stderr.write(f"\n{path}: {exc}\n")
        _progress(index, len(files), path.name)
    if not wait:
        counts["SUBMITTED"] = len(job_ids)
        return dict(counts)
    for job in client.wait_for_jobs(job_ids).values():
        for artifact in job["artifacts"]:
            counts[artifact["status"]] += 1
    return dict(sorted(counts.items()))
