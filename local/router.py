"""Local event router: the embedded stand-in for Pub/Sub push subscriptions and GCS notifications.

It speaks just enough of the Pub/Sub REST publish API and a GCS "object finalized" notification
endpoint to turn them into CloudEvents, and pushes those (binary HTTP mode, as Eventarc does) to the
functions running under functions-framework. Delivery mirrors the cloud contract the functions are
written against: at least once, unordered, a bounded number of attempts with backoff, then a dead
letter on disk that can be replayed.

Endpoints:
  POST /v1/projects/<project>/topics/<topic>:publish  Pub/Sub publish body -> {"messageIds": [...]}
  POST /storage/v1/b/<bucket>/finalize                GCS object resource -> 202
  GET  /v1/status                                     {"in_flight", "delivered", "dead_lettered"}
  POST /v1/replay                                     optional {"ids": [...]} -> replay counts

Run standalone with ``python -m local.router --port N --config FILE``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import heapq
import itertools
import json
import logging
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import requests
from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from common.events import PUBSUB_PUBLISHED, STORAGE_FINALIZED
from common.topology import (
    MAX_DELIVERY_ATTEMPTS,
    NORMALIZED_BUCKET_ROLE,
    RAW_BUCKET_ROLE,
    SUBSCRIPTIONS,
    Subscription,
)

# CloudEvents extension names must be lowercase alphanumerics; binary mode sends it as a header
# (ce-deliveryattempt), so functions-framework hands it to the function as a *string*.
DELIVERY_ATTEMPT_EXTENSION = "deliveryattempt"
DEFAULT_BACKOFF_SECONDS: tuple[float, ...] = (0.5, 1.0)
ERROR_BODY_LIMIT = 2048
LOOPBACK = "127.0.0.1"

_logger = logging.getLogger("minimeter.router")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


# --- logging ----------------------------------------------------------------------------------


class _StderrLineHandler(logging.Handler):
    """Writes each record's message as one line to the *current* sys.stderr.

    Resolving sys.stderr at emit time keeps output visible to test capture and to a CLI that
    redirects stderr after the router was imported.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging must never break delivery
            self.handleError(record)


def configure_logging() -> None:
    """Send the router's JSON lines to stderr once, unless the host process already set a handler."""
    if not _logger.handlers:
        handler = _StderrLineHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        _logger.addHandler(handler)
        _logger.setLevel(logging.INFO)
        _logger.propagate = False


def _log(severity: str, message: str, **fields_: Any) -> None:
    entry = {
        "severity": severity,
        "message": message,
        "component": "event-router",
        **fields_,
    }
    _logger.log(logging.getLevelName(severity), json.dumps(entry, default=str))


def _now() -> datetime:
    return datetime.now(UTC)


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RouterConfig:
    """Everything the router needs; loadable from the JSON file the local stack writes."""

    project: str
    buckets: dict[str, str]  # bucket role (topology) -> bucket name
    function_urls: dict[str, str]  # function name (topology) -> URL serving it
    dead_letter_dir: Path
    max_delivery_attempts: int = MAX_DELIVERY_ATTEMPTS
    backoff_seconds: tuple[float, ...] = DEFAULT_BACKOFF_SECONDS  # wait before attempt 2, 3, ...
    delivery_timeout: float = 300.0
    port: int = 0  # 0 picks a free port
    workers: int = 16
    subscriptions: tuple[Subscription, ...] = field(default=SUBSCRIPTIONS, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dead_letter_dir", Path(self.dead_letter_dir))
        object.__setattr__(self, "backoff_seconds", tuple(float(s) for s in self.backoff_seconds))
        object.__setattr__(self, "buckets", dict(self.buckets))
        object.__setattr__(self, "function_urls", dict(self.function_urls))
        if self.max_delivery_attempts < 1:
            raise ValueError("max_delivery_attempts must be at least 1")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if any(s < 0 for s in self.backoff_seconds):
            raise ValueError("backoff_seconds must not be negative")
        if self.delivery_timeout <= 0:
            raise ValueError("delivery_timeout must be positive")

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RouterConfig:
        """Build from JSON-shaped data; unknown keys are errors so a typo never passes silently."""
        allowed = {f.name for f in fields(cls)} - {"subscriptions"}
        unknown = set(raw) - allowed
        if unknown:
            raise ValueError(f"unknown router config keys: {sorted(unknown)}")
        values = dict(raw)
        if "dead_letter_dir" in values:
            values["dead_letter_dir"] = Path(values["dead_letter_dir"])
        if "backoff_seconds" in values:
            values["backoff_seconds"] = tuple(values["backoff_seconds"])
        return cls(**values)

    @classmethod
    def from_json_file(cls, path: Path | str) -> RouterConfig:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "buckets": dict(self.buckets),
            "function_urls": dict(self.function_urls),
            "dead_letter_dir": str(self.dead_letter_dir),
            "max_delivery_attempts": self.max_delivery_attempts,
            "backoff_seconds": list(self.backoff_seconds),
            "delivery_timeout": self.delivery_timeout,
            "port": self.port,
            "workers": self.workers,
        }

    @classmethod
    def from_settings(cls, settings: Any, function_urls: Mapping[str, str], **overrides: Any) -> RouterConfig:
        """Derive project, buckets and dead-letter dir from ``common.config.Settings``."""
        values: dict[str, Any] = {
            "project": settings.gcp_project,
            "buckets": {
                RAW_BUCKET_ROLE: settings.raw_bucket,
                NORMALIZED_BUCKET_ROLE: settings.normalized_bucket,
            },
            "function_urls": dict(function_urls),
            "dead_letter_dir": settings.dead_letter_dir,
        }
        values.update(overrides)
        return cls(**values)

    def backoff_before(self, attempt: int) -> float:
        return backoff_before(self.backoff_seconds, attempt)


