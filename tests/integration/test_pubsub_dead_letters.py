"""PubSubDeadLetterStore against the Pub/Sub emulator: real dead-lettering, list, get, replay.

Each event is nacked by a pull subscription until Pub/Sub forwards it to the dead-letter topic (after
its 5 deliveries), where the topology's ``-hold`` subscription keeps it; the store then lists it as the
CloudEvent the function was pushed, and replays it onto the topic the source subscription reads.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from common.adapters.postgres import PostgresDatabase
from common.adapters.pubsub_dead_letters import PubSubDeadLetterStore
from common.core import dead_letters
from common.errors import NotFound
from common.events import decode_ingest_request, decode_storage_event
from common.models import CustomerCreate, IngestRequested, JobError, JobStatus, JobType, UtilityAccountCreate
from common.topology import SUBSCRIPTIONS, dead_letter_hold_subscription, pubsub_max_delivery_attempts, subscription
from local.emulators.pubsub import EMULATOR_STORAGE_TOPIC, _clients, emulated_topic

pytestmark = [
    pytest.mark.emulated,
    pytest.mark.filterwarnings("ignore:The return_immediately flag is deprecated:DeprecationWarning"),
]

INGEST = subscription("ingest-on-ingestion-jobs")
LOAD = subscription("load-on-normalized-finalize")


class Topology:
    """The emulated topology with PULL source subscriptions, so the test can fail deliveries itself."""

    def __init__(self, host: str) -> None:
        from google.pubsub_v1.types import DeadLetterPolicy

        self.host = host
        self.project = f"minimeter-dlq-{uuid.uuid4().hex[:8]}"  # its own namespace on the shared emulator
        self.publisher, self.subscriber = _clients(host)
        for topic in sorted({emulated_topic(s) for s in SUBSCRIPTIONS} | {s.dead_letter_topic for s in SUBSCRIPTIONS}):
            self.publisher.create_topic(name=self.publisher.topic_path(self.project, topic), timeout=10)
        for sub in SUBSCRIPTIONS:
            self.subscriber.create_subscription(
                request={
                    "name": self.path(dead_letter_hold_subscription(sub)),
                    "topic": self.publisher.topic_path(self.project, sub.dead_letter_topic),
                    "ack_deadline_seconds": 60,
                },
                timeout=10,
            )
            self.subscriber.create_subscription(
                request={
                    "name": self.path(sub.name),
                    "topic": self.publisher.topic_path(self.project, emulated_topic(sub)),
                    "ack_deadline_seconds": 10,
                    "dead_letter_policy": DeadLetterPolicy(
                        dead_letter_topic=self.publisher.topic_path(self.project, sub.dead_letter_topic),
                        max_delivery_attempts=pubsub_max_delivery_attempts(sub),
                    ),
                },
                timeout=10,
            )

    def path(self, name: str) -> str:
        return str(self.subscriber.subscription_path(self.project, name))

    def publish(self, topic: str, data: bytes, **attributes: str) -> str:
        path = self.publisher.topic_path(self.project, topic)
        return str(self.publisher.publish(path, data, **attributes).result(timeout=30))

    def pull(self, name: str, *, wait: float = 10.0) -> list[Any]:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            response = self.subscriber.pull(
                request={"subscription": self.path(name), "max_messages": 10, "return_immediately": True}, timeout=10
            )
            if response.received_messages:
                return list(response.received_messages)
            time.sleep(0.1)
        return []

    def fail_until_dead_lettered(self, name: str) -> None:
        """Nack every delivery on `name` until nothing comes back (dead-lettered after its budget)."""
        deliveries = 0
        while received := self.pull(name, wait=3.0):
            deliveries += len(received)
            self.subscriber.modify_ack_deadline(
                request={
                    "subscription": self.path(name),
                    "ack_ids": [r.ack_id for r in received],
                    "ack_deadline_seconds": 0,
                },
                timeout=10,
            )
        assert deliveries >= 5

    def ack_all(self, name: str) -> int:
        count = 0
        while received := self.pull(name, wait=1.0):
            count += len(received)
            self.subscriber.acknowledge(
                request={"subscription": self.path(name), "ack_ids": [r.ack_id for r in received]}, timeout=10
            )
        return count

    def close(self) -> None:
        self.subscriber.close()
        self.publisher.stop()


@pytest.fixture
def topology(pubsub_host: str) -> Iterator[Topology]:
    created = Topology(pubsub_host)
    try:
        yield created
    finally:
        created.close()


def _object_resource(name: str) -> dict[str, Any]:
    return {
        "kind": "storage#object",
        "bucket": "normalized-bucket",
        "name": name,
        "size": "123",
        "contentType": "application/json",
        "generation": "1700000000000001",
        "metadata": {"job_id": "job-1"},
    }


def test_list_get_replay_through_the_emulator(topology: Topology, database: PostgresDatabase) -> None:
    customer = database.create_customer(CustomerCreate(name="Dead Letters Inc"))
    account = database.create_account(
        UtilityAccountCreate(customer_id=customer.id, provider="sandbox", account_number="DL-1")
    )
    job, _ = database.create_job(account, JobType.FULL_PIPELINE, date(2026, 9, 1))
    request = IngestRequested(
        job_id=job.id,
        customer_id=customer.id,
        utility_account_id=account.id,
        provider="sandbox",
        job_type=JobType.FULL_PIPELINE,
        since_date=date(2026, 9, 1),
    )
    topology.publish(INGEST.topic or "", request.model_dump_json().encode(), origin="test")
    resource = _object_resource("normalized/c/a/abc.json")
    topology.publish(
        EMULATOR_STORAGE_TOPIC,
        json.dumps(resource).encode(),
        eventType="OBJECT_FINALIZE",
        bucketId=resource["bucket"],
        objectId=resource["name"],
        payloadFormat="JSON_API_V1",
    )
    topology.fail_until_dead_lettered(INGEST.name)
    topology.fail_until_dead_lettered(LOAD.name)
    topology.ack_all("extract-on-raw-finalize")  # the emulator's one storage topic reaches extract too

    store = PubSubDeadLetterStore(topology.project, emulator_host=topology.host)
    try:
        deadline = time.monotonic() + 20
        letters = store.list()
        while len(letters) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            letters = store.list()
        by_id = {letter.id: letter for letter in letters}
        # Dead-lettering publishes the event again (a new message id on the dead-letter topic).
        by_subscription = {letter.subscription: letter for letter in letters}
        assert sorted(by_subscription) == sorted([INGEST.name, LOAD.name]) and len(letters) == 2
        ingest_key, load_key = by_subscription[INGEST.name].id, by_subscription[LOAD.name].id
        assert ingest_key.startswith(f"{dead_letter_hold_subscription(INGEST)}:")
        assert load_key.startswith(f"{dead_letter_hold_subscription(LOAD)}:")

        # Listing leaves them held: a second listing (and get) sees the same dead letters.
        assert {letter.id for letter in store.list()} == set(by_id)
        assert store.get(load_key) == by_id[load_key]
        with pytest.raises(NotFound):
            store.get(f"{dead_letter_hold_subscription(LOAD)}:no-such-message")

        ingest, load = by_id[ingest_key], by_id[load_key]
        assert (ingest.subscription, ingest.function, ingest.attempts) == (INGEST.name, "ingest", 5)
        assert (load.subscription, load.function, load.attempts) == (LOAD.name, "load", 5)
        assert load.subject == f"objects/{resource['name']}"
        assert ingest.dead_lettered_at is not None

        # The events decode as the functions decode them; the dead-letter attributes are gone.
        event = dead_letters._event(ingest)
        decoded, _ = decode_ingest_request(event)
        assert decoded == request
        assert ingest.cloud_event["data"]["message"]["attributes"] == {"origin": "test"}
        obj, _ = decode_storage_event(dead_letters._event(load))
        assert (obj.bucket, obj.name, obj.generation, obj.metadata) == (
            resource["bucket"],
            resource["name"],
            resource["generation"],
            {"job_id": "job-1"},
        )
        raw = base64.b64decode(load.cloud_event["data"]["message"]["data"])
        assert json.loads(raw) == resource

        # reopen_for understands them: the FAILED job goes back to PENDING.
        database.fail_job(
            job.id, JobError(stage="ingest", reason_code="test", message="gave up", at=customer.created_at)
        )
        assert database.get_job(job.id).status == JobStatus.FAILED
        assert dead_letters.reopen_for(ingest, database, blobs=None) == job.id  # type: ignore[arg-type]
        assert database.get_job(job.id).status == JobStatus.PENDING

        # Replay: republished to the source topics, acknowledged on the hold subscriptions.
        counts = store.redeliver([ingest_key, load_key])
        assert counts == {"replayed": 2, "succeeded": 2, "failed": 0}
        assert store.list() == []
        [again] = topology.pull(INGEST.name)
        assert again.message.data == request.model_dump_json().encode()
        assert dict(again.message.attributes) == {"origin": "test"}
        [again_load] = topology.pull(LOAD.name)
        assert json.loads(again_load.message.data) == resource
        assert dict(again_load.message.attributes)["objectId"] == resource["name"]

        # Idempotent: the same ids again find nothing held and publish nothing.
        assert store.redeliver([ingest_key]) == {"replayed": 1, "succeeded": 0, "failed": 1}
    finally:
        store.close()
