"""The Green Button Connect My Data connector against a loopback data custodian serving the corpus."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from greenbutton_custodian_stub import COASTAL_FILE, GAS_FILE, DataCustodianStub
from harness import CORPUS_DIR
from lxml import etree

from common.connectors.base import FetchRequest
from common.connectors.greenbutton_cmd import GreenButtonCmdConnector, next_link
from common.connectors.registry import default_registry
from common.errors import PermanentError, RetryableError
from common.extraction.espi import parse_espi
from common.models import JobType, UtilityAccount

NOW = datetime(2026, 11, 15, 12, 30, 45, tzinfo=UTC)
INTERVALS = FetchRequest(JobType.FETCH_INTERVALS)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def stub() -> Iterator[DataCustodianStub]:
    server = DataCustodianStub(CORPUS_DIR).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def connector(sleeps: list[float], clock: FakeClock) -> GreenButtonCmdConnector:
    return GreenButtonCmdConnector(sleep=sleeps.append, clock=clock, now=lambda: NOW, read_timeout=10)


def _account() -> UtilityAccount:
    return UtilityAccount(
        id="acct-1",
        customer_id="cust-1",
        provider="greenbutton_cmd",
        account_number="GB-1",
        credentials_secret_name="gb-cmd",
        created_at=NOW,
    )


def _fetch(connector: GreenButtonCmdConnector, credentials: str, request: FetchRequest = INTERVALS) -> Any:
    return connector.fetch(_account(), request, credentials)


def _reading_count(data: bytes) -> int:
    return sum(s.count for s in parse_espi(data).series)


def test_coastal_comes_in_two_self_contained_pages(stub: DataCustodianStub, connector: GreenButtonCmdConnector) -> None:
    files = _fetch(connector, stub.credentials("coastal"))

    assert [f.filename for f in files] == ["greenbutton-coastal-p1.xml", "greenbutton-coastal-p2.xml"]
    assert {f.content_type for f in files} == {"application/atom+xml"}
    assert next_link(files[0].data) is not None and next_link(files[1].data) is None
    counts = [_reading_count(f.data) for f in files]
    assert sum(counts) == 8760 and all(counts)
    assert stub.requests == {"token": 1, "batch": 2}
    # The window goes on the first request only; the second follows the custodian's cursor as given.
    assert stub.batch_params == [
        {"published-min": "2025-11-15T00:00:00Z", "published-max": "2026-11-15T12:30:45Z"},
        {"cursor": "p2"},
    ]
    assert stub.token_forms == [
        {
            "grant_type": "client_credentials",
            "scope": "FB=4_5_15;IntervalDuration=3600;BlockDuration=monthly;HistoryLength=13",
        }
    ]


def test_since_date_becomes_published_min(stub: DataCustodianStub, connector: GreenButtonCmdConnector) -> None:
    _fetch(connector, stub.credentials("gas"), FetchRequest(JobType.FULL_PIPELINE, since_date=date(2026, 8, 1)))

    assert stub.batch_params == [{"published-min": "2026-08-01T00:00:00Z", "published-max": "2026-11-15T12:30:45Z"}]


def test_months_window_clamps_to_month_end(stub: DataCustodianStub, sleeps: list[float], clock: FakeClock) -> None:
    connector = GreenButtonCmdConnector(sleep=sleeps.append, clock=clock, now=lambda: datetime(2026, 5, 31, tzinfo=UTC))
    _fetch(connector, stub.credentials("gas"), FetchRequest(JobType.FETCH_INTERVALS, months=3))

    assert stub.batch_params[0]["published-min"] == "2026-02-28T00:00:00Z"


def test_gas_subscription_is_the_corpus_file_byte_for_byte(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector
) -> None:
    files = _fetch(connector, stub.credentials("gas"))

    assert [(f.filename, f.data) for f in files] == [("greenbutton-gas-p1.xml", (CORPUS_DIR / GAS_FILE).read_bytes())]


def test_start_index_paging(stub: DataCustodianStub, connector: GreenButtonCmdConnector) -> None:
    files = _fetch(connector, stub.credentials("coastal", max_results=5))

    assert len(files) == 3  # 12 monthly IntervalBlocks, 5 per page
    assert [p.get("start-index") for p in stub.batch_params] == ["1", "6", "11"]
    assert {p["max-results"] for p in stub.batch_params} == {"5"}
    assert "published-min" in stub.batch_params[0]
    assert sum(_reading_count(f.data) for f in files) == 8760


def test_token_is_cached_across_fetches_until_it_expires(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector, clock: FakeClock
) -> None:
    _fetch(connector, stub.credentials("gas"))
    _fetch(connector, stub.credentials("coastal"))
    assert stub.requests["token"] == 1
    assert stub.requests["batch"] == 3

    clock.t += stub.token_ttl  # past the token's lifetime on the connector's clock: renewed before use
    _fetch(connector, stub.credentials("gas"))
    assert stub.requests["token"] == 2
    assert ("batch", 401) not in stub.statuses


def test_a_token_rejected_by_the_custodian_is_refreshed_once(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector
) -> None:
    _fetch(connector, stub.credentials("gas"))
    stub.expire_tokens()  # the custodian revoked it early: only a 401 can tell

    files = _fetch(connector, stub.credentials("coastal"))

    assert len(files) == 2
    assert stub.requests["token"] == 2
    assert [s for k, s in stub.statuses if k == "batch"] == [200, 401, 200, 200]


def test_a_refreshed_token_rejected_again_is_permanent(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector
) -> None:
    stub.token_ttl = 0.0  # every token the custodian issues is already expired

    with pytest.raises(PermanentError) as caught:
        _fetch(connector, stub.credentials("coastal"))

    assert caught.value.reason_code == "credentials_rejected"
    assert stub.requests == {"token": 2, "batch": 2}


def test_wrong_client_secret_is_rejected_without_retries(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector
) -> None:
    with pytest.raises(PermanentError) as caught:
        _fetch(connector, stub.credentials("coastal", client_secret="not-the-secret"))

    assert caught.value.reason_code == "credentials_rejected"
    assert "invalid_client" in caught.value.message
    assert stub.requests == {"token": 1}


def test_retries_honour_retry_after_and_back_off(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector, sleeps: list[float]
) -> None:
    stub.inject("batch", 429, retry_after=7)
    stub.inject("batch", 503, times=2)

    files = _fetch(connector, stub.credentials("coastal"))

    assert len(files) == 2
    assert [s for k, s in stub.statuses if k == "batch"] == [429, 503, 503, 200, 200]
    assert sleeps[0] == 7  # the server's Retry-After, not the backoff
    assert 0 < sleeps[1] < sleeps[2] <= connector.backoff_max_seconds
    assert stub.requests["token"] == 1


def test_token_endpoint_trouble_is_retried_too(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector, sleeps: list[float]
) -> None:
    stub.inject("token", 502)

    assert len(_fetch(connector, stub.credentials("gas"))) == 1
    assert stub.requests["token"] == 2 and len(sleeps) == 1


def test_exhausted_retries_hand_back_to_the_platform(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector, sleeps: list[float]
) -> None:
    stub.inject("batch", 503, times=10)

    with pytest.raises(RetryableError):
        _fetch(connector, stub.credentials("gas"))

    assert stub.requests["batch"] == connector.max_attempts == 5
    assert len(sleeps) == 4 and max(sleeps) <= connector.backoff_max_seconds


def test_a_retry_after_longer_than_a_function_should_sleep_is_not_slept(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector, sleeps: list[float]
) -> None:
    stub.inject("batch", 429, retry_after=3600)

    with pytest.raises(RetryableError):
        _fetch(connector, stub.credentials("gas"))

    assert stub.requests["batch"] == 1 and sleeps == []


def test_connection_refused_is_retryable(stub: DataCustodianStub, connector: GreenButtonCmdConnector) -> None:
    credentials = stub.credentials("gas")
    stub.stop()

    with pytest.raises(RetryableError):
        _fetch(connector, credentials)


def test_missing_subscription(stub: DataCustodianStub, connector: GreenButtonCmdConnector) -> None:
    with pytest.raises(PermanentError) as caught:
        _fetch(connector, stub.credentials("missing"))

    assert caught.value.reason_code == "subscription_not_found"
    assert stub.requests["batch"] == 1


@pytest.mark.parametrize("subscription", ["loop", "elsewhere"])
def test_paging_that_loops_or_leaves_the_custodian_stops(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector, subscription: str
) -> None:
    with pytest.raises(PermanentError) as caught:
        _fetch(connector, stub.credentials(subscription))

    assert caught.value.reason_code == "custodian_bad_response"
    assert stub.requests["batch"] == 1


@pytest.mark.parametrize(
    "credentials",
    [
        "not json",
        "[]",
        json.dumps({"token_url": "http://127.0.0.1:1/t"}),
        json.dumps(
            {
                "token_url": "http://utility.example/token",  # clear text off this machine
                "client_id": "c",
                "client_secret": "s",
                "resource_base_url": "https://utility.example/espi",
                "subscription_id": "1",
            }
        ),
        json.dumps(
            {
                "token_url": "https://u.example/t",
                "client_id": "c",
                "client_secret": "s",
                "resource_base_url": "https://u.example/espi",
                "subscription_id": "1",
                "max_results": "lots",
            }
        ),
    ],
)
def test_malformed_credentials(connector: GreenButtonCmdConnector, credentials: str) -> None:
    with pytest.raises(PermanentError) as caught:
        _fetch(connector, credentials)

    assert caught.value.reason_code == "credentials_invalid"


def test_credential_errors_never_echo_the_secret(connector: GreenButtonCmdConnector) -> None:
    body = {"token_url": "https://u.example/t", "client_id": "c", "client_secret": "TOPSECRET-VALUE", "extra": 1}
    with pytest.raises(PermanentError) as caught:
        _fetch(connector, json.dumps(body))

    assert "TOPSECRET" not in str(caught.value)


def test_fetch_bills_returns_nothing_and_makes_no_request(
    stub: DataCustodianStub, connector: GreenButtonCmdConnector
) -> None:
    assert _fetch(connector, stub.credentials("coastal"), FetchRequest(JobType.FETCH_BILLS)) == []
    assert not stub.requests


def test_secrets_and_tokens_never_reach_logs(
    stub: DataCustodianStub,
    connector: GreenButtonCmdConnector,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3's debug lines included
    stub.expire_tokens()
    stub.inject("batch", 503)
    _fetch(connector, stub.credentials("coastal"))
    stub.token_ttl = 0.0
    stub.expire_tokens()
    with pytest.raises(PermanentError) as caught:
        _fetch(connector, stub.credentials("coastal"))

    out, err = capfd.readouterr()
    logged = "\n".join(
        [r.getMessage() + " " + json.dumps(r.__dict__, default=str) for r in caplog.records]
        + [out, err, str(caught.value)]
    )
    assert caplog.records  # something was logged, so the check means something
    assert stub.issued
    for secret in [stub.client_secret, *stub.issued]:
        assert secret not in logged


def test_hardened_next_link_parser_refuses_entities_and_non_feeds() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa">]><feed xmlns="http://www.w3.org/2005/Atom">&a;</feed>'
    external = (
        b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><link rel="next" href="&x;"/></feed>'
    )
    for page in (bomb, external, b"<html/>", b"not xml"):
        with pytest.raises(PermanentError) as caught:
            next_link(page)
        assert caught.value.reason_code == "custodian_bad_response"
    assert next_link((CORPUS_DIR / COASTAL_FILE).read_bytes()) is None
    feed = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="next" href="/x"/></entry></feed>'
    assert next_link(feed) is None  # only the feed's own links page
    assert etree.fromstring(feed) is not None


def test_registered_with_only_the_interval_tool() -> None:
    connector = default_registry().for_provider("greenbutton_cmd")

    assert connector.needs_credentials
    assert [t.name for t in connector.tools()] == ["fetch_intervals"]
