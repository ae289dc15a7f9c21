"""The BlobStore port on Cloud Storage (google-cloud-storage), in the cloud and against fake-gcs-server.

Writes are create-if-absent (``if_generation_match=0``): object names are content hashes, so an
object that already exists holds the same bytes and a redelivered write changes nothing (returns
False). GCS publishes the finalize notification itself, atomically with the object's creation.

The client is built on first use and cached (nothing touches the network at import or construction).
In the cloud it uses the environment's default credentials; against an emulator
(``STORAGE_EMULATOR_HOST``) it uses anonymous credentials and the emulator's HTTP endpoint.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from common.errors import NotFound, RetryableError
from common.ports import BlobStore

if TYPE_CHECKING:
    from google.cloud.storage import Client

REQUEST_TIMEOUT_SECONDS = 60.0
RETRY_DEADLINE_SECONDS = 120.0


def emulator_url(host: str) -> str:
    """``host:port`` or a URL → an ``http://`` base URL (emulators speak plain HTTP on loopback)."""
    host = host.rstrip("/")
    return host if "://" in host else f"http://{host}"


def _translate(exc: Exception, what: str) -> Exception:
    """google.api_core errors → the errors the core decides on."""
    from google.api_core import exceptions as gexc

    if isinstance(exc, gexc.NotFound):
        return NotFound(f"{what} does not exist")
    transient = (
        gexc.TooManyRequests,
        gexc.InternalServerError,
        gexc.BadGateway,
        gexc.ServiceUnavailable,
        gexc.GatewayTimeout,
        gexc.RetryError,
        ConnectionError,
        TimeoutError,
    )
    if isinstance(exc, transient) or type(exc).__module__.startswith("requests"):
        return RetryableError(f"cloud storage unavailable for {what}: {exc}", "storage_unavailable")
    return exc


class GcsBlobStore(BlobStore):
    def __init__(self, project: str, *, emulator_host: str | None = None) -> None:
        self.project = project
        self.emulator_host = emulator_host
        self._client_: Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GcsBlobStore(project={self.project!r}, emulator_host={self.emulator_host!r})"

    def _client(self) -> Client:
        with self._lock:
            if self._client_ is None:
                from google.cloud import storage

                if self.emulator_host:
                    from google.auth.credentials import AnonymousCredentials

                    self._client_ = storage.Client(
                        project=self.project,
                        credentials=AnonymousCredentials(),
                        client_options={"api_endpoint": emulator_url(self.emulator_host)},
                    )
                else:
                    self._client_ = storage.Client(project=self.project)
            return self._client_

    @staticmethod
    def _retry() -> Any:
        from google.cloud.storage.retry import DEFAULT_RETRY

        return DEFAULT_RETRY.with_timeout(RETRY_DEADLINE_SECONDS)

    def write(
        self, bucket: str, name: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None
    ) -> bool:
        from google.api_core.exceptions import PreconditionFailed

        blob = self._client().bucket(bucket).blob(name)
        if metadata:
            blob.metadata = dict(metadata)
        try:
            # Conditional on "no live generation": safe to retry, so the library's retry applies.
            blob.upload_from_string(
                data,
                content_type=content_type,
                if_generation_match=0,
                timeout=REQUEST_TIMEOUT_SECONDS,
                retry=self._retry(),
            )
        except PreconditionFailed:
            return False  # it exists: same name, same content hash, same bytes
        except Exception as exc:
            raise _translate(exc, f"gs://{bucket}/{name}") from exc
        return True

    def read(self, bucket: str, name: str) -> bytes:
        try:
            data: bytes = (
                self._client()
                .bucket(bucket)
                .blob(name)
                .download_as_bytes(timeout=REQUEST_TIMEOUT_SECONDS, retry=self._retry())
            )
        except Exception as exc:
            raise _translate(exc, f"gs://{bucket}/{name}") from exc
        return data

    def metadata(self, bucket: str, name: str) -> dict[str, str]:
        try:
            blob = self._client().bucket(bucket).get_blob(name, timeout=REQUEST_TIMEOUT_SECONDS, retry=self._retry())
        except Exception as exc:
            raise _translate(exc, f"gs://{bucket}/{name}") from exc
        if blob is None:
            raise NotFound(f"gs://{bucket}/{name} does not exist")
        return {str(k): str(v) for k, v in (blob.metadata or {}).items()}

    def exists(self, bucket: str, name: str) -> bool:
        try:
            return bool(
                self._client().bucket(bucket).blob(name).exists(timeout=REQUEST_TIMEOUT_SECONDS, retry=self._retry())
            )
        except Exception as exc:
            raise _translate(exc, f"gs://{bucket}/{name}") from exc

    def list(self, bucket: str, prefix: str = "") -> list[str]:
        try:
            blobs = self._client().list_blobs(
                bucket, prefix=prefix or None, timeout=REQUEST_TIMEOUT_SECONDS, retry=self._retry()
            )
            return sorted(blob.name for blob in blobs)
        except Exception as exc:
            raise _translate(exc, f"gs://{bucket}/{prefix}*") from exc

    def ensure_bucket(self, bucket: str, location: str = "US") -> None:
        """Create the bucket unless it exists (emulated mode; Terraform owns buckets in the cloud)."""
        from google.api_core.exceptions import Conflict

        try:
            self._client().create_bucket(bucket, location=location, timeout=REQUEST_TIMEOUT_SECONDS)
        except Conflict:
            pass
        except Exception as exc:
            raise _translate(exc, f"gs://{bucket}") from exc
