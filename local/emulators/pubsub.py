"""The Pub/Sub emulator (the jar of the machine's google-cloud-cli) and MiniMeter's topology on it.

:func:`apply_topology` creates, from common/topology.py, what Terraform creates in the cloud: every
source topic, each dead-letter topic with its ``-hold`` pull subscription, and one push subscription
per event function with the dead-letter topic and maximum delivery attempts of its Subscription. The
push endpoint carries ``/projects/P/topics/T`` in its path, so functions-framework gives the converted
CloudEvent the right ``source``.

The push subscriptions here have NO retry policy, where the cloud's have one (terraform/modules/function):
the emulator's retry-policy backoff loses messages. It files a refused message under the time of its
next delivery, and checks that it is not filed already by looking for a time that holds that message
alone. Two messages refused together are filed under one time, so on the emulator's next look each is
filed a second time; when its second time comes the message is no longer outstanding, a
NullPointerException ends the emulator's redelivery timer, and from then on no refused message of that
subscription is pushed or dead-lettered again. Measured (cloud-pubsub-emulator 0.8.20, scratch repro):
2 messages refused together stalled in 6 of 8 rounds and 4 in 3 of 3; with no retry policy 0 of 11
rounds stalled, and each message was pushed 5 times about 1 s apart (the emulator's fixed delay after a
refused push) and then dead-lettered. The dead-letter policy keeps the count, so nothing is retried
forever (tests/integration/test_pubsub_topology.py).

fake-gcs-server publishes every bucket's notifications to ONE topic (``-event.pubsub-topic``), where
the cloud has one notification topic per bucket; the bucket subscriptions therefore read that single
topic here (each function acknowledges, without work, the other bucket's events). Filters would do the
same in the cloud, but the emulator ignores them.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.topology import (
    PUSH_ACK_DEADLINE_SECONDS,
    SUBSCRIPTIONS,
    Subscription,
    dead_letter_hold_subscription,
    pubsub_max_delivery_attempts,
    source_topic,
)
from local.emulators.process import ServiceProcess, free_port
from local.emulators.toolchain import java, pubsub_emulator_jar

EMULATOR_STORAGE_TOPIC = "storage-finalize"  # fake-gcs-server's single notification topic
EMULATOR_REDELIVERY_SECONDS = 1.0  # a refused push is pushed again after this (and the emulator's 0.1 s poll)


class PubSubEmulator(ServiceProcess):
    def __init__(self, log_file: Path, port: int | None = None) -> None:
        port = port or free_port()
        argv = [java(), "-jar", str(pubsub_emulator_jar()), "--host=127.0.0.1", f"--port={port}"]
        super().__init__("pubsub-emulator", argv, port=port, log_file=log_file)


def _clients(host: str) -> tuple[Any, Any]:
    import grpc
    from google.cloud import pubsub_v1
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
    from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

    publisher = pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=grpc.insecure_channel(host)))
    subscriber = pubsub_v1.SubscriberClient(transport=SubscriberGrpcTransport(channel=grpc.insecure_channel(host)))
    return publisher, subscriber


def emulated_topic(sub: Subscription) -> str:
    return EMULATOR_STORAGE_TOPIC if sub.bucket_role else source_topic(sub)


@dataclass
class PubSubTopology:
    """What apply_topology created, so teardown can delete the push subscriptions."""

    host: str
    project: str
    push_subscriptions: list[str] = field(default_factory=list)
    hold_subscriptions: dict[str, str] = field(default_factory=dict)  # hold subscription -> source subscription
    topics: list[str] = field(default_factory=list)

    def teardown(self) -> None:
        """Delete push subscriptions first: a running emulator would keep pushing to stopped functions."""
        _, subscriber = _clients(self.host)
        try:
            for name in self.push_subscriptions:
                try:
                    subscriber.delete_subscription(subscription=name, timeout=10)
                except Exception as exc:  # noqa: BLE001 - the emulator may be gone already
                    print(f"could not delete push subscription {name}: {exc!r}", file=sys.stderr)
            self.push_subscriptions.clear()
        finally:
            subscriber.close()


def apply_topology(
    host: str,
    project: str,
    function_urls: Mapping[str, str],
    *,
    subscriptions: tuple[Subscription, ...] = SUBSCRIPTIONS,
) -> PubSubTopology:
    from google.api_core.exceptions import AlreadyExists
    from google.pubsub_v1.types import DeadLetterPolicy, PushConfig

    publisher, subscriber = _clients(host)
    result = PubSubTopology(host, project)
    try:
        topics = {emulated_topic(s) for s in subscriptions} | {s.dead_letter_topic for s in subscriptions}
        for topic in sorted(topics):
            try:
                publisher.create_topic(name=publisher.topic_path(project, topic), timeout=10)
            except AlreadyExists:
                pass
            result.topics.append(topic)

        for sub in subscriptions:
            topic = emulated_topic(sub)
            hold = subscriber.subscription_path(project, dead_letter_hold_subscription(sub))
            try:
                subscriber.create_subscription(
                    request={
                        "name": hold,
                        "topic": publisher.topic_path(project, sub.dead_letter_topic),
                        "ack_deadline_seconds": 60,
                    },
                    timeout=10,
                )
            except AlreadyExists:
                pass
            result.hold_subscriptions[hold] = sub.name
            name = subscriber.subscription_path(project, sub.name)
            endpoint = f"{function_urls[sub.function].rstrip('/')}/projects/{project}/topics/{topic}"
            request = {
                "name": name,
                "topic": publisher.topic_path(project, topic),
                "push_config": PushConfig(push_endpoint=endpoint),
                "ack_deadline_seconds": PUSH_ACK_DEADLINE_SECONDS,  # no retry_policy: see the module docstring
                "dead_letter_policy": DeadLetterPolicy(
                    dead_letter_topic=publisher.topic_path(project, sub.dead_letter_topic),
                    max_delivery_attempts=pubsub_max_delivery_attempts(sub),
                ),
            }
            try:
                subscriber.create_subscription(request=request, timeout=10)
            except AlreadyExists:
                subscriber.delete_subscription(subscription=name, timeout=10)
                subscriber.create_subscription(request=request, timeout=10)
            result.push_subscriptions.append(name)
    finally:
        subscriber.close()
        publisher.stop()
    return result


def drain_dead_letters(topology: PubSubTopology, dead_letter_dir: Path, function_urls: Mapping[str, str]) -> int:
    """Move the dead-letter topics' held events into `dead_letter_dir`, in the event router's format.

    So the embedded and emulated modes keep dead letters the same way on a laptop (and
    ``local.router.replay_dead_letters`` can redeliver them). Returns how many were moved.
    """
    from common.adapters.pubsub_dead_letters import DEAD_LETTER_ATTRIBUTE_PREFIX, DELIVERY_COUNT_ATTRIBUTE
    from common.events import pubsub_event
    from local.router import write_dead_letter

    _, subscriber = _clients(topology.host)
    moved = 0
    try:
        for hold, source_name in topology.hold_subscriptions.items():
            source = next(s for s in SUBSCRIPTIONS if s.name == source_name)
            while True:
                # return_immediately (deprecated for Pub/Sub, honoured by the emulator): an empty
                # subscription answers at once instead of long-polling for ~10 s.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    response = subscriber.pull(
                        request={"subscription": hold, "max_messages": 100, "return_immediately": True}, timeout=10
                    )
                if not response.received_messages:
                    break
                for received in response.received_messages:
                    message = received.message
                    attributes = dict(message.attributes)
                    event = pubsub_event(
                        topology.project,
                        emulated_topic(source),
                        source.name,
                        message.message_id,
                        message.data,
                        {k: v for k, v in attributes.items() if not k.startswith(DEAD_LETTER_ATTRIBUTE_PREFIX)},
                    )
                    data = event.pop("data")
                    write_dead_letter(
                        dead_letter_dir,
                        subscription=source.name,
                        function=source.function,
                        function_url=function_urls.get(source.function),
                        attributes=event,
                        data=data,
                        attempts=int(attributes.get(DELIVERY_COUNT_ATTRIBUTE, "0") or 0),
                        last_error={"status": None, "body": "dead-lettered by Pub/Sub"},
                    )
                    moved += 1
                subscriber.acknowledge(
                    request={"subscription": hold, "ack_ids": [r.ack_id for r in response.received_messages]},
                    timeout=10,
                )
    finally:
        subscriber.close()
    return moved


def wait_for_dead_letters(
    topology: PubSubTopology, dead_letter_dir: Path, function_urls: Mapping[str, str], expected: int, timeout: float
) -> int:
    """Drain until at least `expected` dead letters are on disk or `timeout` passes; returns the count."""
    deadline = time.monotonic() + timeout
    while True:
        drain_dead_letters(topology, dead_letter_dir, function_urls)
        count = len(list(dead_letter_dir.glob("*.json"))) if dead_letter_dir.exists() else 0
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.25)
