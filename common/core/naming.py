"""Object names are content hashes, so a redelivered write lands on the same name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.errors import PermanentError

_RAW = re.compile(r"^raw/(?P<customer>[A-Za-z0-9_-]+)/(?P<account>[A-Za-z0-9_-]+)/(?P<sha>[0-9a-f]{64})\.[a-z0-9]+$")


def raw_object_name(customer_id: str, account_id: str, sha256: str, extension: str) -> str:
    return f"raw/{customer_id}/{account_id}/{sha256}.{extension}"


def normalized_object_name(customer_id: str, account_id: str, sha256: str) -> str:
    return f"normalized/{customer_id}/{account_id}/{sha256}.json"


def intervals_object_name(customer_id: str, account_id: str, sha256: str) -> str:
    return f"normalized/{customer_id}/{account_id}/{sha256}.intervals.parquet"


@dataclass(frozen=True)
class RawName:
    customer_id: str
    account_id: str
    sha256: str


def parse_raw_name(name: str) -> RawName:
    match = _RAW.match(name)
    if not match:
        raise PermanentError(f"object {name!r} is not a raw artifact name", "ignored_object")
    return RawName(match["customer"], match["account"], match["sha"])


def artifact_id(account_id: str, sha256: str) -> str:
    return f"{account_id}:{sha256}"
