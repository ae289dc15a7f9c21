"""The Secrets port on Secret Manager (google-cloud-secret-manager, REST transport).

``get(name)`` reads ``projects/<project>/secrets/<name>/versions/latest``, checks the payload's CRC32C
when the service sends one, and keeps the value for a few minutes per instance (a function reads the
same credentials for every event; a rotated secret is picked up once the entry expires).

The REST transport is used everywhere, so the emulated mode runs the same client code against a
loopback stub (``SECRET_MANAGER_EMULATOR_HOST``) with anonymous credentials. The client is built on
first use and cached; values never appear in a repr or a log line.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from common.errors import NotFound, PermanentError, RetryableError
from common.ports import Secrets

if TYPE_CHECKING:
    from google.cloud.secretmanager import SecretManagerServiceClient

CACHE_SECONDS = 300.0
REQUEST_TIMEOUT_SECONDS = 30.0


def secret_manager_client(endpoint: str | None) -> SecretManagerServiceClient:
    from google.cloud import secretmanager

    if not endpoint:
        return secretmanager.SecretManagerServiceClient(transport="rest")
    from google.auth.credentials import AnonymousCredentials

    url = endpoint.rstrip("/")
    return secretmanager.SecretManagerServiceClient(
        transport="rest",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": url if "://" in url else f"http://{url}"},
    )


class SecretManagerSecrets(Secrets):
    def __init__(self, project: str, *, endpoint: str | None = None, cache_seconds: float = CACHE_SECONDS) -> None:
        self.project = project
        self.endpoint = endpoint
        self._cache_seconds = cache_seconds
        self._client_: SecretManagerServiceClient | None = None
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SecretManagerSecrets(project={self.project!r}, endpoint={self.endpoint!r})"

    def _client(self) -> SecretManagerServiceClient:
        with self._lock:
            if self._client_ is None:
                self._client_ = secret_manager_client(self.endpoint)
            return self._client_

    def get(self, name: str) -> str:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(name)
        if cached and now - cached[0] < self._cache_seconds:
            return cached[1]
        value = self._access(name)
        with self._lock:
            self._cache[name] = (now, value)
        return value

    def _access(self, name: str) -> str:
        from google.api_core import exceptions as gexc

        path = f"projects/{self.project}/secrets/{name}/versions/latest"
        try:
            response = self._client().access_secret_version(name=path, timeout=REQUEST_TIMEOUT_SECONDS)
        except (gexc.NotFound, gexc.FailedPrecondition) as exc:  # FailedPrecondition: latest version disabled
            raise NotFound(f"secret {name!r} not found") from exc
        except (gexc.PermissionDenied, gexc.Unauthenticated) as exc:
            raise PermanentError(f"no access to secret {name!r}: {exc.message}", "secret_access_denied") from exc
        except (gexc.GoogleAPICallError, gexc.RetryError, ConnectionError, TimeoutError) as exc:
            raise RetryableError(f"secret manager unavailable: {type(exc).__name__}", "secrets_unavailable") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("requests"):
                message = f"secret manager unreachable: {type(exc).__name__}"
                raise RetryableError(message, "secrets_unavailable") from exc
            raise
        data = bytes(response.payload.data)
        if response.payload.data_crc32c:
            import google_crc32c

            if google_crc32c.value(data) != int(response.payload.data_crc32c):
                raise RetryableError(f"secret {name!r} arrived corrupted (CRC32C mismatch)", "secrets_corrupted")
        return data.decode("utf-8")
