"""A bucket on the local disk, with finalize notifications sent to the local event router."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path, PurePosixPath

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from common.errors import NotFound, PermanentError, RetryableError
from common.models import sha256_hex
from common.ports import BlobStore


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        raise PermanentError(f"unsafe object name {name!r}", "unsafe_object_name")
    if path.parts[0] == ".meta":
        raise PermanentError(f"reserved object name {name!r}", "unsafe_object_name")
    return path


class LocalBlobStore(BlobStore):
    """Objects under `<root>/<bucket>/<name>`, metadata under `<root>/<bucket>/.meta/`.

    GCS emits a finalize event atomically with the object's creation; here the event is a separate
    HTTP call, so a `.notified` marker records that it was sent and a repeated write of an object
    whose notification never went out sends it then. Nothing written is ever left without its event.
    """

    def __init__(self, root: Path, project: str, router_url: str | None = None) -> None:
        self.root = root
        self.project = project
        self.router_url = router_url
        self._session: requests.Session | None = None

    def _paths(self, bucket: str, name: str) -> tuple[Path, Path, Path]:
        rel = _safe_relative(name)
        bucket_dir = self.root / _safe_relative(bucket)
        meta = bucket_dir / ".meta" / rel
        return bucket_dir / rel, meta.with_name(meta.name + ".json"), meta.with_name(meta.name + ".notified")

    def write(
        self, bucket: str, name: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None
    ) -> bool:
        path, meta_path, notified_path = self._paths(bucket, name)
        created = False
        if not path.exists():
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            meta_path.write_text(
                json.dumps(
                    {
                        "contentType": content_type,
                        "metadata": metadata or {},
                        "size": len(data),
                        "md5Hash": None,
                        "sha256": sha256_hex(data),
                    }
                )
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            try:
                os.link(tmp, path)  # fails if another writer won the race: create-if-absent
                created = True
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        if self.router_url and not notified_path.exists():
            self._notify(bucket, name)
            notified_path.touch()
        return created

    def _resource(self, bucket: str, name: str) -> dict[str, object]:
        path, meta_path, _ = self._paths(bucket, name)
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        return {
            "kind": "storage#object",
            "bucket": bucket,
            "name": name,
            "size": str(path.stat().st_size),
            "contentType": meta.get("contentType"),
            "metadata": meta.get("metadata") or {},
            "generation": str(path.stat().st_mtime_ns),
        }

    @retry(
        retry=retry_if_exception_type(RetryableError),
        stop=stop_after_attempt(5),
        wait=wait_exponential(multiplier=0.1, max=2),
        reraise=True,
    )
    def _notify(self, bucket: str, name: str) -> None:
        if self._session is None:
            self._session = requests.Session()
        url = f"{self.router_url}/storage/v1/b/{bucket}/finalize"
        try:
            response = self._session.post(url, json=self._resource(bucket, name), timeout=10)
        except requests.RequestException as exc:
            raise RetryableError(f"event router unreachable: {exc}") from exc
        if response.status_code >= 300:
            raise RetryableError(f"event router refused finalize: {response.status_code}")

    def read(self, bucket: str, name: str) -> bytes:
        path, _, _ = self._paths(bucket, name)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"gs://{bucket}/{name} does not exist") from exc

    def metadata(self, bucket: str, name: str) -> dict[str, str]:
        path, meta_path, _ = self._paths(bucket, name)
        if not path.exists():
            raise NotFound(f"gs://{bucket}/{name} does not exist")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        return dict(meta.get("metadata") or {})

    def exists(self, bucket: str, name: str) -> bool:
        path, _, _ = self._paths(bucket, name)
        return path.exists()

    def list(self, bucket: str, prefix: str = "") -> list[str]:
        bucket_dir = self.root / _safe_relative(bucket)
        if not bucket_dir.exists():
            return []
        names = []
        for path in bucket_dir.rglob("*"):
            rel = path.relative_to(bucket_dir).as_posix()
            if path.is_file() and not rel.startswith(".meta/") and not path.name.startswith(".tmp-"):
                if rel.startswith(prefix):
                    names.append(rel)
        return sorted(names)