def backoff_before(backoff_seconds: Sequence[float], attempt: int) -> float:
    """Delay before ``attempt`` (2, 3, ...); the last value repeats when the list is short."""
    if attempt <= 1 or not backoff_seconds:
        return 0.0
    return float(backoff_seconds[min(attempt - 2, len(backoff_seconds) - 1)])


# --- errors -----------------------------------------------------------------------------------


class RouterError(Exception):
    """A request the router refuses, mapped to a Google-style JSON error."""

    code = 400
    status = "INVALID_ARGUMENT"


class NotFoundError(RouterError):
    code = 404
    status = "NOT_FOUND"


# --- one delivery attempt ---------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    status: int | None  # HTTP status, None when no response arrived
    body: str  # first ERROR_BODY_LIMIT characters of the response body or the transport error

    def as_error(self) -> dict[str, Any]:
        return {"status": self.status, "body": self.body}


def _event_for_attempt(attributes: Mapping[str, Any], data: Any, attempt: int) -> tuple[dict[str, str], Any]:
    """Stamp the attempt number where Pub/Sub and Eventarc put it: data and an extension."""
    attrs = {key: str(value) for key, value in attributes.items()}
    attrs[DELIVERY_ATTEMPT_EXTENSION] = str(attempt)
    if attrs.get("type") == PUBSUB_PUBLISHED and isinstance(data, dict):
        data = {**data, "deliveryAttempt": attempt}
    return attrs, data


def deliver_once(
    url: str | None,
    attributes: Mapping[str, Any],
    data: Any,
    attempt: int,
    timeout: float,
) -> AttemptResult:
    """POST one CloudEvent in binary mode; only a 2xx response acknowledges it."""
    if not url:
        return AttemptResult(False, None, "no URL configured for the subscribed function")
    attrs, payload = _event_for_attempt(attributes, data, attempt)
    headers, body = to_binary(CloudEvent(attrs, payload))
    try:
        with requests.Session() as session:
            session.trust_env = False  # never route loopback traffic through a proxy from env
            response = session.post(url, headers=headers, data=body, timeout=timeout)
    except requests.RequestException as exc:
        return AttemptResult(False, None, f"{type(exc).__name__}: {exc}"[:ERROR_BODY_LIMIT])
    text = response.content[:ERROR_BODY_LIMIT].decode("utf-8", errors="replace")
    return AttemptResult(200 <= response.status_code < 300, response.status_code, text)


def _log_attempt(subscription: str, event_id: str, attempt: int, result: AttemptResult, final: bool) -> None:
    if result.ok:
        severity, message = "INFO", "event delivered"
    elif final:
        severity, message = "ERROR", "event delivery failed; dead-lettering"
    else:
        severity, message = "WARNING", "event delivery failed; will retry"
    _log(
        severity,
        message,
        subscription=subscription,
        event_id=event_id,
        attempt=attempt,
        status=result.status,
        **({} if result.ok else {"error": result.body[:200]}),
    )


