"""The local event router against a real functions-framework subscriber on loopback.

The subscriber is a module written to tmp_path with a ``@functions_framework.cloud_event`` function,
served by ``functions_framework.create_app`` under werkzeug: it records every event it receives
(attributes, data, the raw request headers) and fails on demand, so the tests assert on what a
deployed function would actually see.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import functions_framework
import pytest
import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from common.events import PUBSUB_PUBLISHED, STORAGE_FINALIZED
from common.topology import INGESTION_TOPIC
from local.router import (
    EventRouter,
    RouterConfig,
    replay_dead_letters,
    wait_until_idle,
)

pytestmark = pytest.mark.timeout(60)

PROJECT = "test-project"
RAW_BUCKET = "test-raw"
NORMALIZED_BUCKET = "test-normalized"
TINY_BACKOFF = (0.01, 0.02)

SUBSCRIBER_SOURCE = '''
"""Test subscriber: records each CloudEvent, then behaves as the event's ``mode`` asks."""
import json
import pathlib
import threading
import time

import flask
import functions_framework

STATE = pathlib.Path({state_dir!r})
_lock = threading.Lock()
_calls = {{}}


def _mode(event):
    data = event.get_data() or {{}}
    if "message" in data:
        return (data["message"].get("attributes") or {{}}).get("mode", "ok")
    return (data.get("metadata") or {{}}).get("mode", "ok")


