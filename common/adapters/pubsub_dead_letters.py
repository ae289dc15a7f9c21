"""The DeadLetterStore port on Pub/Sub: the dead-letter topics' ``-hold`` pull subscriptions.

Pub/Sub forwards an event to its subscription's dead-letter topic after the last delivery attempt;
each dead-letter topic has a ``<topic>-hold`` pull subscription (terraform/pubsub.tf, and
local/emulators/pubsub.py in the emulated mode) that keeps it until someone looks. This adapter:

- lists by pulling every hold subscription WITHOUT acknowledging: it keeps pulling (the messages it
  holds are invisible to a second pull) until a pull comes back empty, then hands every message back
  at once with a modifyAckDeadline of 0. Listing therefore changes nothing (Pub/Sub counts no delivery
  attempts on a subscription without a dead-letter policy), but for the moment of a listing a
  concurrent listing may not see the same messages;
- reconstructs each message as the CloudEvent the function was pushed (``messagePublished``: the
  attributes and the base64 data, the source topic in ``source``), which common/events.py decodes and
  common/core/dead_letters.reopen_for understands;
- redelivers by publishing the message's data and attributes again to the topic the source
  subscription reads, waiting for Pub/Sub to accept each message, and only then acknowledging the held
  copy. A failed publish leaves the held copy where it was.

The clients are built on first use and cached; against the emulator (``PUBSUB_EMULATOR_HOST``) they
talk over an insecure gRPC channel to that loopback address, without credentials.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from common.adapters.pubsub import PUBLISH_TIMEOUT_SECONDS, publisher_client
from common.errors import RetryableError
from common.events import PUBSUB_PUBLISHED, pubsub_event
from common.logs import log
from common.models import DeadLetter
from common.ports import DeadLetterStore
from common.topology import SUBSCRIPTIONS, Subscription, dead_letter_hold_subscription, source_topic

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient

# Attributes Pub/Sub adds when it dead-letters a message; they are not part of the original event.
DEAD_LETTER_ATTRIBUTE_PREFIX = "CloudPubSubDeadLetter"
DELIVERY_COUNT_ATTRIBUTE = "CloudPubSubDeadLetterSourceDeliveryCount"
PULL_BATCH = 100
RPC_TIMEOUT_SECONDS = 30.0


def subscriber_client(emulator_host: str | None) -> SubscriberClient:
    from google.cloud import pubsub_v1

    if not emulator_host:
        return pubsub_v1.SubscriberClient()
    import grpc
    from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

    transport = SubscriberGrpcTransport(channel=grpc.insecure_channel(emulator_host))
    return pubsub_v1.SubscriberClient(transport=transport)


@dataclass(frozen=True)
class _Held:
    """One held message, pulled and not yet handed back."""

    hold: str  # the hold subscription's short name
    hold_path: str
    ack_id: str
    source: Subscription
    message_id: str
    data: bytes
    attributes: dict[str, str]
    publish_time: datetime | None

    @property
    def id(self) -> str:
        return f"{self.hold}:{self.message_id}"

    @property
    def original_attributes(self) -> dict[str, str]:
        return {k: v for k, v in self.attributes.items() if not k.startswith(DEAD_LETTER_ATTRIBUTE_PREFIX)}


class PubSubDeadLetterStore(DeadLetterStore):
    def __init__(
        self,
        project: str,
        *,
        emulator_host: str | None = None,
        subscriptions: Sequence[Subscription] = SUBSCRIPTIONS,
    ) -> None:
        self.project = project
        self.emulator_host = emulator_host
        self.subscriptions = tuple(subscriptions)
        self._subscriber_: SubscriberClient | None = None
        self._publisher_: PublisherClient | None = None
        self._topics: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PubSubDeadLetterStore(project={self.project!r}, emulator_host={self.emulator_host!r})"

    # --- clients ------------------------------------------------------------------------------------

    def _subscriber(self) -> SubscriberClient:
        with self._lock:
            if self._subscriber_ is None:
                self._subscriber_ = subscriber_client(self.emulator_host)
            return self._subscriber_

    def _publisher(self) -> PublisherClient:
        with self._lock:
            if self._publisher_ is None:
                self._publisher_ = publisher_client(self.emulator_host)
            return self._publisher_

    def close(self) -> None:
        with self._lock:
            if self._publisher_ is not None:
                self._publisher_.stop()
                self._publisher_ = None
            if self._subscriber_ is not None:
                self._subscriber_.close()
                self._subscriber_ = None

    # --- topology -----------------------------------------------------------------------------------

    def _source_topic(self, sub: Subscription) -> str:
        """The topic the source subscription reads, where a replayed event is published again.

        In the cloud that is common/topology.source_topic. The emulated topology differs (fake-gcs-server
        publishes every bucket's notifications to one topic: local/emulators/pubsub.py), so against the
        emulator the source subscription itself is asked.
        """
        if not self.emulator_host:
            return source_topic(sub)
        with self._lock:
            cached = self._topics.get(sub.name)
        if cached is None:
            subscriber = self._subscriber()
            path = subscriber.subscription_path(self.project, sub.name)
            topic_path = str(subscriber.get_subscription(subscription=path, timeout=RPC_TIMEOUT_SECONDS).topic)
            cached = topic_path.rsplit("/", 1)[-1]
            with self._lock:
                self._topics[sub.name] = cached
        return cached

    # --- pulling ------------------------------------------------------------------------------------

    def _pull_all(self) -> list[_Held]:
        """Every held message of every hold subscription, leased to this call until _release/_ack."""
        from google.api_core import exceptions as gexc

        subscriber = self._subscriber()
        held: list[_Held] = []
        try:
            for sub in self.subscriptions:
                hold = dead_letter_hold_subscription(sub)
                path = subscriber.subscription_path(self.project, hold)
                seen: set[str] = set()
                while True:
                    # return_immediately is deprecated for Pub/Sub (honoured by the emulator, and by
                    # Pub/Sub still): an empty subscription answers at once instead of long-polling.
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", DeprecationWarning)
                        response = subscriber.pull(
                            request={"subscription": path, "max_messages": PULL_BATCH, "return_immediately": True},
                            timeout=RPC_TIMEOUT_SECONDS,
                        )
                    if not response.received_messages:
                        break
                    for received in response.received_messages:
                        message = received.message
                        item = _Held(
                            hold=hold,
                            hold_path=path,
                            ack_id=received.ack_id,
                            source=sub,
                            message_id=str(message.message_id),
                            data=bytes(message.data),
                            attributes={str(k): str(v) for k, v in message.attributes.items()},
                            publish_time=_as_datetime(message.publish_time),
                        )
                        if item.message_id in seen:  # redelivered to us within the listing: keep one
                            self._modify(path, [item.ack_id], 0)
                            continue
                        seen.add(item.message_id)
                        held.append(item)
        except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
            self._release(held)
            raise RetryableError(f"dead-letter subscriptions unreachable: {exc}", "bus_unavailable") from exc
        except BaseException:
            self._release(held)
            raise
        return held

    def _modify(self, path: str, ack_ids: list[str], seconds: int) -> None:
        if ack_ids:
            self._subscriber().modify_ack_deadline(
                request={"subscription": path, "ack_ids": ack_ids, "ack_deadline_seconds": seconds},
                timeout=RPC_TIMEOUT_SECONDS,
            )

    def _by_subscription(self, held: Sequence[_Held]) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for item in held:
            groups.setdefault(item.hold_path, []).append(item.ack_id)
        return groups

    def _release(self, held: Sequence[_Held]) -> None:
        """Hand the messages back at once (modifyAckDeadline 0): they stay held."""
        for path, ack_ids in self._by_subscription(held).items():
            try:
                self._modify(path, ack_ids, 0)
            except Exception as exc:  # noqa: BLE001 - the lease ends on its own after the ack deadline
                log("WARNING", "could not hand dead letters back", subscription=path, error=repr(exc))

    def _ack(self, held: Sequence[_Held]) -> None:
        for path, ack_ids in self._by_subscription(held).items():
            self._subscriber().acknowledge(
                request={"subscription": path, "ack_ids": ack_ids}, timeout=RPC_TIMEOUT_SECONDS
            )

    # --- the port -----------------------------------------------------------------------------------

    def _letter(self, item: _Held) -> DeadLetter:
        event = pubsub_event(
            self.project,
            self._source_topic(item.source),
            item.source.name,
            item.message_id,
            item.data,
            item.original_attributes,
        )
        return DeadLetter(
            id=item.id,
            subscription=item.source.name,
            function=item.source.function,
            attempts=int(item.attributes.get(DELIVERY_COUNT_ATTRIBUTE) or 0),
            dead_lettered_at=item.publish_time.isoformat() if item.publish_time else None,
            last_error={"status": None, "body": "dead-lettered by Pub/Sub"},
            event_type=PUBSUB_PUBLISHED,
            subject=event.get("subject"),
            cloud_event=event,
        )

    def list(self) -> list[DeadLetter]:
        held = self._pull_all()
        try:
            return [self._letter(item) for item in held]
        finally:
            self._release(held)

    def redeliver(self, dead_letter_ids: Sequence[str]) -> dict[str, int]:
        """Publish each held event again to its source topic, then acknowledge the held copy.

        ``succeeded`` counts events Pub/Sub accepted again (the publish future resolved): delivery to
        the function is asynchronous, with the subscription's full attempt budget, and an event that
        fails again comes back to the hold subscription. An id no longer held (replayed or listed by
        someone else just now) counts as failed. Replaying an id twice therefore publishes it once.
        """
        from google.api_core import exceptions as gexc

        wanted = list(dict.fromkeys(dead_letter_ids))
        held = self._pull_all()
        chosen = [item for item in held if item.id in wanted]
        self._release([item for item in held if item.id not in wanted])
        publisher = self._publisher()
        published: list[_Held] = []
        failed = len(wanted) - len(chosen)
        try:
            topics = {item.id: publisher.topic_path(self.project, self._source_topic(item.source)) for item in chosen}
            futures = [
                (item, publisher.publish(topics[item.id], item.data, **item.original_attributes)) for item in chosen
            ]
            for item, future in futures:
                try:
                    future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
                except Exception:  # noqa: BLE001 - counted as failed; the held copy stays for another try
                    failed += 1
                    continue
                published.append(item)
            try:
                self._ack(published)
            except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
                # Published but still held: a later replay publishes it again, which is idempotent.
                log("WARNING", "replayed dead letters not acknowledged", error=repr(exc))
        finally:
            self._release([item for item in chosen if item not in published])
        return {"replayed": len(wanted), "succeeded": len(published), "failed": failed}


def _as_datetime(value: Any) -> datetime | None:
    """The message's publish time (a DatetimeWithNanoseconds, or a protobuf Timestamp), aware UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    to_datetime = getattr(value, "ToDatetime", None)
    if to_datetime is not None:
        converted: datetime = to_datetime(tzinfo=UTC)
        return converted
    return None