# --- dead letters -----------------------------------------------------------------------------


def dead_letter_path(dead_letter_dir: Path, subscription: str, event_id: str) -> Path:
    return Path(dead_letter_dir) / (f"{_SAFE_NAME.sub('_', subscription)}-{_SAFE_NAME.sub('_', event_id)}.json")


def _write_json_atomically(path: Path, payload: Mapping[str, Any]) -> None:
    """Write via rename so a concurrent replay never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2, default=str)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dead_letter(
    dead_letter_dir: Path,
    *,
    subscription: str,
    function: str,
    function_url: str | None,
    attributes: Mapping[str, Any],
    data: Any,
    attempts: int,
    last_error: Mapping[str, Any],
    replays: int = 0,
) -> Path:
    """Persist an undeliverable event with everything needed to replay it later."""
    event_id = str(attributes["id"])
    path = dead_letter_path(dead_letter_dir, subscription, event_id)
    record = {
        "id": event_id,
        "subscription": subscription,
        "function": function,
        "function_url": function_url,
        "cloud_event": {**attributes, "data": data},
        "attempts": attempts,
        "last_error": dict(last_error),
        "dead_lettered_at": _rfc3339(_now()),
        "replays": replays,
    }
    _write_json_atomically(path, record)
    return path


def list_dead_letters(dead_letter_dir: Path) -> list[dict[str, Any]]:
    """Every readable dead letter, oldest file first, each with its ``path``."""
    directory = Path(dead_letter_dir)
    if not directory.is_dir():
        return []
    records = []
    for path in sorted(directory.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name)):
        if path.name.startswith(".tmp-"):
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _log("ERROR", "unreadable dead letter", path=str(path), error=str(exc))
            continue
        record["path"] = str(path)
        records.append(record)
    return records


def _function_of(subscription_name: str) -> str | None:
    for sub in SUBSCRIPTIONS:
        if sub.name == subscription_name:
            return sub.function
    return None


def _replay_one(
    record: Mapping[str, Any],
    resolve_url: Callable[[str], str | None] | None,
    max_delivery_attempts: int,
    backoff_seconds: Sequence[float],
    delivery_timeout: float,
) -> bool:
    """Redeliver one dead letter with a fresh attempt budget; remove it on success."""
    path = Path(record["path"])
    subscription = str(record.get("subscription", ""))
    function = str(record.get("function") or _function_of(subscription) or "")
    url: str | None = None
    if resolve_url is not None and function:
        try:
            url = resolve_url(function)
        except KeyError:
            url = None
    url = url or record.get("function_url")
    event = dict(record["cloud_event"])
    data = event.pop("data", None)
    event.pop(DELIVERY_ATTEMPT_EXTENSION, None)
    event_id = str(event.get("id", record.get("id", "")))
    result = AttemptResult(False, None, "not attempted")
    for attempt in range(1, max_delivery_attempts + 1):
        time.sleep(backoff_before(backoff_seconds, attempt))
        result = deliver_once(url, event, data, attempt, delivery_timeout)
        final = attempt == max_delivery_attempts
        _log_attempt(subscription, event_id, attempt, result, final and not result.ok)
        if result.ok:
            path.unlink(missing_ok=True)
            _log(
                "INFO",
                "dead letter replayed",
                subscription=subscription,
                event_id=event_id,
            )
            return True
    write_dead_letter(
        path.parent,
        subscription=subscription,
        function=function,
        function_url=url,
        attributes=event,
        data=data,
        attempts=max_delivery_attempts,
        last_error=result.as_error(),
        replays=int(record.get("replays", 0)) + 1,
    )
    return False


def _select_dead_letters(dead_letter_dir: Path, ids: Iterable[str] | None) -> list[dict[str, Any]]:
    records = list_dead_letters(dead_letter_dir)
    if ids is None:
        return records
    wanted = set(ids)
    return [r for r in records if r.get("id") in wanted or Path(r["path"]).stem in wanted]


def _replay_records(
    records: Sequence[Mapping[str, Any]],
    resolve_url: Callable[[str], str | None] | None,
    max_delivery_attempts: int,
    backoff_seconds: Sequence[float],
    delivery_timeout: float,
    on_result: Callable[[bool], None] | None = None,
    workers: int = 8,
) -> dict[str, int]:
    def replay(record: Mapping[str, Any]) -> bool:
        try:
            ok = _replay_one(
                record,
                resolve_url,
                max_delivery_attempts,
                backoff_seconds,
                delivery_timeout,
            )
        except Exception as exc:  # noqa: BLE001 - a corrupt record must not stop the rest
            _log(
                "ERROR",
                "dead letter replay crashed",
                path=record.get("path"),
                error=repr(exc),
            )
            ok = False
        if on_result is not None:
            on_result(ok)
        return ok

    if not records:
        return {"replayed": 0, "succeeded": 0, "failed": 0}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(records)))) as pool:
        outcomes = list(pool.map(replay, records))
    succeeded = sum(outcomes)
    return {
        "replayed": len(outcomes),
        "succeeded": succeeded,
        "failed": len(outcomes) - succeeded,
    }


def replay_dead_letters(
    dead_letter_dir: Path,
    resolve_url: Callable[[str], str | None] | None = None,
    *,
    ids: Iterable[str] | None = None,
    max_delivery_attempts: int = MAX_DELIVERY_ATTEMPTS,
    backoff_seconds: Sequence[float] = DEFAULT_BACKOFF_SECONDS,
    delivery_timeout: float = 300.0,
) -> dict[str, int]:
    """Redeliver dead letters without a running router (functions are idempotent, so this is safe).

    ``resolve_url`` maps a function name (e.g. ``"extract"``) to where it listens now; when it is
    None, returns None or raises KeyError, the URL recorded in the dead letter is used. ``ids``
    selects by event id or file stem. Each event gets a fresh attempt budget; a success removes
    its file, a failure rewrites it with the new error. Returns replayed/succeeded/failed counts.
    """
    configure_logging()
    records = _select_dead_letters(dead_letter_dir, ids)
    return _replay_records(records, resolve_url, max_delivery_attempts, backoff_seconds, delivery_timeout)


# --- the router -------------------------------------------------------------------------------


@dataclass(eq=False)
class _Delivery:
    """One event on its way to one subscription."""

    subscription: Subscription
    function_url: str | None
    attributes: dict[str, str]
    data: Any
    attempts: int = 0
    last_error: dict[str, Any] = field(default_factory=dict)
    running: bool = False
    done: bool = False

    @property
    def event_id(self) -> str:
        return self.attributes["id"]


class _RetryScheduler:
    """Holds deliveries while they wait out their backoff, so no worker thread sleeps."""

    def __init__(self, submit: Callable[[_Delivery], None]) -> None:
        self._submit = submit
        self._heap: list[tuple[float, int, _Delivery]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="router-retries", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def schedule(self, delivery: _Delivery, delay: float) -> bool:
        with self._cond:
            if self._closed:
                return False
            due = time.monotonic() + delay
            heapq.heappush(self._heap, (due, next(self._order), delivery))
            self._cond.notify()
            return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                if self._closed:
                    return
                _, _, delivery = heapq.heappop(self._heap)
            self._submit(delivery)


class _QuietRequestHandler(WSGIRequestHandler):
    """Skip werkzeug's per-request access log: the router logs delivery outcomes instead."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class EventRouter:
    """The in-process bus: accepts publishes and finalize notifications, pushes CloudEvents.

    Use as a context manager, or ``start()`` (returns the base URL) and ``stop()``.
    """

    def __init__(self, config: RouterConfig) -> None:
        self.config = config
        self.app = self._build_app()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._active: set[_Delivery] = set()
        self._delivered = 0
        self._dead_lettered = 0
        self._replaying = 0
        self._ids = itertools.count(time.time_ns() // 1000)  # unique across restarts
        self._stopping = False
        self._executor: ThreadPoolExecutor | None = None
        self._scheduler: _RetryScheduler | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.url: str | None = None

    # lifecycle ---------------------------------------------------------------------------------

    def start(self) -> str:
        if self._server is not None:
            raise RuntimeError("router already started")
        configure_logging()
        self._stopping = False
        self._executor = ThreadPoolExecutor(max_workers=self.config.workers, thread_name_prefix="router-delivery")
        self._scheduler = _RetryScheduler(self._submit)
        self._scheduler.start()
        try:
            self._server = make_server(
                LOOPBACK,
                self.config.port,
                self.app,
                threaded=True,
                request_handler=_QuietRequestHandler,
            )
        except BaseException:
            self._scheduler.close()
            self._executor.shutdown(wait=False)
            self._scheduler = self._executor = None
            raise
        # A short poll interval keeps stop() fast (werkzeug's default waits up to 0.5 s).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="router-http",
            daemon=True,
        )
        self._thread.start()
        self.url = f"http://{LOOPBACK}:{self._server.server_port}"
        _log("INFO", "event router listening", url=self.url, project=self.config.project)
        return self.url

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, let running attempts finish briefly, dead-letter whatever is left.

        Nothing accepted is lost: an event still waiting for an attempt when the router stops
        becomes a dead letter that ``replay`` can deliver later.
        """
        if self._server is None:
            return
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        self._server.server_close()
        with self._lock:
            self._stopping = True
        if self._scheduler is not None:
            self._scheduler.close()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + timeout
        with self._idle:
            while any(d.running for d in self._active) and time.monotonic() < deadline:
                self._idle.wait(max(0.0, deadline - time.monotonic()))
            leftovers = [d for d in self._active if not d.running]
        for delivery in leftovers:
            if not delivery.last_error:
                delivery.last_error = {
                    "status": None,
                    "body": "router stopped before delivery",
                }
            self._dead_letter(delivery)
        self._server = None
        self._thread = None
        self._executor = None
        self._scheduler = None
        _log("INFO", "event router stopped", url=self.url)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # state -------------------------------------------------------------------------------------

    def status(self) -> dict[str, int]:
        with self._lock:
            return {
                "in_flight": len(self._active) + self._replaying,
                "delivered": self._delivered,
                "dead_lettered": self._dead_lettered,
            }

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until nothing is in flight; True when idle was reached before the timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._active or self._replaying:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    # ingress -----------------------------------------------------------------------------------

    def topics(self) -> set[str]:
        """Topics that exist: every subscribed topic and every dead-letter topic."""
        names = {s.topic for s in self.config.subscriptions if s.topic}
        names |= {s.dead_letter_topic for s in self.config.subscriptions if s.dead_letter_topic}
        return names

    def publish(
        self,
        topic: str,
        messages: Sequence[Mapping[str, Any]],
        project: str | None = None,
    ) -> list[str]:
        """Accept Pub/Sub REST messages (base64 ``data``, string ``attributes``); return their ids."""
        if (project is not None and project != self.config.project) or topic not in self.topics():
            raise NotFoundError(
                f"Resource not found (resource=projects/{project or self.config.project}/topics/{topic})."
            )
        if not isinstance(messages, list) or not messages:
            raise RouterError("messages must be a non-empty list")
        checked = [_checked_message(m) for m in messages]
        source = f"//pubsub.googleapis.com/projects/{self.config.project}/topics/{topic}"
        subscribers = [s for s in self.config.subscriptions if s.topic == topic]
        message_ids = []
        for message in checked:
            message_id = str(next(self._ids))
            published = _rfc3339(_now())
            message.update({"messageId": message_id, "publishTime": published})
            message_ids.append(message_id)
            for sub in subscribers:
                attributes = {
                    "specversion": "1.0",
                    "id": message_id,
                    "type": PUBSUB_PUBLISHED,
                    "source": source,
                    "time": published,
                    "datacontenttype": "application/json",
                }
                data = {
                    "message": dict(message),
                    "subscription": f"projects/{self.config.project}/subscriptions/{sub.name}",
                }
                self._accept(sub, attributes, data)
        return message_ids

    def notify_finalize(self, bucket: str, resource: Mapping[str, Any]) -> str:
        """Accept a GCS object resource as an OBJECT_FINALIZE notification; return the event id."""
        if bucket not in self.config.buckets.values():
            raise NotFoundError(f"The specified bucket does not exist: {bucket}")
        if not isinstance(resource, Mapping):
            raise RouterError("body must be a GCS object resource")
        name = resource.get("name")
        if not isinstance(name, str) or not name:
            raise RouterError("object resource needs a non-empty 'name'")
        if resource.get("bucket", bucket) != bucket:
            raise RouterError(f"object bucket {resource.get('bucket')!r} != path bucket {bucket!r}")
        data = {**resource, "bucket": bucket}
        event_id = str(next(self._ids))
        moment = resource.get("updated") or resource.get("timeCreated") or _rfc3339(_now())
        attributes = {
            "specversion": "1.0",
            "id": event_id,
            "type": STORAGE_FINALIZED,
            "source": f"//storage.googleapis.com/projects/_/buckets/{bucket}",
            "subject": f"objects/{name}",
            "time": str(moment),
            "datacontenttype": "application/json",
        }
        for sub in self.config.subscriptions:
            if sub.bucket_role and self.config.buckets.get(sub.bucket_role) == bucket:
                self._accept(sub, attributes, data)
        return event_id

    def replay(self, ids: Iterable[str] | None = None) -> dict[str, int]:
        """Redeliver this router's dead letters using the current function URLs."""
        records = _select_dead_letters(self.config.dead_letter_dir, ids)
        with self._lock:
            self._replaying += len(records)

        def on_result(ok: bool) -> None:
            with self._idle:
                self._replaying -= 1
                if ok:
                    self._delivered += 1
                self._idle.notify_all()

        return _replay_records(
            records,
            self.config.function_urls.get,
            self.config.max_delivery_attempts,
            self.config.backoff_seconds,
            self.config.delivery_timeout,
            on_result=on_result,
        )

    # delivery ----------------------------------------------------------------------------------

    def _accept(self, sub: Subscription, attributes: dict[str, str], data: Any) -> None:
        if self._executor is None:
            raise RouterError("router is not running")
        delivery = _Delivery(
            subscription=sub,
            function_url=self.config.function_urls.get(sub.function),
            attributes=dict(attributes),
            data=data,
        )
        with self._lock:
            self._active.add(delivery)
        self._submit(delivery)

    def _submit(self, delivery: _Delivery) -> None:
        executor = self._executor
        try:
            if executor is None:
                raise RuntimeError("executor gone")
            executor.submit(self._attempt, delivery)
        except RuntimeError:
            pass  # stopping: stop() dead-letters deliveries that never got to run

    def _attempt(self, delivery: _Delivery) -> None:
        with self._lock:
            if delivery.done:
                return
            delivery.running = True
            delivery.attempts += 1
            attempt = delivery.attempts
        try:
            result = deliver_once(
                delivery.function_url,
                delivery.attributes,
                delivery.data,
                attempt,
                self.config.delivery_timeout,
            )
        except Exception as exc:  # noqa: BLE001 - must still end in an ack or dead letter
            result = AttemptResult(False, None, f"router error: {exc!r}")
        final = attempt >= self.config.max_delivery_attempts or self._stopping
        _log_attempt(delivery.subscription.name, delivery.event_id, attempt, result, final)
        try:
            if result.ok:
                self._finish(delivery, delivered=True)
                return
            delivery.last_error = result.as_error()
            delay = self.config.backoff_before(attempt + 1)
            if final or self._scheduler is None or not self._scheduler.schedule(delivery, delay):
                self._dead_letter(delivery)
        finally:
            # Cleared only once the outcome is recorded, so stop() never races this thread.
            with self._idle:
                delivery.running = False
                self._idle.notify_all()

    def _finish(self, delivery: _Delivery, *, delivered: bool) -> bool:
        with self._idle:
            if delivery.done:
                return False
            delivery.done = True
            self._active.discard(delivery)
            if delivered:
                self._delivered += 1
            else:
                self._dead_lettered += 1
            self._idle.notify_all()
            return True

    def _dead_letter(self, delivery: _Delivery) -> None:
        with self._lock:
            if delivery.done:
                return
        attrs, data = _event_for_attempt(delivery.attributes, delivery.data, max(delivery.attempts, 1))
        try:
            path = write_dead_letter(
                self.config.dead_letter_dir,
                subscription=delivery.subscription.name,
                function=delivery.subscription.function,
                function_url=delivery.function_url,
                attributes=attrs,
                data=data,
                attempts=delivery.attempts,
                last_error=delivery.last_error,
            )
        except OSError as exc:
            _log(
                "ERROR",
                "could not write dead letter; event dropped",
                subscription=delivery.subscription.name,
                event_id=delivery.event_id,
                error=str(exc),
            )
            path = None
        if self._finish(delivery, delivered=False):
            _log(
                "ERROR",
                "event dead-lettered",
                subscription=delivery.subscription.name,
                event_id=delivery.event_id,
                attempt=delivery.attempts,
                status=delivery.last_error.get("status"),
                path=str(path) if path else None,
            )

    # HTTP ----------------------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("minimeter-event-router")

        @app.post("/v1/projects/<project>/topics/<topic>:publish")
        def publish(project: str, topic: str) -> Response:
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                raise RouterError("body must be a JSON object with 'messages'")
            ids = self.publish(topic, body.get("messages"), project=project)  # type: ignore[arg-type]
            return jsonify({"messageIds": ids})

        @app.post("/storage/v1/b/<bucket>/finalize")
        def finalize(bucket: str) -> tuple[Response, int]:
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                raise RouterError("body must be a GCS object resource (JSON object)")
            event_id = self.notify_finalize(bucket, body)
            return jsonify({"eventId": event_id}), 202

        @app.get("/v1/status")
        def status() -> Response:
            return jsonify(self.status())

        @app.post("/v1/replay")
        def replay() -> Response:
            raw = request.get_data()
            try:
                body = json.loads(raw) if raw.strip() else None
            except ValueError as exc:
                raise RouterError(f"body is not JSON: {exc}") from exc
            ids = None
            if body is not None:
                if not isinstance(body, dict):
                    raise RouterError("body must be a JSON object")
                ids = body.get("ids")
                if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
                    raise RouterError("'ids' must be a list of strings")
            return jsonify(self.replay(ids))

        @app.errorhandler(RouterError)
        def router_error(exc: RouterError) -> tuple[Response, int]:
            return _error_response(exc.code, exc.status, str(exc))

        @app.errorhandler(HTTPException)
        def http_error(exc: HTTPException) -> tuple[Response, int]:
            code = exc.code or 500
            return _error_response(code, _GOOGLE_STATUS.get(code, "UNKNOWN"), exc.description or "")

        @app.errorhandler(Exception)
        def unexpected(exc: Exception) -> tuple[Response, int]:
            _log("ERROR", "router request failed", path=request.path, error=repr(exc))
            return _error_response(500, "INTERNAL", "internal router error")

        return app