@functions_framework.cloud_event
def subscriber(event):
    record = {{
        "path": flask.request.path,
        "headers": {{k.lower(): v for k, v in flask.request.headers.items()}},
        "attributes": dict(event.get_attributes()),
        "data": event.get_data(),
    }}
    with _lock:
        with (STATE / "events.jsonl").open("a") as handle:
            handle.write(json.dumps(record) + "\\n")
        key = event["source"] + "|" + event["id"]
        _calls[key] = _calls.get(key, 0) + 1
        calls = _calls[key]
    mode = _mode(event)
    if mode == "flaky" and calls <= 2:
        raise RuntimeError("flaky: not yet")
    if mode == "broken" and not (STATE / "fixed").exists():
        flask.abort(503, "broken subscriber " + "x" * 5000)
    if mode == "slow":
        deadline = time.monotonic() + 10
        while not (STATE / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
'''


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@dataclass
class Subscriber:
    url: str
    state_dir: Path

    def events(self) -> list[dict[str, Any]]:
        log = self.state_dir / "events.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line]

    def fix(self) -> None:
        (self.state_dir / "fixed").touch()

    def release(self) -> None:
        (self.state_dir / "release").touch()


@pytest.fixture
def subscriber(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Subscriber]:
    """A functions-framework app serving the recording function on a loopback port."""
    state_dir = tmp_path / "subscriber"
    state_dir.mkdir()
    module_name = f"router_subscriber_{uuid.uuid4().hex}"
    source = tmp_path / f"{module_name}.py"
    source.write_text(SUBSCRIBER_SOURCE.format(state_dir=str(state_dir)))
    # create_app writes these env vars, extends sys.path and registers the module: undo it all.
    monkeypatch.setenv("FUNCTION_TARGET", "subscriber")
    monkeypatch.setenv("FUNCTION_SIGNATURE_TYPE", "cloudevent")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, module_name, raising=False)
    app = functions_framework.create_app("subscriber", str(source), signature_type="cloudevent")
    server = _serve(app)
    try:
        yield Subscriber(f"http://127.0.0.1:{server.server_port}", state_dir)
    finally:
        server.shutdown()
        server.server_close()
        sys.modules.pop(module_name, None)


def _serve(app: Any) -> BaseWSGIServer:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def _config(tmp_path: Path, function_urls: dict[str, str], **overrides: Any) -> RouterConfig:
    values: dict[str, Any] = {
        "project": PROJECT,
        "buckets": {"raw": RAW_BUCKET, "normalized": NORMALIZED_BUCKET},
        "function_urls": function_urls,
        "dead_letter_dir": tmp_path / "dead-letters",
        "backoff_seconds": TINY_BACKOFF,
        "delivery_timeout": 10.0,
    }
    values.update(overrides)
    return RouterConfig(**values)


def _urls(base: str) -> dict[str, str]:
    return {name: f"{base}/{name}" for name in ("ingest", "extract", "load")}


@pytest.fixture
def router(tmp_path: Path, subscriber: Subscriber) -> Iterator[EventRouter]:
    with EventRouter(_config(tmp_path, _urls(subscriber.url))) as running:
        yield running


def _http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def _publish(router: EventRouter, *messages: dict[str, Any], topic: str = INGESTION_TOPIC) -> Any:
    url = f"{router.url}/v1/projects/{PROJECT}/topics/{topic}:publish"
    with _http() as http:
        return http.post(url, json={"messages": list(messages)}, timeout=10)


def _message(data: bytes, **attributes: str) -> dict[str, Any]:
    return {"data": base64.b64encode(data).decode(), "attributes": attributes}


def _dead_letters(router: EventRouter) -> list[Path]:
    return sorted(router.config.dead_letter_dir.glob("*.json"))


def _replay(router: EventRouter, body: dict[str, Any] | None = None) -> dict[str, int]:
    with _http() as http:
        response = http.post(f"{router.url}/v1/replay", json=body, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, int] = response.json()
    return result


# --- Pub/Sub publish --------------------------------------------------------------------------


def test_publish_delivers_binary_pubsub_cloudevents(router: EventRouter, subscriber: Subscriber) -> None:
    payloads = [b'{"job_id": "j-1"}', bytes(range(256))]  # JSON and arbitrary bytes
    response = _publish(
        router,
        _message(payloads[0], job="j-1", kind="ingest"),
        _message(payloads[1], job="j-2"),
    )

    assert response.status_code == 200
    message_ids = response.json()["messageIds"]
    assert len(message_ids) == 2 and len(set(message_ids)) == 2
    assert router.url is not None
    assert wait_until_idle(router.url, timeout=10) == {
        "in_flight": 0,
        "delivered": 2,
        "dead_lettered": 0,
    }

    events = sorted(subscriber.events(), key=lambda e: e["attributes"]["id"])
    assert [e["attributes"]["id"] for e in events] == sorted(message_ids)
    for event, message_id in zip(events, message_ids, strict=True):
        attributes, data, headers = event["attributes"], event["data"], event["headers"]
        assert event["path"] == "/ingest"
        # Binary mode: attributes travel as ce-* headers, the body is the bare data.
        assert headers["ce-type"] == PUBSUB_PUBLISHED
        assert headers["content-type"] == "application/json"
        assert attributes["type"] == PUBSUB_PUBLISHED
        assert attributes["source"] == f"//pubsub.googleapis.com/projects/{PROJECT}/topics/{INGESTION_TOPIC}"
        assert attributes["specversion"] == "1.0"
        assert attributes["deliveryattempt"] == "1"  # extensions arrive as strings
        assert data["subscription"] == f"projects/{PROJECT}/subscriptions/ingest-on-ingestion-jobs"
        assert data["deliveryAttempt"] == 1
        assert data["message"]["messageId"] == message_id == attributes["id"]
        assert datetime.fromisoformat(data["message"]["publishTime"]).tzinfo is not None
        assert attributes["time"] == data["message"]["publishTime"]
    by_job = {e["data"]["message"]["attributes"]["job"]: e["data"]["message"] for e in events}
    assert by_job["j-1"]["attributes"] == {"job": "j-1", "kind": "ingest"}
    assert base64.b64decode(by_job["j-1"]["data"]) == payloads[0]
    assert base64.b64decode(by_job["j-2"]["data"]) == payloads[1]


def test_publish_rejects_unknown_topic_project_and_bad_bodies(
    router: EventRouter,
) -> None:
    unknown = _publish(router, _message(b"x"), topic="no-such-topic")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["status"] == "NOT_FOUND"
    assert "no-such-topic" in unknown.json()["error"]["message"]

    with _http() as http:
        other_project = http.post(
            f"{router.url}/v1/projects/elsewhere/topics/{INGESTION_TOPIC}:publish",
            json={"messages": [_message(b"x")]},
            timeout=10,
        )
        not_json = http.post(
            f"{router.url}/v1/projects/{PROJECT}/topics/{INGESTION_TOPIC}:publish",
            data=b"nope",
            timeout=10,
        )
        no_route = http.get(f"{router.url}/v1/nothing", timeout=10)
    assert other_project.status_code == 404
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == 400
    assert no_route.status_code == 404 and no_route.json()["error"]["code"] == 404

    for bad in ({"data": "***not base64***"}, {"attributes": {"n": 1}}, {}, "text"):
        response = _publish(router, bad)  # type: ignore[arg-type]
        assert response.status_code == 400, bad
        assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert _publish(router).status_code == 400  # no messages at all
    assert router.status() == {"in_flight": 0, "delivered": 0, "dead_lettered": 0}


def test_dead_letter_topic_exists_but_has_no_subscribers(router: EventRouter, subscriber: Subscriber) -> None:
    response = _publish(router, _message(b"x"), topic=f"{INGESTION_TOPIC}-dead-letter")
    assert response.status_code == 200
    assert router.wait_idle(5)
    assert subscriber.events() == []


# --- GCS finalize -----------------------------------------------------------------------------


@pytest.mark.parametrize(("bucket", "function"), [(RAW_BUCKET, "extract"), (NORMALIZED_BUCKET, "load")])
def test_finalize_delivers_storage_cloudevent_to_the_bucket_subscriber(
    router: EventRouter, subscriber: Subscriber, bucket: str, function: str
) -> None:
    resource = {
        "bucket": bucket,
        "name": "raw/c-1/a-1/abc123.pdf",
        "size": "1234",
        "contentType": "application/pdf",
        "metadata": {"job_id": "j-1", "utility_account_id": "a-1"},
        "generation": "1700000000000001",
        "md5Hash": "XrY7u+Ae7tCTyyK7j1rNww==",
        "timeCreated": "2024-05-01T12:00:00.000Z",
    }
    with _http() as http:
        response = http.post(f"{router.url}/storage/v1/b/{bucket}/finalize", json=resource)
    assert response.status_code == 202
    assert router.wait_idle(10)

    (event,) = subscriber.events()
    attributes = event["attributes"]
    assert event["path"] == f"/{function}"
    assert event["headers"]["ce-subject"] == "objects/raw/c-1/a-1/abc123.pdf"
    assert attributes["type"] == STORAGE_FINALIZED
    assert attributes["source"] == f"//storage.googleapis.com/projects/_/buckets/{bucket}"
    assert attributes["subject"] == "objects/raw/c-1/a-1/abc123.pdf"
    assert attributes["id"] == response.json()["eventId"]
    assert attributes["time"] == "2024-05-01T12:00:00.000Z"
    assert attributes["deliveryattempt"] == "1"
    assert event["data"] == resource


def test_finalize_rejects_unknown_bucket_and_bad_resources(router: EventRouter) -> None:
    with _http() as http:
        unknown = http.post(f"{router.url}/storage/v1/b/nope/finalize", json={"name": "a"})
        nameless = http.post(f"{router.url}/storage/v1/b/{RAW_BUCKET}/finalize", json={})
        mismatch = http.post(
            f"{router.url}/storage/v1/b/{RAW_BUCKET}/finalize",
            json={"bucket": NORMALIZED_BUCKET, "name": "a"},
        )
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"
    assert nameless.status_code == 400
    assert mismatch.status_code == 400


# --- retries, dead letters, replay ------------------------------------------------------------


def test_flaky_subscriber_is_retried_until_it_acks(router: EventRouter, subscriber: Subscriber) -> None:
    (message_id,) = _publish(router, _message(b"retry me", mode="flaky")).json()["messageIds"]
    assert router.wait_idle(10)

    attempts = [e for e in subscriber.events() if e["attributes"]["id"] == message_id]
    assert sorted(e["data"]["deliveryAttempt"] for e in attempts) == [1, 2, 3]
    assert sorted(e["attributes"]["deliveryattempt"] for e in attempts) == [
        "1",
        "2",
        "3",
    ]
    assert router.status() == {"in_flight": 0, "delivered": 1, "dead_lettered": 0}
    assert _dead_letters(router) == []


def test_failing_subscriber_is_dead_lettered_then_replayed(router: EventRouter, subscriber: Subscriber) -> None:
    payload = b'{"job_id": "j-9"}'
    (message_id,) = _publish(router, _message(payload, mode="broken")).json()["messageIds"]
    assert router.url is not None
    assert wait_until_idle(router.url, timeout=10) == {
        "in_flight": 0,
        "delivered": 0,
        "dead_lettered": 1,
    }
    assert len(subscriber.events()) == 3  # exactly max_delivery_attempts, then it stops

    (path,) = _dead_letters(router)
    assert path.name == f"ingest-on-ingestion-jobs-{message_id}.json"
    letter = json.loads(path.read_text())
    assert letter["id"] == message_id
    assert letter["subscription"] == "ingest-on-ingestion-jobs"
    assert letter["function_url"] == f"{subscriber.url}/ingest"
    assert letter["attempts"] == 3
    assert letter["last_error"]["status"] == 503
    assert "broken subscriber" in letter["last_error"]["body"]
    assert len(letter["last_error"]["body"]) <= 2048
    assert datetime.fromisoformat(letter["dead_lettered_at"]).tzinfo is not None
    cloud_event = letter["cloud_event"]
    assert cloud_event["type"] == PUBSUB_PUBLISHED
    assert cloud_event["id"] == message_id
    assert base64.b64decode(cloud_event["data"]["message"]["data"]) == payload
    assert cloud_event["data"]["message"]["attributes"] == {"mode": "broken"}

    subscriber.fix()
    assert _replay(router) == {"replayed": 1, "succeeded": 1, "failed": 0}
    assert _dead_letters(router) == []
    replayed = subscriber.events()[-1]
    assert replayed["attributes"]["id"] == message_id
    assert replayed["data"]["deliveryAttempt"] == 1  # a fresh attempt budget
    assert base64.b64decode(replayed["data"]["message"]["data"]) == payload

    assert _replay(router) == {"replayed": 0, "succeeded": 0, "failed": 0}
    assert len(subscriber.events()) == 4
    assert router.status() == {"in_flight": 0, "delivered": 1, "dead_lettered": 1}


def test_replay_function_without_router_keeps_failures_and_honours_ids(tmp_path: Path, subscriber: Subscriber) -> None:
    dead_dir = tmp_path / "dead-letters"
    with EventRouter(_config(tmp_path, _urls(subscriber.url))) as router:
        ids = [_publish(router, _message(str(n).encode(), mode="broken")).json()["messageIds"][0] for n in range(2)]
        assert router.wait_idle(10)
    assert len(list(dead_dir.glob("*.json"))) == 2

    still_broken = replay_dead_letters(dead_dir, backoff_seconds=TINY_BACKOFF, ids=[ids[0]])
    assert still_broken == {"replayed": 1, "succeeded": 0, "failed": 1}
    letter = json.loads((dead_dir / f"ingest-on-ingestion-jobs-{ids[0]}.json").read_text())
    assert letter["replays"] == 1 and letter["attempts"] == 3

    subscriber.fix()
    resolved: list[str] = []

    def resolve(function: str) -> str:
        resolved.append(function)
        return f"{subscriber.url}/moved"

    result = replay_dead_letters(dead_dir, resolve, backoff_seconds=TINY_BACKOFF)
    assert result == {"replayed": 2, "succeeded": 2, "failed": 0}
    assert resolved == ["ingest", "ingest"]
    assert list(dead_dir.glob("*.json")) == []
    assert [e["path"] for e in subscriber.events()[-2:]] == ["/moved", "/moved"]


def test_unreachable_function_is_dead_lettered_with_transport_error(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    urls = {"ingest": f"http://127.0.0.1:{closed_port}/"}
    with EventRouter(_config(tmp_path, urls)) as router:
        (message_id,) = _publish(router, _message(b"x")).json()["messageIds"]
        assert router.wait_idle(10)
        assert router.status() == {"in_flight": 0, "delivered": 0, "dead_lettered": 1}
    letter = json.loads(next((tmp_path / "dead-letters").glob("*.json")).read_text())
    assert letter["id"] == message_id
    assert letter["last_error"]["status"] is None
    assert "ConnectionError" in letter["last_error"]["body"]


def test_slow_subscriber_does_not_block_other_deliveries(router: EventRouter, subscriber: Subscriber) -> None:
    _publish(router, _message(b"slow", mode="slow"))
    (fast_id,) = _publish(router, _message(b"fast")).json()["messageIds"]

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and router.status()["delivered"] < 1:
        time.sleep(0.01)
    assert router.status() == {"in_flight": 1, "delivered": 1, "dead_lettered": 0}
    assert fast_id in {e["attributes"]["id"] for e in subscriber.events()}

    subscriber.release()
    assert router.wait_idle(10)
    assert router.status()["delivered"] == 2


def test_delivery_outcomes_are_logged_as_json_lines(
    router: EventRouter, subscriber: Subscriber, capsys: pytest.CaptureFixture[str]
) -> None:
    (message_id,) = _publish(router, _message(b"x", mode="flaky")).json()["messageIds"]
    assert router.wait_idle(10)

    # The subscriber's own tracebacks share stderr here; keep the router's JSON lines.
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    outcomes = [line for line in lines if line.get("event_id") == message_id]
    assert [(o["severity"], o["attempt"], o["status"]) for o in outcomes] == [
        ("WARNING", 1, 500),
        ("WARNING", 2, 500),
        ("INFO", 3, 200),
    ]
    assert {o["subscription"] for o in outcomes} == {"ingest-on-ingestion-jobs"}
    assert all(o["message"] for o in outcomes)


def test_stop_dead_letters_events_still_waiting_for_a_retry(tmp_path: Path, subscriber: Subscriber) -> None:
    config = _config(tmp_path, _urls(subscriber.url), backoff_seconds=(30.0,))
    router = EventRouter(config)
    router.start()
    try:
        (message_id,) = _publish(router, _message(b"x", mode="broken")).json()["messageIds"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not subscriber.events():
            time.sleep(0.01)
    finally:
        router.stop()
    (path,) = config.dead_letter_dir.glob("*.json")
    assert json.loads(path.read_text())["id"] == message_id
    assert router.status() == {"in_flight": 0, "delivered": 0, "dead_lettered": 1}


# --- configuration and the standalone process -------------------------------------------------


def test_config_round_trips_through_json(tmp_path: Path) -> None:
    config = _config(tmp_path, {"ingest": "http://127.0.0.1:1/"}, max_delivery_attempts=5)
    path = tmp_path / "router.json"
    path.write_text(json.dumps(config.to_dict()))

    loaded = RouterConfig.from_json_file(path)

    assert loaded == config
    assert loaded.backoff_before(1) == 0.0
    assert loaded.backoff_before(2) == TINY_BACKOFF[0]
    assert loaded.backoff_before(9) == TINY_BACKOFF[-1]
    with pytest.raises(ValueError, match="unknown router config keys"):
        RouterConfig.from_dict({**config.to_dict(), "retries": 3})


def test_standalone_router_process_serves_and_stops(tmp_path: Path) -> None:
    config_file = tmp_path / "router.json"
    config_file.write_text(json.dumps(_config(tmp_path, {}).to_dict()))
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local.router",
            "--port",
            "0",
            "--config",
            str(config_file),
        ],
        cwd=root,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = json.loads(process.stderr.readline())
        assert first["message"] == "event router listening"
        with _http() as http:
            status = http.get(f"{first['url']}/v1/status", timeout=5).json()
        assert status == {"in_flight": 0, "delivered": 0, "dead_lettered": 0}
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
