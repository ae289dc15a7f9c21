"""Postgres for the emulated and cloud modes: the PostgresDatabase adapter with the right connections.

- ``INSTANCE_CONNECTION_NAME`` set: connections come from cloud-sql-python-connector (``pg8000``
  driver), which fetches the instance's ephemeral certificate itself — no proxy, no authorized
  networks. Its ``lazy`` refresh strategy refreshes the certificate on connect rather than in a
  background task, which is what a function that is idle (CPU throttled) between events needs.
  Authentication: ``DB_PASSWORD`` for a built-in user, or ``DB_IAM_AUTH=true`` for IAM database
  authentication (``DB_USER`` is then the service account email without ``.gserviceaccount.com``).
- Otherwise: pg8000 straight to ``DB_URL`` (the emulated mode's PostgreSQL 15 on loopback).

Either way the pool is PostgresDatabase's bounded pool (``DB_POOL_SIZE``); nothing connects before the
first query. The connector is created on the first connection and closed at interpreter exit.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any

from common.adapters.postgres import Connection, PostgresDatabase
from common.config import Settings

CONNECT_TIMEOUT_SECONDS = 30


class CloudSqlConnectionFactory:
    """A zero-argument callable returning a pg8000 dbapi connection through the Cloud SQL connector."""

    def __init__(
        self,
        instance_connection_name: str,
        *,
        user: str,
        database: str,
        password: str | None = None,
        iam_auth: bool = False,
        ip_type: str = "PRIVATE",
        connector_factory: Callable[..., Any] | None = None,
    ) -> None:
        if not iam_auth and not password:
            raise ValueError("Cloud SQL needs DB_PASSWORD, or DB_IAM_AUTH=true for IAM database authentication")
        if instance_connection_name.count(":") != 2:
            raise ValueError(f"INSTANCE_CONNECTION_NAME is project:region:instance, not {instance_connection_name!r}")
        self.instance_connection_name = instance_connection_name
        self.user = user
        self.database = database
        self._password = password
        self.iam_auth = iam_auth
        self.ip_type = ip_type
        self._connector_factory = connector_factory or _default_connector
        self._connector: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"CloudSqlConnectionFactory({self.instance_connection_name!r}, user={self.user!r}, "
            f"database={self.database!r}, iam_auth={self.iam_auth}, ip_type={self.ip_type!r})"
        )

    def _get_connector(self) -> Any:
        with self._lock:
            if self._connector is None:
                self._connector = self._connector_factory(ip_type=self.ip_type, iam_auth=self.iam_auth)
                atexit.register(self.close)
            return self._connector

    def __call__(self) -> Connection:
        kwargs: dict[str, Any] = {"user": self.user, "db": self.database, "timeout": CONNECT_TIMEOUT_SECONDS}
        if self.iam_auth:
            kwargs["enable_iam_auth"] = True
        else:
            kwargs["password"] = self._password
        return self._get_connector().connect(self.instance_connection_name, "pg8000", **kwargs)

    def close(self) -> None:
        with self._lock:
            connector, self._connector = self._connector, None
        if connector is not None:
            connector.close()


def _default_connector(*, ip_type: str, iam_auth: bool) -> Any:
    from google.cloud.sql.connector import Connector, IPTypes

    return Connector(ip_type=IPTypes[ip_type], enable_iam_auth=iam_auth, refresh_strategy="lazy")


def database_from_settings(settings: Settings) -> PostgresDatabase:
    """The Database port for the emulated and cloud modes (see the module doc)."""
    if settings.instance_connection_name:
        factory = CloudSqlConnectionFactory(
            settings.instance_connection_name,
            user=settings.db_user,
            database=settings.db_name,
            password=settings.db_password,
            iam_auth=settings.db_iam_auth,
            ip_type=settings.db_ip_type,
        )
        return PostgresDatabase(factory, pool_size=settings.db_pool_size)
    return PostgresDatabase.from_url(settings.db_url, pool_size=settings.db_pool_size)