_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "INVALID_ARGUMENT",
    500: "INTERNAL",
}


def _error_response(code: int, status: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message, "status": status}}), code


def _checked_message(message: Any) -> dict[str, Any]:
    """Validate one publish message the way Pub/Sub does, before anything is enqueued."""
    if not isinstance(message, dict):
        raise RouterError("each message must be a JSON object")
    data = message.get("data", "")
    attributes = message.get("attributes") or {}
    if not isinstance(data, str):
        raise RouterError("message data must be a base64 string")
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RouterError(f"message data is not valid base64: {exc}") from exc
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        raise RouterError("message attributes must map strings to strings")
    if not data and not attributes:
        raise RouterError("a message needs data or at least one attribute")
    checked: dict[str, Any] = {"data": data, "attributes": dict(attributes)}
    if message.get("orderingKey"):
        checked["orderingKey"] = str(message["orderingKey"])
    return checked


def wait_until_idle(base_url: str, timeout: float = 60.0, poll: float = 0.05) -> dict[str, int]:
    """Poll a running router's status until nothing is in flight (for other processes)."""
    deadline = time.monotonic() + timeout
    with requests.Session() as session:
        session.trust_env = False
        while True:
            status: dict[str, int] = session.get(f"{base_url}/v1/status", timeout=5).json()
            if status["in_flight"] == 0:
                return status
            if time.monotonic() >= deadline:
                raise TimeoutError(f"event router still busy after {timeout}s: {status}")
            time.sleep(poll)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.router", description=__doc__)
    parser.add_argument("--config", required=True, type=Path, help="RouterConfig JSON file")
    parser.add_argument("--port", type=int, default=None, help="overrides the config; 0 = any")
    args = parser.parse_args(argv)
    config = RouterConfig.from_json_file(args.config)
    if args.port is not None:
        config = replace(config, port=args.port)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    router = EventRouter(config)
    router.start()
    try:
        stop.wait()
    finally:
        router.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
