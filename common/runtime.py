"""Wires the ports for this process from Settings: created lazily, cached per instance."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from common.config import Settings, get_settings, secret_environment
from common.core.pipeline import StageContext
from common.ports import LLM, BlobStore, Database, Publisher, Secrets, Warehouse


@dataclass
class Ports:
    blobs: BlobStore
    publisher: Publisher
    database: Database
    warehouse: Warehouse
    secrets: Secrets
    settings: Settings

    def stage_context(self) -> StageContext:
        return StageContext(self.database, self.blobs, self.settings.raw_bucket, self.settings.normalized_bucket)


_lock = threading.Lock()
_ports: Ports | None = None


def build_ports(settings: Settings) -> Ports:
    """Adapters for the configured mode. Constructors do not touch the network."""
    if settings.mode != "embedded":
        raise RuntimeError(f"MINIMETER_MODE={settings.mode!r}: only the embedded adapters are wired in this build")
    from common.adapters.duckdb_warehouse import DuckDBWarehouse
    from common.adapters.env_secrets import EnvSecrets
    from common.adapters.local_blob import LocalBlobStore
    from common.adapters.local_bus import RouterPublisher
    from common.adapters.postgres import PostgresDatabase

    router = settings.event_router_url
    if not router:
        raise RuntimeError("EVENT_ROUTER_URL is required in embedded mode (python -m local up sets it)")
    return Ports(
        blobs=LocalBlobStore(settings.buckets_dir, settings.gcp_project, router),
        publisher=RouterPublisher(router, settings.gcp_project),
        database=PostgresDatabase.from_url(settings.db_url),
        warehouse=DuckDBWarehouse(settings.duckdb_path),
        secrets=EnvSecrets(secret_environment(), settings.local_secrets_file),
        settings=settings,
    )


def get_ports() -> Ports:
    global _ports
    with _lock:
        if _ports is None:
            _ports = build_ports(get_settings())
        return _ports


def set_ports(ports: Ports | None) -> None:
    """Tests inject ports built on their own fixtures; None resets to lazy wiring."""
    global _ports
    with _lock:
        _ports = ports


_llm_built = False
_llm: LLM | None = None


def get_llm() -> LLM | None:
    """The configured language model, or None: the deterministic paths are the default."""
    global _llm, _llm_built
    with _lock:
        if not _llm_built:
            settings = get_settings()
            if settings.gemini_api_key:
                from common.adapters.gemini import GeminiLLM

                _llm = GeminiLLM(settings.gemini_api_key, settings.gemini_model, settings.gemini_base_url)
            _llm_built = True
        return _llm
