"""Loopback stand-ins for the two Google APIs that have no emulator: Secret Manager and Gemini.

Each speaks just enough of the real REST API for the real client library (google-cloud-secret-manager
with ``transport="rest"``, google-genai) to run unchanged against it:

- Secret Manager: ``GET /v1/projects/P/secrets/S/versions/V:access`` → payload with its CRC32C, and
  ``POST /v1/projects/P/secrets/S:addVersion`` (how a test rotates a secret); Google's error format.
- Gemini: ``POST /v1beta/models/M:generateContent`` → one ``functionCall`` of the first offered tool
  (``fetch_bills`` when offered) with ``{"months": 3}``, the answer a planner model gives.

Both run on a thread of the calling process (werkzeug), bind 127.0.0.1 and count their requests.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


def _error(code: int, status: str, message: str) -> Response:
    body = {"error": {"code": code, "message": message, "status": status}}
    return Response(json.dumps(body), status=code, content_type="application/json")


def _ok(body: Mapping[str, Any]) -> Response:
    return Response(json.dumps(body), status=200, content_type="application/json")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class LoopbackServer:
    def __init__(self) -> None:
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self.handle(request)
        except Exception as exc:  # noqa: BLE001 - a stub answers every request
            response = _error(500, "INTERNAL", f"stub error: {exc!r}")
        return response(environ, start_response)

    def count(self, kind: str) -> None:
        with self._lock:
            self.requests[kind] += 1

    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class SecretManagerStub(LoopbackServer):
    """Secrets of one project; values are kept as bytes with monotonically numbered versions."""

    def __init__(self, project: str, secrets: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.project = project
        self._versions: dict[str, list[bytes]] = {k: [v.encode()] for k, v in (secrets or {}).items()}

    def put(self, name: str, value: str) -> None:
        with self._lock:
            self._versions.setdefault(name, []).append(value.encode())

    def handle(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        # v1 / projects / P / secrets / S[:addVersion] [/ versions / V:access]
        if len(parts) < 5 or parts[:2] != ["v1", "projects"] or parts[3] != "secrets":
            return _error(404, "NOT_FOUND", f"unknown path {request.path}")
        project = parts[2]
        if project != self.project:
            return _error(403, "PERMISSION_DENIED", f"Permission denied on project {project}")
        if request.method == "POST" and len(parts) == 5 and parts[4].endswith(":addVersion"):
            self.count("addVersion")
            name = parts[4].removesuffix(":addVersion")
            body = request.get_json(silent=True) or {}
            data = base64.b64decode(body.get("payload", {}).get("data", ""))
            with self._lock:
                versions = self._versions.setdefault(name, [])
                versions.append(data)
                number = len(versions)
            return _ok({"name": f"projects/{project}/secrets/{name}/versions/{number}", "state": "ENABLED"})
        if request.method == "GET" and len(parts) == 7 and parts[5] == "versions" and parts[6].endswith(":access"):
            self.count("access")
            name, version = parts[4], parts[6].removesuffix(":access")
            with self._lock:
                versions = list(self._versions.get(name, []))
            if not versions:
                missing = f"Secret [projects/{project}/secrets/{name}] not found or has no versions."
                return _error(404, "NOT_FOUND", missing)
            index = len(versions) if version == "latest" else int(version) if version.isdigit() else 0
            if not 1 <= index <= len(versions):
                return _error(404, "NOT_FOUND", f"Secret Version [{version}] not found.")
            import google_crc32c

            data = versions[index - 1]
            return _ok(
                {
                    "name": f"projects/{project}/secrets/{name}/versions/{index}",
                    "payload": {"data": base64.b64encode(data).decode(), "dataCrc32c": str(google_crc32c.value(data))},
                }
            )
        return _error(405, "UNIMPLEMENTED", f"{request.method} {request.path} is not part of the stub")


class GeminiStub(LoopbackServer):
    """generateContent answering with one function call, as a planner model does."""

    def __init__(self, api_key: str, months: int = 3) -> None:
        super().__init__()
        self.api_key = api_key
        self.months = months

    def handle(self, request: Request) -> Response:
        if request.method != "POST" or not request.path.endswith(":generateContent"):
            return _error(404, "NOT_FOUND", f"unknown path {request.path}")
        if request.headers.get("x-goog-api-key") != self.api_key:
            return _error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
        self.count("generateContent")
        body = request.get_json(silent=True) or {}
        declared = [d.get("name") for t in body.get("tools") or [] for d in t.get("functionDeclarations") or []]
        if not declared:
            part: dict[str, Any] = {"text": "Nothing to call."}
        else:
            name = "fetch_bills" if "fetch_bills" in declared else declared[0]
            part = {"functionCall": {"name": name, "args": {"months": self.months}}}
        model = request.path.rsplit("/", 1)[-1].removesuffix(":generateContent")
        return _ok(
            {
                "candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 10, "totalTokenCount": 110},
                "modelVersion": model,
            }
        )
