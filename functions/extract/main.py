"""Raw bucket finalize entry point: classify, extract, validate, write the normalized object."""

import functions_framework
from cloudevents.http import CloudEvent

from common.entrypoints import handle_extract_event


@functions_framework.cloud_event
def extract(event: CloudEvent) -> None:
    handle_extract_event(event)
