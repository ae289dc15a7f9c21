"""Dead letters of the local event router: JSON files on disk, redelivered through the router."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from common.errors import RetryableError
from common.models import DeadLetter
from common.ports import DeadLetterStore


def _dead_letter(path: Path, record: dict[str, Any]) -> DeadLetter:
    event = record.get("cloud_event") or {}
    return DeadLetter(
        id=path.stem,
        subscription=str(record.get("subscription", "")),
        function=record.get("function"),
        attempts=int(record.get("attempts", 0)),
        dead_lettered_at=record.get("dead_lettered_at"),
        last_error=dict(record.get("last_error") or {}),
        event_type=event.get("type"),
        subject=event.get("subject"),
        cloud_event=dict(event),
    )


class LocalDeadLetterStore(DeadLetterStore):
    def __init__(self, directory: Path, router_url: str) -> None:
        self.directory = directory
        self.router_url = router_url.rstrip("/")

    def _records(self) -> list[tuple[Path, dict[str, Any]]]:
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name)):
            try:
                found.append((path, json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                continue  # being rewritten by the router right now, or unreadable: skip, never crash
        return found

    def list(self) -> list[DeadLetter]:
        return [_dead_letter(path, record) for path, record in self._records()]

    def redeliver(self, dead_letter_ids: Sequence[str]) -> dict[str, int]:
        session = requests.Session()
        session.trust_env = False
        try:
            response = session.post(f"{self.router_url}/v1/replay", json={"ids": list(dead_letter_ids)}, timeout=600)
        except requests.RequestException as exc:
            raise RetryableError(f"event router unreachable: {exc}") from exc
        if response.status_code >= 300:
            raise RetryableError(f"event router refused the replay: {response.status_code}")
        counts: dict[str, int] = response.json()
        return counts
