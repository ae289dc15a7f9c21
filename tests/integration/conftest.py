"""Real emulators for the integration tests, started once per session and stopped at its end."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.emulators.bigquery import BigQueryEmulator
from local.emulators.gcs import FakeGcsServer
from local.emulators.pubsub import EMULATOR_STORAGE_TOPIC, PubSubEmulator
from local.emulators.toolchain import ensure_emulator_venv

PROJECT = "minimeter-it"


@pytest.fixture(scope="session")
def emulator_logs() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="minimeter-it-logs-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def emulator_venv() -> Path:
    return ensure_emulator_venv()


@pytest.fixture(scope="session")
def pubsub_host(emulator_logs: Path) -> Iterator[str]:
    emulator = PubSubEmulator(emulator_logs / "pubsub.log").start()
    try:
        yield emulator.address
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def storage_host(emulator_logs: Path, emulator_venv: Path, pubsub_host: str) -> Iterator[str]:
    from local.emulators.pubsub import _clients

    publisher, _ = _clients(pubsub_host)
    publisher.create_topic(name=publisher.topic_path(PROJECT, EMULATOR_STORAGE_TOPIC))
    publisher.stop()
    server = FakeGcsServer(
        emulator_logs / "gcs.log",
        project=PROJECT,
        topic=EMULATOR_STORAGE_TOPIC,
        pubsub_host=pubsub_host,
        venv=emulator_venv,
    ).start()
    try:
        yield server.address
    finally:
        server.stop()


@pytest.fixture(scope="session")
def bigquery_host(emulator_logs: Path, emulator_venv: Path) -> Iterator[str]:
    emulator = BigQueryEmulator(emulator_logs / "bq.log", project=PROJECT, venv=emulator_venv).start()
    try:
        yield emulator.url
    finally:
        emulator.stop()
