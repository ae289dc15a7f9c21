"""Structured logs in the Cloud Logging shape: one JSON object per line on stderr."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

_SECRET_KEYS = ("password", "secret", "token", "api_key", "authorization")


def _scrub(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[redacted]" if any(s in k.lower() for s in _SECRET_KEYS) else v) for k, v in fields.items()}


def log(severity: str, message: str, **fields: Any) -> None:
    entry = {
        "severity": severity,
        "message": message,
        "time": datetime.now(UTC).isoformat(),
        **_scrub(fields),
    }
    sys.stderr.write(json.dumps(entry, default=str) + "\n")
    sys.stderr.flush()


@contextmanager
def stage_log(stage: str, **fields: Any) -> Iterator[dict[str, Any]]:
    """Log one line per stage per artifact with its duration; callers add outcome fields."""
    outcome: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        yield outcome
    except Exception as exc:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        log(
            "ERROR",
            f"{stage} failed: {exc}",
            stage=stage,
            duration_ms=duration_ms,
            error=type(exc).__name__,
            **fields,
            **outcome,
        )
        raise
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    log("INFO", f"{stage} done", stage=stage, duration_ms=duration_ms, **fields, **outcome)
