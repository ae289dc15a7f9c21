"""The one CloudEvent decoder every function uses.

A storage finalize arrives either from Eventarc (`google.cloud.storage.object.v1.finalized`, the object
resource as data) or as a GCS notification delivered through Pub/Sub (`messagePublished` with
`eventType=OBJECT_FINALIZE` attributes and the object resource base64-encoded in the message).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from common.errors import PermanentError
from common.models import IngestRequested, StorageObject

STORAGE_FINALIZED = "google.cloud.storage.object.v1.finalized"
PUBSUB_PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished"


class CloudEventLike(Protocol):
    data: Any

    def __getitem__(self, key: str) -> Any: ...

    def get(self, key: str, default: Any = None) -> Any: ...


@dataclass(frozen=True)
class PubSubMessage:
    data: bytes
    attributes: dict[str, str]
    message_id: str | None
    delivery_attempt: int


def pubsub_event(
    project: str, topic: str, subscription: str, message_id: str, data: bytes, attributes: Mapping[str, str]
) -> dict[str, Any]:
    """A Pub/Sub message as Eventarc delivers it: the CloudEvent attributes and, under `data`, the push
    envelope. A GCS notification's object becomes the `subject`, as for a storage trigger."""
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": message_id,
        "type": PUBSUB_PUBLISHED,
        "source": f"//pubsub.googleapis.com/projects/{project}/topics/{topic}",
        "datacontenttype": "application/json",
    }
    if attributes.get("objectId"):
        event["subject"] = f"objects/{attributes['objectId']}"
    event["data"] = {
        "message": {
            "data": base64.b64encode(data).decode("ascii"),
            "attributes": dict(attributes),
            "messageId": message_id,
        },
        "subscription": f"projects/{project}/subscriptions/{subscription}",
    }
    return event


def _data_as_dict(event: CloudEventLike) -> dict[str, Any]:
    data = event.data
    if isinstance(data, (bytes, bytearray)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise PermanentError("event data is not JSON", "bad_event") from exc
    if not isinstance(data, dict):
        raise PermanentError("event data is not a JSON object", "bad_event")
    return data


def decode_pubsub(event: CloudEventLike) -> PubSubMessage:
    if event["type"] != PUBSUB_PUBLISHED:
        raise PermanentError(f"unexpected event type {event['type']!r}", "bad_event")
    envelope = _data_as_dict(event)
    message = envelope.get("message")
    if not isinstance(message, Mapping):
        raise PermanentError("Pub/Sub event without a message", "bad_event")
    try:
        payload = base64.b64decode(message.get("data") or b"", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PermanentError("Pub/Sub message data is not base64", "bad_event") from exc
    attributes = {str(k): str(v) for k, v in (message.get("attributes") or {}).items()}
    attempt = envelope.get("deliveryAttempt") or message.get("deliveryAttempt") or 1
    return PubSubMessage(
        data=payload,
        attributes=attributes,
        message_id=message.get("messageId") or message.get("message_id"),
        delivery_attempt=int(attempt),
    )


def _storage_object(resource: Mapping[str, Any]) -> StorageObject:
    try:
        return StorageObject(
            bucket=resource["bucket"],
            name=resource["name"],
            size=int(resource["size"]) if resource.get("size") is not None else None,
            content_type=resource.get("contentType"),
            metadata={str(k): str(v) for k, v in (resource.get("metadata") or {}).items()},
            generation=str(resource["generation"]) if resource.get("generation") else None,
        )
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise PermanentError(f"not a storage object resource: {exc}", "bad_event") from exc


def decode_storage_event(event: CloudEventLike) -> tuple[StorageObject, int]:
    """Return the finalized object and the delivery attempt (1 when the platform does not say)."""
    event_type = event["type"]
    if event_type == STORAGE_FINALIZED:
        attempt = int(event.get("deliveryattempt") or 1)
        return _storage_object(_data_as_dict(event)), attempt
    if event_type == PUBSUB_PUBLISHED:
        message = decode_pubsub(event)
        if message.attributes.get("eventType") != "OBJECT_FINALIZE":
            raise PermanentError(
                f"ignored storage notification {message.attributes.get('eventType')!r}",
                "ignored_event",
            )
        try:
            resource = json.loads(message.data)
        except ValueError as exc:
            raise PermanentError("notification payload is not JSON", "bad_event") from exc
        resource.setdefault("bucket", message.attributes.get("bucketId"))
        resource.setdefault("name", message.attributes.get("objectId"))
        return _storage_object(resource), message.delivery_attempt
    raise PermanentError(f"unexpected event type {event_type!r}", "bad_event")


def decode_ingest_request(event: CloudEventLike) -> tuple[IngestRequested, int]:
    message = decode_pubsub(event)
    try:
        return IngestRequested.model_validate_json(message.data), message.delivery_attempt
    except ValidationError as exc:
        raise PermanentError(f"invalid IngestRequested message: {exc}", "bad_message") from exc
