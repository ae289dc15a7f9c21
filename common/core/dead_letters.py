"""Replaying dead letters after a fix: give the failed work fresh attempts, then deliver again.

Without the reopen step a replayed event would meet a FAILED artifact and be acknowledged without
work; with it, the stage runs again and, being idempotent, lands exactly what a clean run would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from common.core.naming import artifact_id, parse_raw_name
from common.errors import NotFound, PermanentError
from common.events import PUBSUB_PUBLISHED, decode_ingest_request, decode_storage_event
from common.models import DeadLetter, NormalizedArtifact, ReplayResult
from common.ports import BlobStore, Database, DeadLetterStore


@dataclass
class _StoredEvent:
    """A dead letter's CloudEvent, shaped like the framework's object for the common decoder."""

    attributes: dict[str, Any]
    data: Any

    def __getitem__(self, key: str) -> Any:
        return self.attributes[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attributes.get(key, default)


def _event(letter: DeadLetter) -> _StoredEvent:
    attributes = {k: v for k, v in letter.cloud_event.items() if k != "data"}
    return _StoredEvent(attributes, letter.cloud_event.get("data"))


def reopen_for(letter: DeadLetter, db: Database, blobs: BlobStore) -> str | None:
    """Reopen the artifact or job the dead letter was about; returns its id when reopened."""
    event = _event(letter)
    try:
        if letter.function == "ingest" or (
            event.get("type") == PUBSUB_PUBLISHED and "ingestion-jobs" in str(event.get("source"))
        ):
            request, _ = decode_ingest_request(event)
            return request.job_id if db.reopen_job(request.job_id) else None
        obj, _ = decode_storage_event(event)
        if obj.name.startswith("raw/"):
            raw = parse_raw_name(obj.name)
            target = artifact_id(raw.account_id, raw.sha256)
        else:
            target = NormalizedArtifact.model_validate_json(blobs.read(obj.bucket, obj.name)).artifact_id
        return target if db.reopen_artifact(target) else None
    except (PermanentError, NotFound, ValueError):
        return None  # not about our work (or already gone): deliver it as it is


def replay(store: DeadLetterStore, db: Database, blobs: BlobStore, ids: Sequence[str] | None = None) -> ReplayResult:
    letters = store.list() if ids is None else [store.get(i) for i in ids]
    if not letters:
        return ReplayResult(replayed=0, succeeded=0, failed=0)
    reopened = [r for r in (reopen_for(letter, db, blobs) for letter in letters) if r]
    counts = store.redeliver([letter.id for letter in letters])
    return ReplayResult(
        replayed=counts.get("replayed", 0),
        succeeded=counts.get("succeeded", 0),
        failed=counts.get("failed", 0),
        reopened=reopened,
    )
