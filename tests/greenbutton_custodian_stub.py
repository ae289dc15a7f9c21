"""A loopback Green Button Connect My Data custodian serving the corpus files, with fault switches.

- ``POST /oauth/token``: client-credentials grant, HTTP Basic client auth (form-encoded id and secret,
  RFC 6749 §2.3.1); issues short-lived opaque bearer tokens.
- ``GET /DataCustodian/espi/1_1/resource/Batch/Subscription/<id>``: checks the bearer token and serves
  the subscription as Atom feeds. ``coastal`` is the Coastal hourly file (8,760 readings) split into
  self-contained pages: each page repeats the UsagePoint, LocalTimeParameters, MeterReading and
  ReadingType entries and carries a share of the IntervalBlocks (the usage summary on the last page).
  Without ``max-results`` it comes in two pages linked by an opaque ``cursor`` next link (with
  ``overlap`` IntervalBlocks repeated across the boundary, as custodians do); with ``start-index`` /
  ``max-results`` it pages by that many IntervalBlocks per page. ``gas`` is gas_direct.xml in one page;
  any other id is 404. ``loop`` answers with a next link to itself; ``elsewhere`` links off-origin.
- Faults, consumed in order per endpoint (``token`` or ``batch``): ``(429, retry_after)``,
  ``(503, None)``, ... ``expire_tokens()`` makes every issued token stale (the next call gets 401).

Runs on a thread of the test process, bound to 127.0.0.1 on a free port; counts every request.
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
import threading
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlencode

from lxml import etree
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

ATOM = "http://www.w3.org/2005/Atom"
COASTAL_FILE = "Coastal_Multi_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_5.xml"
GAS_FILE = "gas_direct.xml"
RESOURCE_PATH = "/DataCustodian/espi/1_1/resource"
BATCH_PREFIX = f"{RESOURCE_PATH}/Batch/Subscription/"


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def _content_kind(entry: Any) -> str:
    content = entry.find(f"{{{ATOM}}}content")
    if content is None or len(content) == 0:
        return ""
    return str(etree.QName(content[0]).localname)


class _Feed:
    """A corpus feed taken apart: the feed header, the context entries, the blocks, the summaries."""

    def __init__(self, data: bytes) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
        self.root: Any = etree.fromstring(data, parser)
        entries = self.root.findall(f"{{{ATOM}}}entry")
        self.context = [
            e
            for e in entries
            if _content_kind(e) in ("UsagePoint", "LocalTimeParameters", "MeterReading", "ReadingType")
        ]
        self.blocks = [e for e in entries if _content_kind(e) == "IntervalBlock"]
        self.rest = [e for e in entries if e not in self.context and e not in self.blocks]

    def page(self, blocks: list[Any], last: bool, next_href: str | None) -> bytes:
        root = etree.Element(self.root.tag, nsmap=self.root.nsmap)
        for child in self.root:
            if child.tag != f"{{{ATOM}}}entry":
                root.append(copy.deepcopy(child))
        if next_href is not None:
            etree.SubElement(root, f"{{{ATOM}}}link", rel="next", href=next_href)
        for entry in [*self.context, *blocks, *(self.rest if last else [])]:
            root.append(copy.deepcopy(entry))
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


class DataCustodianStub:
    def __init__(
        self,
        corpus_dir: Path,
        client_id: str = "minimeter-client",
        client_secret: str = "cs-" + "x" * 8,
        token_ttl: float = 60.0,
        overlap: int = 0,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl = token_ttl
        self.overlap = overlap
        self.coastal = _Feed((corpus_dir / COASTAL_FILE).read_bytes())
        self.gas = (corpus_dir / GAS_FILE).read_bytes()
        self.faults: dict[str, deque[tuple[int, int | None]]] = {"token": deque(), "batch": deque()}
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.issued: list[str] = []
        self.requests: Counter[str] = Counter()
        self.statuses: list[tuple[str, int]] = []
        self.batch_params: list[dict[str, str]] = []
        self.token_forms: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> DataCustodianStub:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="custodian-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    def credentials(self, subscription: str, **overrides: Any) -> str:
        body: dict[str, Any] = {
            "token_url": f"{self.url}/oauth/token",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "resource_base_url": f"{self.url}{RESOURCE_PATH}",
            "subscription_id": subscription,
            "scope": "FB=4_5_15;IntervalDuration=3600;BlockDuration=monthly;HistoryLength=13",
        }
        body.update(overrides)
        return json.dumps(body)

    # --- switches --------------------------------------------------------------------------------

    def inject(self, endpoint: str, status: int, retry_after: int | None = None, times: int = 1) -> None:
        with self._lock:
            self.faults[endpoint].extend([(status, retry_after)] * times)

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens = dict.fromkeys(self.tokens, 0.0)

    # --- the server ------------------------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/oauth/token" and request.method == "POST":
            kind, response = "token", self._token(request)
        elif request.path.startswith(BATCH_PREFIX) and request.method == "GET":
            kind, response = "batch", self._batch(request)
        else:
            kind, response = "other", Response("not found", status=404)
        with self._lock:
            self.requests[kind] += 1
            self.statuses.append((kind, response.status_code))
        return response(environ, start_response)

    def _fault(self, endpoint: str) -> Response | None:
        with self._lock:
            if not self.faults[endpoint]:
                return None
            status, retry_after = self.faults[endpoint].popleft()
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return Response("try again later", status=status, headers=headers)

    def _token(self, request: Request) -> Response:
        if fault := self._fault("token"):
            return fault
        with self._lock:
            self.token_forms.append(dict(request.form))
        header = request.headers.get("Authorization", "")
        try:
            scheme, encoded = header.split(" ", 1)
            client_id, client_secret = base64.b64decode(encoded).decode().split(":", 1)
        except ValueError:
            return _json({"error": "invalid_client"}, 401)
        if scheme.lower() != "basic" or (unquote_plus(client_id), unquote_plus(client_secret)) != (
            self.client_id,
            self.client_secret,
        ):
            return _json({"error": "invalid_client"}, 401)
        if request.form.get("grant_type") != "client_credentials":
            return _json({"error": "unsupported_grant_type"}, 400)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = time.monotonic() + self.token_ttl
            self.issued.append(token)
        return _json({"access_token": token, "token_type": "Bearer", "expires_in": int(self.token_ttl)}, 200)

    def _batch(self, request: Request) -> Response:
        with self._lock:
            self.batch_params.append(dict(request.args))
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
        with self._lock:
            valid = self.tokens.get(token, 0.0) > time.monotonic()
        if not valid:
            return Response("invalid_token", status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if fault := self._fault("batch"):
            return fault
        subscription = request.path[len(BATCH_PREFIX) :]
        base = f"{request.host_url.rstrip('/')}{request.path}"
        if subscription == "gas":
            return _atom(self.gas)
        if subscription == "loop":
            return _atom(self.coastal.page([], True, base))
        if subscription == "elsewhere":
            return _atom(self.coastal.page([], True, "http://example.invalid/next"))
        if subscription != "coastal":
            return Response("no such subscription", status=404)
        blocks = self.coastal.blocks
        if "max-results" in request.args:
            start = int(request.args.get("start-index", "1"))
            size = int(request.args["max-results"])
            chosen = blocks[start - 1 : start - 1 + size]
            more = start - 1 + size < len(blocks)
            href = f"{base}?{urlencode({'start-index': start + size, 'max-results': size})}" if more else None
            return _atom(self.coastal.page(chosen, not more, href))
        half = len(blocks) // 2
        if request.args.get("cursor") == "p2":
            return _atom(self.coastal.page(blocks[half - self.overlap :], True, None))
        return _atom(self.coastal.page(blocks[:half], False, f"{base}?cursor=p2"))


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _atom(data: bytes) -> Response:
    return Response(data, status=200, content_type="application/atom+xml")
