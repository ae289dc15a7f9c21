"""The emulated topology's push subscriptions on the Pub/Sub emulator: every refused push ends held.

Several messages refused together are what a stage that dies mid-job produces. With a retry policy
on the subscription the emulator lost them (no push, no dead letter: see local/emulators/pubsub.py);
this is the topology the emulated stack runs on, checked without the functions around it.
"""

from __future__ import annotations

import time
import uuid
import warnings
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from common.adapters.pubsub_dead_letters import DELIVERY_COUNT_ATTRIBUTE
from common.topology import FUNCTIONS, INGESTION_TOPIC, dead_letter_hold_subscription, subscription
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


def _pull_held(subscriber: Any, hold: str, expected: int, timeout: float) -> list[Any]:
    held: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(held) < expected and time.monotonic() < deadline:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # return_immediately, honoured here
            response = subscriber.pull(
                request={"subscription": hold, "max_messages": 100, "return_immediately": True}, timeout=10
            )
        if response.received_messages:
            held += [received.message for received in response.received_messages]
            subscriber.acknowledge(
                request={"subscription": hold, "ack_ids": [r.ack_id for r in response.received_messages]},
                timeout=10,
            )
        time.sleep(0.2)
    return held


def test_messages_refused_together_are_each_pushed_five_times_then_held(
    topology: PubSubTopology, dead_functions: UnavailableFunction
) -> None:
    publisher, subscriber = _clients(topology.host)
    try:
        topic = publisher.topic_path(topology.project, INGESTION_TOPIC)
        futures = [publisher.publish(topic, f"job {n}".encode()) for n in range(REFUSED_TOGETHER)]
        message_ids = [future.result(timeout=30) for future in futures]
        hold = subscriber.subscription_path(topology.project, dead_letter_hold_subscription(INGEST))
        held = _pull_held(subscriber, hold, REFUSED_TOGETHER, timeout=60)  # about 6 s: pushed again every second
    finally:
        publisher.stop()
        subscriber.close()

    assert sorted(message.data for message in held) == [f"job {n}".encode() for n in range(REFUSED_TOGETHER)]
    assert [message.attributes[DELIVERY_COUNT_ATTRIBUTE] for message in held] == ["5"] * REFUSED_TOGETHER
    assert dead_functions.refused == Counter({f"{message_id} ?": 5 for message_id in message_ids})
    assert dead_functions.accepted == 0
