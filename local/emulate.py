"""The emulated stack: the cloud code path on this machine, every Google service a real emulator.

Same shape as the embedded LocalStack (and a subclass of it): each function runs under
functions-framework in its own process, the demo and the tests drive it through the API. What differs
is everything behind the ports — the functions run with ``MINIMETER_MODE=emulated`` and so use the
Google client libraries (common/adapters/gcs, pubsub, bigquery, secret_manager, cloudsql) against:

- the Pub/Sub emulator (jar), with the topology of common/topology.py: push subscriptions to the
  functions with dead-letter topic and max delivery attempts (no retry policy: the emulator's loses
  messages, see local/emulators/pubsub.py), ``-hold`` subscriptions;
- fake-gcs-server, publishing OBJECT_FINALIZE notifications into Pub/Sub;
- bqemulator (its own virtualenv) for the warehouse;
- Debian's PostgreSQL 15 (the Cloud SQL major version) in the data directory, on a loopback port;
- loopback stubs for Secret Manager (REST) and Gemini, reached through the real clients.

Dead letters are moved from the ``-hold`` subscriptions to ``<data dir>/dead-letters`` (the embedded
router's format). Everything listens on 127.0.0.1 and everything started is stopped on exit, push
subscriptions first.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from common.config import Settings
from common.topology import FUNCTIONS, function
from local.emulators.bigquery import BigQueryEmulator
from local.emulators.gcs import FakeGcsServer
from local.emulators.process import ServiceProcess, free_port
from local.emulators.pubsub import (
    EMULATOR_REDELIVERY_SECONDS,
    EMULATOR_STORAGE_TOPIC,
    PubSubEmulator,
    PubSubTopology,
    apply_topology,
    drain_dead_letters,
)
from local.emulators.stubs import GeminiStub, SecretManagerStub
from local.emulators.toolchain import EMULATOR_VENV, ensure_emulator_venv, postgres15_bin_dir
from local.postgres import LocalPostgres
from local.stack import (
    ADMIN_KEY_SECRET_NAME,
    DATABASE_NAME,
    SANDBOX_SECRET_NAME,
    LocalStack,
    ensure_local_secrets,
    wait_for_port,
)
from local.stack import admin_key as local_admin_key

EMULATED_PROJECT = "minimeter-emulated"
GEMINI_STUB_KEY = "emulated-gemini-key"


class UnavailableFunction(ThreadingHTTPServer):
    """A dead function's port; it counts what it refused, by message id, to explain a stalled test."""

    refused: Counter[str]
    accepted: int


