"""The embedded stack: Postgres, the event router and the four functions, each in its own process.

`LocalStack` is what `python -m local up`, the demo and the end-to-end tests all use, so the three run
the same code path as a deployment: functions-framework serving `functions/<name>/main.py`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from common.config import Settings
from common.core.auth import new_admin_key
from common.topology import FUNCTIONS
from local.postgres import LocalPostgres
from local.router import EventRouter, RouterConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
DATABASE_NAME = "minimeter"
SANDBOX_SECRET_NAME = "sandbox-credentials"  # noqa: S105 - the name of a secret, not its value
ADMIN_KEY_SECRET_NAME = "minimeter-admin-key"  # noqa: S105 - the name of a secret, not its value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float, log_file: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"process exited with {process.returncode}; see {log_file}:\n"
                + log_file.read_text(errors="replace")[-2000:]
            )
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {timeout}s; see {log_file}")


def _exit_on_sigterm() -> Any:
    """Turn SIGTERM (e.g. `timeout`, a CI runner) into SystemExit so `with LocalStack(...)` unwinds and
    stops its processes: they run in sessions of their own and would otherwise outlive us."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    return previous


def admin_key(data_dir: Path) -> str:
    """The local admin API key, kept in the local secret store the functions read."""
    stored: dict[str, str] = json.loads((Path(data_dir) / "secrets.json").read_text())
    return stored[ADMIN_KEY_SECRET_NAME]


def ensure_local_secrets(data_dir: Path) -> Path:
    """The local secret store (<data dir>/secrets.json), with the sandbox token and an admin key made on first use."""
    secrets_file = Path(data_dir) / "secrets.json"
    stored: dict[str, str] = json.loads(secrets_file.read_text()) if secrets_file.exists() else {}
    if ADMIN_KEY_SECRET_NAME not in stored:
        secrets_file.write_text(
            json.dumps({SANDBOX_SECRET_NAME: "sandbox-demo-token", ADMIN_KEY_SECRET_NAME: new_admin_key()})
        )
        secrets_file.chmod(0o600)
    return secrets_file


@dataclass
class LocalStack:
    """Start with `with LocalStack(data_dir) as stack:`; everything started is stopped on exit."""

    data_dir: Path
    backoff_seconds: tuple[float, ...] = (0.5, 1.0)
    extra_env: Mapping[str, str] = field(default_factory=dict)
    postgres: LocalPostgres | None = None
    router: EventRouter | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    function_urls: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    _previous_sigterm: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).absolute()

    @property
    def api_url(self) -> str:
        return self.function_urls["api"]

    @property
    def admin_key(self) -> str:
        return admin_key(self.data_dir)

    def settings(self) -> Settings:
        """The Settings the functions run with, for in-process use by the CLI and tests."""
        return Settings.model_validate({k: v for k, v in self.env.items()})

    def __enter__(self) -> Self:
        self._previous_sigterm = _exit_on_sigterm()
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.stop()
        finally:
            if self._previous_sigterm is not None:
                signal.signal(signal.SIGTERM, self._previous_sigterm)

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "logs").mkdir(exist_ok=True)
        self.postgres = LocalPostgres(self.data_dir / "pg").start()
        db_url = self.postgres.create_database(DATABASE_NAME)
        ports = {fn.name: free_port() for fn in FUNCTIONS}
        self.function_urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        secrets_file = ensure_local_secrets(self.data_dir)
        self.env = {
            "MINIMETER_MODE": "embedded",
            "DB_URL": db_url,
            "LOCAL_DATA_DIR": str(self.data_dir),
            "LOCAL_SECRETS_FILE": str(secrets_file),
            "SECRET_NAME": SANDBOX_SECRET_NAME,
            **self.extra_env,
        }
        settings = Settings.model_validate(self.env)
        self.router = EventRouter(
            RouterConfig.from_settings(settings, self.function_urls, backoff_seconds=self.backoff_seconds)
        )
        self.env["EVENT_ROUTER_URL"] = self.router.start()
        self._migrate(settings.model_copy(update={"event_router_url": self.env["EVENT_ROUTER_URL"]}))
        for fn in FUNCTIONS:
            self._start_function(fn.name, fn.target, fn.signature, ports[fn.name])
        for fn in FUNCTIONS:
            wait_for_port(ports[fn.name], self.processes[fn.name], 60, self._log_file(fn.name))

    def _migrate(self, settings: Settings) -> None:
        from common.runtime import build_ports

        ports = build_ports(settings)
        ports.database.migrate()
        ports.warehouse.ensure_schema()

    def _log_file(self, name: str) -> Path:
        return self.data_dir / "logs" / f"{name}.log"

    def _start_function(self, name: str, target: str, signature: str, port: int) -> None:
        env = {**os.environ, **self.env, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
        command = [
            sys.executable,
            "-m",
            "functions_framework",
            "--target",
            target,
            "--source",
            str(REPO_ROOT / "functions" / name / "main.py"),
            "--signature-type",
            signature,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        with open(self._log_file(name), "ab") as log_handle:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_idle(self, timeout: float = 120.0) -> bool:
        return self.router.wait_idle(timeout) if self.router else True

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.processes.items():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes.clear()
        if self.router is not None:
            self.router.stop()
            self.router = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None
