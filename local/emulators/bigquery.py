"""bqemulator (BigQuery REST on DuckDB) from the emulator virtualenv, in memory, on loopback."""

from __future__ import annotations

import os
from pathlib import Path

from local.emulators.process import ServiceProcess, free_port
from local.emulators.toolchain import EMULATOR_VENV, bqemulator_executable, emulator_home


class BigQueryEmulator(ServiceProcess):
    def __init__(self, log_file: Path, *, project: str, port: int | None = None, venv: Path = EMULATOR_VENV) -> None:
        port = port or free_port()
        grpc_port = free_port()
        argv = [
            str(bqemulator_executable(venv)),
            "start",
            "--rest-host",
            "127.0.0.1",
            "--rest-port",
            str(port),
            "--grpc-host",
            "127.0.0.1",
            "--grpc-port",
            str(grpc_port),
            "--ephemeral",
            "--project",
            project,
            "--log-level",
            "warning",
            "--log-format",
            "json",
        ]
        # HOME: where its DuckDB finds the extensions installed from wheels (never downloads them).
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env |= {"HOME": str(emulator_home(venv)), "NO_PROXY": "127.0.0.1,localhost"}
        super().__init__("bqemulator", argv, port=port, log_file=log_file, env=env, ready_timeout=120)

    @property
    def url(self) -> str:
        return f"http://{self.address}"
