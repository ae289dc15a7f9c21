"""Normalized bucket finalize entry point: upsert into Postgres and the warehouse."""

import functions_framework
from cloudevents.http import CloudEvent

from common.entrypoints import handle_load_event


@functions_framework.cloud_event
def load(event: CloudEvent) -> None:
    handle_load_event(event)
