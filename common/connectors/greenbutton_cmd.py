"""Green Button Connect My Data: a utility's data custodian, spoken to over NAESB REQ.21 ESPI REST.

The account's credentials secret is a JSON object::

    {"token_url": "...", "client_id": "...", "client_secret": "...",
     "resource_base_url": "https://custodian/DataCustodian/espi/1_1/resource",
     "subscription_id": "...", "scope": "FB=4_5_15_..._ESPI" (optional),
     "max_results": 500 (optional: ask for pages of this many entries)}

The connector takes an OAuth2 access token with the client-credentials grant (client authenticated with
HTTP Basic, RFC 6749 §2.3.1), caches it until shortly before it expires and takes a fresh one once when
the custodian answers 401/403. It then downloads ``GET {resource_base_url}/Batch/Subscription/{id}``
with ``published-min``/``published-max`` (RFC 3339) for the requested window, following the feed's
Atom ``link rel="next"`` (the custodian's cursor or ``start-index``/``max-results``) until there is none.
Each page is returned as it came, one file per page; the extract stage parses the ESPI. The only thing
read here is the next link, with a hardened parser (no DTD, no entities, no network).

Green Button CMD carries no bill PDFs (usage summaries arrive inside the interval feed), so FETCH_BILLS
returns no files and the connector offers only ``fetch_intervals`` as a tool.

Transient trouble (connection errors, timeouts, 429, 5xx) is retried here with bounded exponential
backoff that honours ``Retry-After``; when that budget is spent a RetryableError hands the job back to
the platform. The client secret and tokens are never logged nor put in error messages.
"""

from __future__ import annotations

import base64
import calendar
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from hashlib import sha256
from typing import Any
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import requests
from lxml import etree
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential

from common.connectors.base import Connector, FetchedFile, FetchRequest
from common.errors import PermanentError, RetryableError
from common.models import JobType, ToolSpec, UtilityAccount

logger = logging.getLogger(__name__)

GREENBUTTON_CMD_PROVIDER = "greenbutton_cmd"
ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_CONTENT_TYPE = "application/atom+xml"
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class _Transient(Exception):
    """One failed attempt worth repeating; ``retry_after`` in seconds when the server said so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class CmdCredentials:
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    resource_base_url: str
    subscription_id: str
    scope: str | None = None
    max_results: int | None = None

    @classmethod
    def parse(cls, raw: str) -> CmdCredentials:
        """Validate the secret; errors name fields only, never values (the secret is in there)."""
        try:
            data = json.loads(raw)
        except ValueError:
            raise PermanentError("greenbutton_cmd credentials are not JSON", "credentials_invalid") from None
        if not isinstance(data, dict):
            raise PermanentError("greenbutton_cmd credentials must be a JSON object", "credentials_invalid")
        required = ("token_url", "client_id", "client_secret", "resource_base_url", "subscription_id")
        missing = [k for k in required if not isinstance(data.get(k), str) or not data[k].strip()]
        if missing:
            raise PermanentError(f"greenbutton_cmd credentials lack {', '.join(missing)}", "credentials_invalid")
        unknown = sorted(set(data) - {*required, "scope", "max_results"})
        if unknown:
            raise PermanentError(f"greenbutton_cmd credentials have unknown fields {unknown}", "credentials_invalid")
        scope = data.get("scope")
        if scope is not None and not isinstance(scope, str):
            raise PermanentError("greenbutton_cmd credentials: scope must be a string", "credentials_invalid")
        max_results = data.get("max_results")
        if max_results is not None and (
            not isinstance(max_results, int) or isinstance(max_results, bool) or not 1 <= max_results <= 100_000
        ):
            raise PermanentError(
                "greenbutton_cmd credentials: max_results must be an integer 1..100000", "credentials_invalid"
            )
        for key in ("token_url", "resource_base_url"):
            _check_url(key, data[key])
        subscription = data["subscription_id"].strip()
        if "/" in subscription or subscription in (".", ".."):
            raise PermanentError("greenbutton_cmd credentials: bad subscription_id", "credentials_invalid")
        return cls(
            token_url=data["token_url"].strip(),
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            resource_base_url=data["resource_base_url"].strip().rstrip("/"),
            subscription_id=subscription,
            scope=scope or None,
            max_results=max_results,
        )

    @property
    def cache_key(self) -> tuple[str, str, str]:
        return (self.token_url, self.client_id, sha256(self.client_secret.encode()).hexdigest())


def _check_url(key: str, url: str) -> None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentError(f"greenbutton_cmd credentials: {key} must be an http(s) URL", "credentials_invalid")
    if parts.username or parts.password:
        raise PermanentError(f"greenbutton_cmd credentials: {key} must not carry userinfo", "credentials_invalid")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        # The client secret and bearer tokens never travel in clear text off this machine.
        raise PermanentError(f"greenbutton_cmd credentials: {key} must use https", "credentials_invalid")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def next_link(page: bytes) -> str | None:
    """The feed-level Atom ``link rel="next"`` href of a page, or None. Rejects anything but an Atom feed."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root: Any = etree.fromstring(page, parser)
    except etree.XMLSyntaxError as exc:
        raise PermanentError(f"the data custodian sent malformed XML: {exc.msg}", "custodian_bad_response") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise PermanentError("the data custodian sent XML with a DTD", "custodian_bad_response")
    if root.tag != f"{{{ATOM_NS}}}feed":
        raise PermanentError("the data custodian's answer is not an Atom feed", "custodian_bad_response")
    for link in root.iterchildren(f"{{{ATOM_NS}}}link"):
        if (link.get("rel") or "").strip() == "next" and (link.get("href") or "").strip():
            return str(link.get("href")).strip()
    return None


