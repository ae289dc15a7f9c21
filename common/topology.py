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
