"""An in-process platform for tests: the real functions behind functions-framework test clients.

Published messages and new objects become the golden CloudEvents in tests/data/events, delivered with
the platform's policy (3 attempts, then a dead letter). Handler and pipeline tests use it; the e2e
tests use the real multi-process stack instead.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import functions_framework
from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent

from common.adapters.env_secrets import EnvSecrets
from common.adapters.local_blob import LocalBlobStore
from common.config import Settings
from common.errors import NotFound
from common.models import DeadLetter
from common.ports import DeadLetterStore, Publisher
from common.runtime import Ports
from common.topology import MAX_DELIVERY_ATTEMPTS

REPO_ROOT = Path(__file__).resolve().parents[1]
EVENTS_DIR = Path(__file__).parent / "data" / "events"
CORPUS_DIR = REPO_ROOT.parent / "shared" / "corpus" / "greenbutton"
SANDBOX_SECRET = "sandbox-credentials"
ADMIN_KEY = "test-admin-key"


class RecordingPublisher(Publisher):
    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes, dict[str, str]]] = []

    def publish(self, topic: str, data: bytes, attributes: dict[str, str] | None = None) -> str:
        self.messages.append((topic, data, dict(attributes or {})))
        return str(len(self.messages))


class RecordingBlobStore(LocalBlobStore):
    """A local bucket that records finalize events instead of sending them to a router."""

    def __init__(self, root: Path, project: str) -> None:
        super().__init__(root, project, router_url=None)
        self.finalized: list[tuple[str, str]] = []

    def write(
        self, bucket: str, name: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None
    ) -> bool:
        created = super().write(bucket, name, data, content_type, metadata)
        if created:
            self.finalized.append((bucket, name))
        return created


def golden_event(kind: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS_DIR / f"{kind}.json").read_text()))  # a fresh object on every call


def storage_event(blobs: LocalBlobStore, bucket: str, name: str, form: str, attempt: int = 1) -> CloudEvent:
    """A finalize event for an existing object, in the Eventarc or the Pub/Sub-notification form."""
    resource = blobs._resource(bucket, name)
    if form == "eventarc":
        event = golden_event("storage_finalized_eventarc")
        event["attributes"]["source"] = f"//storage.googleapis.com/projects/_/buckets/{bucket}"
        event["attributes"]["subject"] = f"objects/{name}"
        event["data"].update(resource)
        if attempt > 1:
            event["attributes"]["deliveryattempt"] = str(attempt)
    else:
        event = golden_event("storage_finalized_pubsub")
        message = event["data"]["message"]
        message["attributes"].update(bucketId=bucket, objectId=name)
        message["data"] = base64.b64encode(json.dumps(resource).encode()).decode()
        event["data"]["deliveryAttempt"] = attempt
    return CloudEvent(event["attributes"], event["data"])


def ingest_event(data: bytes, attributes: dict[str, str], attempt: int = 1) -> CloudEvent:
    event = golden_event("ingest_requested_pubsub")
    event["data"]["message"]["data"] = base64.b64encode(data).decode()
    event["data"]["message"]["attributes"] = attributes
    event["data"]["deliveryAttempt"] = attempt
    return CloudEvent(event["attributes"], event["data"])


def function_client(name: str, signature: str) -> Any:
    app = functions_framework.create_app(name, str(REPO_ROOT / "functions" / name / "main.py"), signature)
    return app.test_client()


@dataclass
class Delivery:
    function: str
    make_event: Any  # attempt -> CloudEvent
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)


class InProcessDeadLetters(DeadLetterStore):
    """The in-process platform's dead letters behind the same port as the router's files."""

    def __init__(self) -> None:
        self.platform: InProcessPlatform | None = None

    def _letters(self) -> dict[str, tuple[Delivery, DeadLetter]]:
        assert self.platform is not None
        letters = {}
        for index, delivery in enumerate(self.platform.dead_letters):
            event = delivery.make_event(1)
            letter_id = f"{delivery.function}-{index}-{event['id']}"
            letters[letter_id] = (
                delivery,
                DeadLetter(
                    id=letter_id,
                    subscription=delivery.function,
                    function=delivery.function,
                    attempts=delivery.attempts,
                    event_type=event["type"],
                    subject=event.get("subject"),
                    cloud_event={**event.get_attributes(), "data": event.data},
                ),
            )
        return letters

    def list(self) -> list[DeadLetter]:
        return [letter for _, letter in self._letters().values()]

    def get(self, dead_letter_id: str) -> DeadLetter:
        try:
            return self._letters()[dead_letter_id][1]
        except KeyError:
            raise NotFound(dead_letter_id) from None

    def redeliver(self, dead_letter_ids: Sequence[str]) -> dict[str, int]:
        assert self.platform is not None
        letters = self._letters()
        chosen = [letters[i][0] for i in dead_letter_ids]
        succeeded = 0
        for delivery in chosen:
            self.platform.dead_letters.remove(delivery)
            succeeded += self.platform.deliver(Delivery(delivery.function, delivery.make_event))
        return {"replayed": len(chosen), "succeeded": succeeded, "failed": len(chosen) - succeeded}


@dataclass
class InProcessPlatform:
    """Delivers every message and finalize event to the real functions until nothing is left."""

    ports: Ports
    publisher: RecordingPublisher
    blobs: RecordingBlobStore
    storage_form: str = "eventarc"
    dead_letters: list[Delivery] = field(default_factory=list)
    delivered: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.ports.dead_letters, InProcessDeadLetters):
            self.ports.dead_letters.platform = self
        self.clients = {
            "ingest": function_client("ingest", "cloudevent"),
            "extract": function_client("extract", "cloudevent"),
            "load": function_client("load", "cloudevent"),
        }
        self._seen_messages = 0
        self._seen_objects = 0

    def _pending(self) -> deque[Delivery]:
        queue: deque[Delivery] = deque()
        for _topic, data, attributes in self.publisher.messages[self._seen_messages :]:
            queue.append(Delivery("ingest", lambda n, d=data, a=attributes: ingest_event(d, a, n)))
        self._seen_messages = len(self.publisher.messages)
        settings = self.ports.settings
        for bucket, name in self.blobs.finalized[self._seen_objects :]:
            function = "extract" if bucket == settings.raw_bucket else "load"
            queue.append(
                Delivery(function, lambda n, b=bucket, o=name: storage_event(self.blobs, b, o, self.storage_form, n))
            )
        self._seen_objects = len(self.blobs.finalized)
        return queue

    def deliver(self, delivery: Delivery) -> bool:
        while delivery.attempts < MAX_DELIVERY_ATTEMPTS:
            delivery.attempts += 1
            headers, body = to_binary(delivery.make_event(delivery.attempts))
            response = self.clients[delivery.function].post("/", headers=headers, data=body)
            delivery.statuses.append(response.status_code)
            if response.status_code < 300:
                self.delivered.append(delivery)
                return True
        self.dead_letters.append(delivery)
        return False

    def drain(self, max_rounds: int = 100) -> None:
        for _ in range(max_rounds):
            queue = self._pending()
            if not queue:
                return
            while queue:
                self.deliver(queue.popleft())
        raise AssertionError("the pipeline did not settle")


def make_ports(
    tmp_path: Path,
    database: Any,
    warehouse: Any,
    blob_store: Callable[[Path, str], RecordingBlobStore] | None = None,
    **settings: Any,
) -> tuple[Ports, RecordingPublisher, RecordingBlobStore]:
    config = Settings.model_validate(
        {"LOCAL_DATA_DIR": str(tmp_path / "data"), "SECRET_NAME": SANDBOX_SECRET, **settings}
    )
    publisher = RecordingPublisher()
    blobs = (blob_store or RecordingBlobStore)(config.buckets_dir, config.gcp_project)
    secrets = EnvSecrets({}, _secrets_file(tmp_path))
    ports = Ports(
        blobs=blobs,
        publisher=publisher,
        database=database,
        warehouse=warehouse,
        secrets=secrets,
        settings=config,
        dead_letters=InProcessDeadLetters(),
    )
    return ports, publisher, blobs


def _secrets_file(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.json"
    path.write_text(
        json.dumps(
            {
                SANDBOX_SECRET: "sandbox-test-token",
                "wrong-credentials": "not-a-sandbox-token",
                "minimeter-admin-key": ADMIN_KEY,
            }
        )
    )
    return path


def put_secret(tmp_path: Path, name: str, value: str) -> None:
    """Add a secret known only at run time (e.g. a loopback stub's URL) to the file make_ports wrote."""
    path = tmp_path / "secrets.json"
    stored = json.loads(path.read_text())
    stored[name] = value
    path.write_text(json.dumps(stored))
