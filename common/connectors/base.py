"""Connectors fetch a utility account's files; the registry routes a provider to its connector."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date

from common.errors import PermanentError
from common.models import JobType, ToolSpec, UtilityAccount


@dataclass(frozen=True)
class FetchRequest:
    job_type: JobType
    since_date: date | None = None
    months: int = 12


@dataclass(frozen=True)
class FetchedFile:
    filename: str
    content_type: str
    data: bytes


class Connector(ABC):
    provider: str
    description: str
    needs_credentials = True

    @abstractmethod
    def fetch(self, account: UtilityAccount, request: FetchRequest, credentials: str) -> list[FetchedFile]:
        """Return the account's files. Raise RetryableError for transient provider trouble."""

    def tools(self) -> list[ToolSpec]:
        """The actions an agent may take with this connector, as function declarations."""
        window = {
            "type": "object",
            "properties": {
                "months": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 120,
                    "description": "How many months back to fetch.",
                },
                "since_date": {
                    "type": "string",
                    "format": "date",
                    "description": "Only periods ending on or after this date.",
                },
            },
        }
        return [
            ToolSpec(name="fetch_bills", description=f"Download bill PDFs from {self.description}.", parameters=window),
            ToolSpec(
                name="fetch_intervals",
                description=f"Download Green Button interval data from {self.description}.",
                parameters=window,
            ),
        ]


TOOL_JOB_TYPES = {"fetch_bills": JobType.FETCH_BILLS, "fetch_intervals": JobType.FETCH_INTERVALS}


class ConnectorRegistry:
    def __init__(self, connectors: list[Connector]) -> None:
        self._by_provider = {c.provider: c for c in connectors}

    def providers(self) -> list[str]:
        return sorted(self._by_provider)

    def for_provider(self, provider: str) -> Connector:
        try:
            return self._by_provider[provider]
        except KeyError:
            raise PermanentError(f"no connector for provider {provider!r}", "unknown_provider") from None


class ManualConnector(Connector):
    """Accounts whose files arrive only by upload or file drop: there is nothing to fetch."""

    provider = "manual"
    description = "files uploaded by the customer"
    needs_credentials = False

    def fetch(self, account: UtilityAccount, request: FetchRequest, credentials: str) -> list[FetchedFile]:
        return []

    def tools(self) -> list[ToolSpec]:
        return []
