"""Pub/Sub `ingestion-jobs` entry point: fetch an account's files into the raw bucket."""

import functions_framework
from cloudevents.http import CloudEvent

from common.entrypoints import handle_ingest_event


@functions_framework.cloud_event
def ingest(event: CloudEvent) -> None:
    handle_ingest_event(event)