@dataclass
class _Token:
    value: str = field(repr=False)
    expires_at: float  # on the connector's monotonic clock


class GreenButtonCmdConnector(Connector):
    provider = GREENBUTTON_CMD_PROVIDER
    description = "the utility's Green Button Connect My Data service"

    def __init__(
        self,
        *,
        max_attempts: int = 5,
        backoff_seconds: float = 0.5,
        backoff_max_seconds: float = 8.0,
        retry_after_max_seconds: float = 30.0,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        max_pages: int = 1000,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.retry_after_max_seconds = retry_after_max_seconds
        self.timeout = (connect_timeout, read_timeout)
        self.max_pages = max_pages
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._session: requests.Session | None = None
        self._tokens: dict[tuple[str, str, str], _Token] = {}
        self._lock = threading.Lock()

    # --- the Connector interface -------------------------------------------------------------------

    def tools(self) -> list[ToolSpec]:
        return [t for t in super().tools() if t.name == "fetch_intervals"]

    def fetch(self, account: UtilityAccount, request: FetchRequest, credentials: str) -> list[FetchedFile]:
        if request.job_type not in (JobType.FETCH_INTERVALS, JobType.FULL_PIPELINE):
            return []  # no bill PDFs in Green Button CMD
        creds = CmdCredentials.parse(credentials)
        base = f"{creds.resource_base_url}/Batch/Subscription/{quote(creds.subscription_id, safe='')}"
        params: dict[str, str] = self._window(request)
        if creds.max_results is not None:
            params.update({"start-index": "1", "max-results": str(creds.max_results)})
        stem = _SAFE_NAME.sub("_", creds.subscription_id)[:64]
        files: list[FetchedFile] = []
        seen: set[str] = set()
        url: str | None = base
        while url is not None:
            if url in seen or len(files) >= self.max_pages:
                raise PermanentError(
                    f"the data custodian's paging does not end (page {len(files) + 1})", "custodian_bad_response"
                )
            seen.add(url)
            page = self._get_page(creds, url, params if url == base else None, len(files) + 1)
            files.append(FetchedFile(f"greenbutton-{stem}-p{len(files) + 1}.xml", ATOM_CONTENT_TYPE, page))
            href = next_link(page)
            url = self._follow(base, url, href) if href else None
        logger.info(
            "greenbutton_cmd fetched subscription",
            extra={"account_id": account.id, "pages": len(files), "bytes": sum(len(f.data) for f in files)},
        )
        return files

    # --- window and paging ------------------------------------------------------------------------

    def _window(self, request: FetchRequest) -> dict[str, str]:
        now = self._now()
        start = request.since_date or _months_back(now.astimezone(UTC).date(), request.months)
        return {
            "published-min": _rfc3339(datetime(start.year, start.month, start.day, tzinfo=UTC)),
            "published-max": _rfc3339(now),
        }

    @staticmethod
    def _follow(base: str, current: str, href: str) -> str:
        target = urljoin(current, href)
        if _origin(target) != _origin(base):
            # The bearer token goes only to the custodian that the credentials name.
            raise PermanentError("the data custodian's next link leaves its origin", "custodian_bad_response")
        return target

    # --- HTTP ------------------------------------------------------------------------------------

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies or .netrc from the environment
            self._session = session
        return self._session

    def _get_page(self, creds: CmdCredentials, url: str, params: dict[str, str] | None, number: int) -> bytes:
        response = self._get_authorized(creds, url, params)
        if response.status_code == 404:
            raise PermanentError(
                f"the data custodian has no subscription {creds.subscription_id!r} (page {number})",
                "subscription_not_found",
            )
        if response.status_code != 200:
            raise PermanentError(
                f"the data custodian answered HTTP {response.status_code} for page {number}", "custodian_bad_response"
            )
        logger.info("greenbutton_cmd page", extra={"page": number, "bytes": len(response.content)})
        return response.content

    def _get_authorized(self, creds: CmdCredentials, url: str, params: dict[str, str] | None) -> requests.Response:
        token = self._token(creds)
        response = self._send("GET", url, params=params, headers=self._bearer(token), allow_redirects=False)
        if response.status_code in (401, 403):
            self._forget(creds, token)  # expired or revoked: take a fresh token, once
            token = self._token(creds)
            response = self._send("GET", url, params=params, headers=self._bearer(token), allow_redirects=False)
            if response.status_code in (401, 403):
                raise PermanentError(
                    f"the data custodian refused a fresh access token (HTTP {response.status_code})",
                    "credentials_rejected",
                )
        return response

    @staticmethod
    def _bearer(token: _Token) -> dict[str, str]:
        return {"Authorization": f"Bearer {token.value}", "Accept": ATOM_CONTENT_TYPE}

    def _token(self, creds: CmdCredentials) -> _Token:
        with self._lock:
            cached = self._tokens.get(creds.cache_key)
            if cached is not None and self._clock() < cached.expires_at:
                return cached
        token = self._request_token(creds)
        with self._lock:
            self._tokens[creds.cache_key] = token
        return token

    def _forget(self, creds: CmdCredentials, token: _Token) -> None:
        with self._lock:
            if self._tokens.get(creds.cache_key) is token:
                del self._tokens[creds.cache_key]

    def _request_token(self, creds: CmdCredentials) -> _Token:
        # RFC 6749 §2.3.1: id and secret are form-encoded before they are joined for Basic auth.
        basic = base64.b64encode(f"{quote_plus(creds.client_id)}:{quote_plus(creds.client_secret)}".encode()).decode()
        body = {"grant_type": "client_credentials"}
        if creds.scope:
            body["scope"] = creds.scope
        started = self._clock()
        response = self._send(
            "POST",
            creds.token_url,
            data=body,
            headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
            allow_redirects=False,
        )
        if response.status_code in (400, 401, 403):
            raise PermanentError(
                f"the token endpoint rejected the client credentials (HTTP {response.status_code}"
                f"{_oauth_error(response)})",
                "credentials_rejected",
            )
        if response.status_code != 200:
            raise PermanentError(f"the token endpoint answered HTTP {response.status_code}", "custodian_bad_response")
        try:
            payload = response.json()
            value = payload["access_token"]
            token_type = str(payload.get("token_type", "bearer"))
            expires_in = float(payload.get("expires_in", 300))
        except (ValueError, KeyError, TypeError):
            raise PermanentError("the token endpoint's answer has no access token", "custodian_bad_response") from None
        if not isinstance(value, str) or not value or token_type.lower() != "bearer":
            raise PermanentError("the token endpoint issued no usable bearer token", "custodian_bad_response")
        # Renew a little early so a token never expires between the check and the request.
        margin = min(30.0, expires_in / 10)
        logger.info("greenbutton_cmd access token issued", extra={"expires_in": expires_in})
        return _Token(value, started + max(0.0, expires_in - margin))

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        retrying = Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(method, url, **kwargs)
        except _Transient as exc:
            raise RetryableError(f"the data custodian is unavailable: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Transient(f"{method} {_redact(url)}: {type(exc).__name__}") from None
        if response.status_code in _TRANSIENT_STATUSES or response.status_code >= 500:
            raise _Transient(f"{method} {_redact(url)}: HTTP {response.status_code}", _retry_after(response))
        return response

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        backoff = wait_exponential(multiplier=self.backoff_seconds, max=self.backoff_max_seconds)
        return float(backoff(state))

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.max_attempts:
            return True
        exc = state.outcome.exception() if state.outcome else None
        # A server asking for a longer pause than a function should sleep: hand back to the platform.
        return isinstance(exc, _Transient) and (exc.retry_after or 0.0) > self.retry_after_max_seconds


def _redact(url: str) -> str:
    """Scheme, host and path only: query strings are the custodian's, not worth logging."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _oauth_error(response: requests.Response) -> str:
    """The RFC 6749 error code, if the body has one (a short token, safe to show)."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    if isinstance(error, str) and re.fullmatch(r"[a-z_]{1,40}", error):
        return f", {error}"
    return ""
