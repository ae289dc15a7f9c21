"""Fixtures for driving the real functions in-process on real Postgres and DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import InProcessPlatform, make_ports

from common import runtime


@pytest.fixture
def platform(tmp_path: Path, database: Any, warehouse: Any) -> Iterator[InProcessPlatform]:
    ports, publisher, blobs = make_ports(tmp_path, database, warehouse)
    runtime.set_ports(ports)
    try:
        yield InProcessPlatform(ports, publisher, blobs)
    finally:
        runtime.set_ports(None)


@pytest.fixture
def api_client(platform: InProcessPlatform) -> Any:
    import functions_framework
    from harness import ADMIN_KEY, REPO_ROOT

    app = functions_framework.create_app("api", str(REPO_ROOT / "functions" / "api" / "main.py"), "http")
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = ADMIN_KEY  # the admin; tenant tests make their own clients
    return client