def unavailable_function(port: int, acknowledge: Callable[[dict[str, Any]], bool] | None) -> UnavailableFunction:
    """A dead function's port: 503 to every push, except those `acknowledge` accepts (204)."""

    class Unavailable(BaseHTTPRequestHandler):
        server: UnavailableFunction

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                envelope = json.loads(body or b"{}")
            except ValueError:
                envelope = {}
            accepted = acknowledge is not None and isinstance(envelope, dict) and acknowledge(envelope)
            if accepted:
                self.server.accepted += 1
            else:
                message = envelope.get("message", {}) if isinstance(envelope, dict) else {}
                object_id = message.get("attributes", {}).get("objectId", "?") if isinstance(message, dict) else "?"
                self.server.refused[f"{message.get('messageId', '?')} {object_id}"] += 1
            self.send_response(204 if accepted else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    deadline = time.monotonic() + 10
    while True:
        try:  # the killed process group's listening socket may take a moment to go
            server = UnavailableFunction(("127.0.0.1", port), Unavailable)
            server.refused, server.accepted = Counter(), 0
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    threading.Thread(target=server.serve_forever, name=f"unavailable-{port}", daemon=True).start()
    return server


@dataclass
class EmulatedStack(LocalStack):
    """Start with `with EmulatedStack(data_dir) as stack:`; the same API as LocalStack."""

    project: str = EMULATED_PROJECT
    venv: Path = EMULATOR_VENV
    services: list[ServiceProcess] = field(default_factory=list)
    stubs: list[SecretManagerStub | GeminiStub] = field(default_factory=list)
    topology: PubSubTopology | None = None
    secret_stub: SecretManagerStub | None = None
    gemini_stub: GeminiStub | None = None
    timings: dict[str, float] = field(default_factory=dict)
    # True: wait_idle leaves dead letters on the -hold subscriptions, where the admin API
    # (PubSubDeadLetterStore) lists and replays them; stop() still moves what is left to files.
    hold_dead_letters: bool = False
    unavailable: dict[str, UnavailableFunction] = field(default_factory=dict)  # stopped functions' ports

    def _timed(self, name: str, started: float) -> None:
        self.timings[name] = round(time.monotonic() - started, 3)

    def start(self) -> None:
        begin = time.monotonic()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        logs = self.data_dir / "logs"
        logs.mkdir(exist_ok=True)
        ensure_emulator_venv(self.venv)

        t = time.monotonic()
        self.postgres = LocalPostgres(self.data_dir / "pg15", bin_dir=postgres15_bin_dir()).start()
        db_url = self.postgres.create_database(DATABASE_NAME)
        self._timed("postgres", t)

        t = time.monotonic()
        pubsub = PubSubEmulator(logs / "pubsub-emulator.log")
        self.services.append(pubsub)
        pubsub.start()
        ports = {fn.name: free_port() for fn in FUNCTIONS}
        self.function_urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        # Topics first: fake-gcs-server drops events for a topic that does not exist yet.
        self.topology = apply_topology(pubsub.address, self.project, self.function_urls)
        self._timed("pubsub", t)

        t = time.monotonic()
        gcs = FakeGcsServer(
            logs / "fake-gcs-server.log",
            project=self.project,
            topic=EMULATOR_STORAGE_TOPIC,
            pubsub_host=pubsub.address,
            venv=self.venv,
        )
        self.services.append(gcs)
        gcs.start()
        self._timed("fake_gcs", t)

        t = time.monotonic()
        bigquery = BigQueryEmulator(logs / "bqemulator.log", project=self.project, venv=self.venv)
        self.services.append(bigquery)
        bigquery.start()
        self._timed("bqemulator", t)

        ensure_local_secrets(self.data_dir)  # like the embedded stack's, so `admin_key(data_dir)` works
        admin_key = local_admin_key(self.data_dir)
        self.secret_stub = SecretManagerStub(
            self.project, {SANDBOX_SECRET_NAME: "sandbox-demo-token", ADMIN_KEY_SECRET_NAME: admin_key}
        )
        self.gemini_stub = GeminiStub(GEMINI_STUB_KEY)
        self.stubs += [self.secret_stub, self.gemini_stub]
        secret_url = self.secret_stub.start()
        gemini_url = self.gemini_stub.start()

        self.env = {
            "MINIMETER_MODE": "emulated",
            "GCP_PROJECT": self.project,
            "DB_URL": db_url,
            "LOCAL_DATA_DIR": str(self.data_dir),
            "SECRET_NAME": SANDBOX_SECRET_NAME,
            "ADMIN_KEY_SECRET": ADMIN_KEY_SECRET_NAME,
            "PUBSUB_EMULATOR_HOST": pubsub.address,
            "STORAGE_EMULATOR_HOST": gcs.url,
            "BIGQUERY_EMULATOR_HOST": bigquery.url,
            "SECRET_MANAGER_EMULATOR_HOST": secret_url,
            "GEMINI_API_KEY": GEMINI_STUB_KEY,
            "GEMINI_BASE_URL": gemini_url,
            "NO_PROXY": "127.0.0.1,localhost",
            **self.extra_env,
        }
        t = time.monotonic()
        self._provision(self.settings())
        self._timed("provision", t)

        t = time.monotonic()
        for fn in FUNCTIONS:
            self._start_function(fn.name, fn.target, fn.signature, ports[fn.name])
        for fn in FUNCTIONS:
            wait_for_port(ports[fn.name], self.processes[fn.name], 60, self._log_file(fn.name))
        self._timed("functions", t)
        self._timed("total", begin)

    def _provision(self, settings: Settings) -> None:
        """What Terraform creates in the cloud: the buckets, the schema, the warehouse tables."""
        from common.adapters.gcs import GcsBlobStore
        from common.runtime import build_ports

        ports = build_ports(settings)
        assert isinstance(ports.blobs, GcsBlobStore)
        for bucket in (settings.raw_bucket, settings.normalized_bucket):
            ports.blobs.ensure_bucket(bucket)
        ports.database.migrate()
        ports.warehouse.ensure_schema()

    def drain_dead_letters(self) -> int:
        if self.topology is None:
            return 0
        return drain_dead_letters(self.topology, self.settings().dead_letter_dir, self.function_urls)

    def stop_function(self, name: str, acknowledge: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """Kill one function's process (fault injection); its port then answers pushes with 503.

        As Cloud Run answers for an instance that crashes. A refused connection would not do: the
        Pub/Sub emulator retries it forever without counting delivery attempts. `acknowledge` may
        accept the push envelopes the function would have acknowledged without work anyway (the other
        bucket's events), so only the events the function would have worked on are dead-lettered.
        """
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.unavailable[name] = unavailable_function(self._port(name), acknowledge)

    def start_function(self, name: str) -> None:
        """Start a stopped function again on its port, and wait until it listens."""
        server = self.unavailable.pop(name, None)
        if server is not None:
            server.shutdown()
            server.server_close()
        fn = function(name)
        self._start_function(fn.name, fn.target, fn.signature, self._port(name))
        wait_for_port(self._port(name), self.processes[name], 60, self._log_file(name))

    def _port(self, name: str) -> int:
        return int(self.function_urls[name].rsplit(":", 1)[1])

    def _activity(self) -> int:
        total = 0
        for fn in FUNCTIONS:
            path = self._log_file(fn.name)
            total += path.stat().st_size if path.exists() else 0
        return total

    def wait_idle(self, timeout: float = 120.0) -> bool:
        """Idle: no function wrote a log line for well over the emulator's redelivery delay, and every
        dead letter is on disk. (The emulator has no backlog metric to ask instead.)"""
        quiet = EMULATOR_REDELIVERY_SECONDS + 2.0
        deadline = time.monotonic() + timeout
        last, changed = -1, time.monotonic()
        while time.monotonic() < deadline:
            moved = 0 if self.hold_dead_letters else self.drain_dead_letters()
            activity = self._activity()
            if activity != last or moved:
                last, changed = activity, time.monotonic()
            elif time.monotonic() - changed >= quiet:
                return True
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.topology is not None:
            try:
                if self.env:
                    self.drain_dead_letters()
            finally:
                self.topology.teardown()  # delete push subscriptions before their endpoints go away
                self.topology = None
        for server in self.unavailable.values():
            server.shutdown()
            server.server_close()
        self.unavailable.clear()
        try:
            super().stop()  # the functions and PostgreSQL
        finally:
            for stub in self.stubs:
                stub.stop()
            self.stubs.clear()
            for service in reversed(self.services):
                service.stop()
            self.services.clear()
