"""Who is calling: the admin key (from the Secrets port) or a customer's API key (stored hashed).

A customer key sees only its customer's data; anything else answers 404, so ids of other tenants
cannot even be confirmed to exist.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as token_source
import threading
import time
from dataclasses import dataclass

from common.errors import Forbidden, NotFound, Unauthenticated
from common.models import ApiKeyCreated, utcnow
from common.ports import Database, Secrets

KEY_PREFIX = "mmk_"
ADMIN_KEY_PREFIX = KEY_PREFIX + "admin_"  # as terraform/secrets.tf writes the cloud's
_ADMIN_KEY_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Principal:
    customer_id: str | None  # None: the admin

    @property
    def is_admin(self) -> bool:
        return self.customer_id is None


def hash_key(api_key: str) -> str:
    """Keys are 256-bit random tokens, so a plain SHA-256 is as strong as a slow password hash here."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_admin_key() -> str:
    """A local stack's admin key. The prefix keeps it from starting with `-` (a URL-safe token does one time in 64),
    which `--api-key KEY` on a command line would take for an option."""
    return ADMIN_KEY_PREFIX + token_source.token_urlsafe(32)


def issue_api_key(db: Database, customer_id: str) -> ApiKeyCreated:
    api_key = KEY_PREFIX + token_source.token_urlsafe(32)
    key_id = "key_" + token_source.token_hex(8)
    db.store_api_key(key_id, customer_id, hash_key(api_key))
    return ApiKeyCreated(id=key_id, customer_id=customer_id, api_key=api_key, created_at=utcnow())


class AdminKeyCache:
    """The admin key, read through the Secrets port at most once a minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[float, str, str | None] | None = None  # (read at, secret name, hash)

    def admin_hash(self, secrets: Secrets, secret_name: str) -> str | None:
        with self._lock:
            now = time.monotonic()
            if self._cached and self._cached[1] == secret_name and now - self._cached[0] < _ADMIN_KEY_TTL_SECONDS:
                return self._cached[2]
            try:
                value: str | None = hash_key(secrets.get(secret_name))
            except NotFound:
                value = None  # no admin key configured: only customer keys work
            self._cached = (now, secret_name, value)
            return value


def presented_key(authorization: str | None, api_key_header: str | None) -> str | None:
    if api_key_header:
        return api_key_header.strip()
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def authenticate(key: str | None, db: Database, admin_hash: str | None) -> Principal:
    if not key or len(key) > 200:
        raise Unauthenticated("an API key is required (X-API-Key or Authorization: Bearer)")
    digest = hash_key(key)
    if admin_hash is not None and hmac.compare_digest(digest, admin_hash):
        return Principal(customer_id=None)
    customer_id = db.customer_for_api_key(digest)
    if customer_id is None:
        raise Unauthenticated("unknown or revoked API key")
    return Principal(customer_id=customer_id)


def authorize_customer(principal: Principal, customer_id: str, what: str = "customer") -> None:
    if not principal.is_admin and principal.customer_id != customer_id:
        raise NotFound(f"{what} not found")


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("this operation needs the admin key")
