"""What each event function does between the platform and the core: decode, wire ports, map errors.

A PermanentError is logged and acknowledged (returning normally): redelivery cannot help. Anything
else propagates, the framework answers 500, and the platform retries, then dead-letters.
"""

from __future__ import annotations

from collections.abc import Callable

from common.connectors.registry import default_registry
from common.core.pipeline import run_extract, run_ingest, run_load
from common.errors import PermanentError
from common.events import CloudEventLike, decode_ingest_request, decode_storage_event
from common.logs import log
from common.ports import BillReader
from common.runtime import get_llm, get_ports


def _acknowledging_permanent(stage: str, event: CloudEventLike, work: Callable[[], object]) -> None:
    try:
        work()
    except PermanentError as exc:
        log(
            "WARNING",
            f"{stage}: event acknowledged without work: {exc.message}",
            stage=stage,
            reason_code=exc.reason_code,
            event_id=event.get("id"),
        )


def handle_ingest_event(event: CloudEventLike) -> None:
    def work() -> object:
        request, attempt = decode_ingest_request(event)
        ports = get_ports()
        return run_ingest(
            request, attempt, ports.stage_context(), ports.secrets, default_registry(), ports.settings.secret_name
        )

    _acknowledging_permanent("ingest", event, work)


def handle_extract_event(event: CloudEventLike) -> None:
    def work() -> object:
        obj, attempt = decode_storage_event(event)
        ports = get_ports()
        if obj.bucket != ports.settings.raw_bucket:
            raise PermanentError(f"extract ignores bucket {obj.bucket}", "ignored_event")
        llm = get_llm()
        reader = llm if isinstance(llm, BillReader) else None  # Gemini reads bills the templates cannot
        return run_extract(obj, attempt, ports.stage_context(), reader)

    _acknowledging_permanent("extract", event, work)


def handle_load_event(event: CloudEventLike) -> None:
    def work() -> object:
        obj, attempt = decode_storage_event(event)
        ports = get_ports()
        if obj.bucket != ports.settings.normalized_bucket:
            raise PermanentError(f"load ignores bucket {obj.bucket}", "ignored_event")
        return run_load(obj, attempt, ports.stage_context(), ports.warehouse)

    _acknowledging_permanent("load", event, work)
