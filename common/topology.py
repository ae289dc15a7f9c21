"""The event topology, declared once: topics, buckets and which function each event reaches.

The local router, the emulator setup and the Terraform checks all read this module.
"""

from __future__ import annotations

from dataclasses import dataclass

INGESTION_TOPIC = "ingestion-jobs"
RAW_BUCKET_ROLE = "raw"
NORMALIZED_BUCKET_ROLE = "normalized"
MAX_DELIVERY_ATTEMPTS = 3


@dataclass(frozen=True)
class Function:
    name: str  # directory under functions/
    target: str  # entry point inside main.py
    signature: str  # "http" | "cloudevent"


@dataclass(frozen=True)
class Subscription:
    """An event source delivered to one function, with its dead-letter destination."""

    name: str
    function: str
    topic: str | None = None  # a Pub/Sub topic ...
    bucket_role: str | None = None  # ... or finalize events of a bucket
    dead_letter_topic: str = ""
    max_delivery_attempts: int = MAX_DELIVERY_ATTEMPTS


FUNCTIONS: tuple[Function, ...] = (
    Function("api", "api", "http"),
    Function("ingest", "ingest", "cloudevent"),
    Function("extract", "extract", "cloudevent"),
    Function("load", "load", "cloudevent"),
)

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(
        "ingest-on-ingestion-jobs",
        function="ingest",
        topic=INGESTION_TOPIC,
        dead_letter_topic=f"{INGESTION_TOPIC}-dead-letter",
    ),
    Subscription(
        "extract-on-raw-finalize",
        function="extract",
        bucket_role=RAW_BUCKET_ROLE,
        dead_letter_topic="raw-finalize-dead-letter",
    ),
    Subscription(
        "load-on-normalized-finalize",
        function="load",
        bucket_role=NORMALIZED_BUCKET_ROLE,
        dead_letter_topic="normalized-finalize-dead-letter",
    ),
)


def function(name: str) -> Function:
    for fn in FUNCTIONS:
        if fn.name == name:
            return fn
    raise KeyError(name)


# --- delivery through Pub/Sub (emulated and cloud modes) --------------------------------------------
# Additive to the declaration above; terraform/topology.tf derives the same names.

NOTIFICATION_TOPIC_SUFFIX = "-finalize"
DEAD_LETTER_HOLD_SUFFIX = "-hold"


@dataclass(frozen=True)
class RetryPolicy:
    """Pub/Sub redelivers a nacked push after minimum_backoff, doubling up to maximum_backoff.

    Always set on push subscriptions: without one a failing push is retried at once, forever.
    """

    minimum_backoff_seconds: float = 10.0
    maximum_backoff_seconds: float = 600.0


CLOUD_RETRY_POLICY = RetryPolicy()
PUSH_ACK_DEADLINE_SECONDS = 600  # a push must be answered within this; the functions' timeout is below it


def notification_topic(bucket_role: str) -> str:
    """The topic a bucket's OBJECT_FINALIZE notifications (payload JSON_API_V1) are published to."""
    return f"{bucket_role}{NOTIFICATION_TOPIC_SUFFIX}"


def source_topic(sub: Subscription) -> str:
    """The topic a subscription reads: its own, or its bucket's notification topic."""
    if sub.topic:
        return sub.topic
    if sub.bucket_role is None:
        raise ValueError(f"subscription {sub.name} has neither a topic nor a bucket")
    return notification_topic(sub.bucket_role)


PUBSUB_MIN_DELIVERY_ATTEMPTS = 5  # Pub/Sub (and its emulator) refuse a DeadLetterPolicy below 5


def pubsub_max_delivery_attempts(sub: Subscription) -> int:
    """What a dead-letter policy can say. The code's own budget (MAX_DELIVERY_ATTEMPTS, counted in
    Postgres) ends a poison file's work first: FAILED and raised on attempt 3, acknowledged on 4."""
    return max(PUBSUB_MIN_DELIVERY_ATTEMPTS, sub.max_delivery_attempts)


def dead_letter_hold_subscription(sub: Subscription) -> str:
    """The pull subscription that keeps a dead-letter topic's events (a topic alone would drop them)."""
    return f"{sub.dead_letter_topic}{DEAD_LETTER_HOLD_SUFFIX}"


def subscription(name: str) -> Subscription:
    for sub in SUBSCRIPTIONS:
        if sub.name == name:
            return sub
    raise KeyError(name)
