"""The emulated topology's push subscriptions on the Pub/Sub emulator: every refused push ends held.

Several messages refused together are what a stage that dies mid-job produces. With a retry policy
on the subscription the emulator lost them (no push, no dead letter: see local/emulators/pubsub.py);
this is the topology the emulated stack runs on, checked without the functions around it.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest

from common.adapters.pubsub_dead_letters import PubSubDeadLetterStore
from common.models import DeadLetter
from common.topology import (
    FUNCTIONS,
    INGESTION_TOPIC,
    pubsub_max_delivery_attempts,
    subscription,
)
from local.emulate import UnavailableFunction, unavailable_function
from local.emulators.process import free_port
from local.emulators.pubsub import PubSubTopology, _clients, apply_topology

pytestmark = pytest.mark.emulated

INGEST = subscription("ingest-on-ingestion-jobs")
REFUSED_TOGETHER = 4  # with the emulator's retry policy, 4 messages refused together stalled 3 times in 3


@pytest.fixture
def dead_functions() -> Iterator[UnavailableFunction]:
    server = unavailable_function(free_port(), acknowledge=None)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def topology(pubsub_host: str, dead_functions: UnavailableFunction) -> Iterator[PubSubTopology]:
    project = f"minimeter-topo-{uuid.uuid4().hex[:8]}"  # its own namespace on the shared emulator
    url = f"http://127.0.0.1:{dead_functions.server_port}"
    created = apply_topology(pubsub_host, project, {fn.name: url for fn in FUNCTIONS})
    try:
        yield created
    finally:
        created.teardown()


def _held(topology: PubSubTopology, expected: int, timeout: float) -> list[DeadLetter]:
    """The ingest subscription's dead letters, as the admin API lists them, once `expected` are held."""
    store = PubSubDeadLetterStore(topology.project, emulator_host=topology.host, subscriptions=(INGEST,))
    deadline = time.monotonic() + timeout
    try:
        while len(held := store.list()) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        return held
    finally:
        store.close()


def test_messages_refused_together_are_each_pushed_to_the_last_attempt_then_held(
    topology: PubSubTopology, dead_functions: UnavailableFunction
) -> None:
    attempts = pubsub_max_delivery_attempts(INGEST)
    publisher, _ = _clients(topology.host)
    try:
        topic = publisher.topic_path(topology.project, INGESTION_TOPIC)
        futures = [publisher.publish(topic, f"job {n}".encode()) for n in range(REFUSED_TOGETHER)]
        message_ids = [future.result(timeout=30) for future in futures]
    finally:
        publisher.stop()
    held = _held(topology, REFUSED_TOGETHER, timeout=60)  # about 6 s: pushed again every second

    published = sorted(base64.b64decode(letter.cloud_event["data"]["message"]["data"]) for letter in held)
    assert published == [f"job {n}".encode() for n in range(REFUSED_TOGETHER)]
    assert [letter.attempts for letter in held] == [attempts] * REFUSED_TOGETHER
    assert dead_functions.refused == Counter({f"{message_id} ?": attempts for message_id in message_ids})
    assert dead_functions.accepted == 0
