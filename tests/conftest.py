"""Shared fixtures: a throwaway PostgreSQL per session, a fresh database per test, a DuckDB file."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.adapters.duckdb_warehouse import DuckDBWarehouse
from common.adapters.postgres import PostgresDatabase
from local.postgres import LocalPostgres, create_database, drop_database

# Tests never reach a real model: a developer's GEMINI_API_KEY would make every extract and agent call
# go out to Google. Tests that exercise Gemini start a loopback stub and set these themselves.
for _name in ("GEMINI_API_KEY", "GEMINI_BASE_URL"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """TCP DB_URL (postgresql://postgres@127.0.0.1:<port>/postgres) of an embedded server."""
    # Not under pytest's tmp dir: /tmp/pytest-of-root is 0700 and the server runs unprivileged.
    data_dir = Path(tempfile.mkdtemp(prefix="minimeter-test-pg-"))
    try:
        with LocalPostgres(data_dir) as pg:
            yield pg.url("postgres")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def work_dir() -> Iterator[Path]:
    """A fresh directory for a whole stack, outside pytest's 0700 tmp root: the stack's PostgreSQL runs
    as an unprivileged user and must reach it."""
    path = Path(tempfile.mkdtemp(prefix="minimeter-stack-"))
    path.chmod(0o711)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def database(postgres_url: str) -> Iterator[PostgresDatabase]:
    """A migrated PostgresDatabase on a brand-new database, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    db = PostgresDatabase.from_url(create_database(postgres_url, name))
    db.migrate()
    try:
        yield db
    finally:
        db.close()
        drop_database(postgres_url, name)


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    wh.ensure_schema()
    return wh
