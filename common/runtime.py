"""Wires the ports for this process from Settings: created lazily, cached per instance."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from common.config import Settings, get_settings, secret_environment
from common.core.pipeline import StageContext
from common.ports import LLM, BlobStore, Database, DeadLetterStore, Publisher, Secrets, Warehouse


@dataclass
class Ports:
    blobs: BlobStore
    publisher: Publisher
    database: Database
    warehouse: Warehouse
    secrets: Secrets
    settings: Settings
    dead_letters: DeadLetterStore | None = None  # None where the platform keeps them out of reach

    def stage_context(self) -> StageContext:
        return StageContext(self.database, self.blobs, self.settings.raw_bucket, self.settings.normalized_bucket)


_lock = threading.Lock()
_ports: Ports | None = None


def build_ports(settings: Settings) -> Ports:
    """Adapters for the configured mode. Constructors do not touch the network."""
    if settings.mode != "embedded":
        return build_google_ports(settings)
    from common.adapters.duckdb_warehouse import DuckDBWarehouse
    from common.adapters.env_secrets import EnvSecrets
    from common.adapters.local_blob import LocalBlobStore
    from common.adapters.local_bus import RouterPublisher
    from common.adapters.local_dead_letters import LocalDeadLetterStore
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
        dead_letters=LocalDeadLetterStore(settings.dead_letter_dir, router),
    )


EMULATOR_HOSTS = {
    "PUBSUB_EMULATOR_HOST": "pubsub_emulator_host",
    "STORAGE_EMULATOR_HOST": "storage_emulator_host",
    "BIGQUERY_EMULATOR_HOST": "bigquery_emulator_host",
    "SECRET_MANAGER_EMULATOR_HOST": "secret_manager_emulator_host",
}


def build_google_ports(settings: Settings) -> Ports:
    """The emulated and cloud modes: the Google client libraries behind the same ports.

    Emulated: every *_EMULATOR_HOST must be set (anonymous credentials, loopback). Cloud: none may be
    (the environment's default credentials, Google's endpoints; Postgres through the Cloud SQL
    connector when INSTANCE_CONNECTION_NAME is set).
    """
    from common.adapters.bigquery import BigQueryWarehouse
    from common.adapters.cloudsql import database_from_settings
    from common.adapters.gcs import GcsBlobStore
    from common.adapters.pubsub import PubSubPublisher
    from common.adapters.pubsub_dead_letters import PubSubDeadLetterStore
    from common.adapters.secret_manager import SecretManagerSecrets

    hosts = {name: getattr(settings, field) for name, field in EMULATOR_HOSTS.items()}
    if settings.mode == "emulated":
        missing = sorted(name for name, host in hosts.items() if not host)
        if missing:
            names = ", ".join(missing)
            raise RuntimeError(f"MINIMETER_MODE=emulated needs {names} (python -m local emulate sets them)")
    else:
        stray = sorted(name for name, host in hosts.items() if host)
        if stray:
            raise RuntimeError(f"MINIMETER_MODE=cloud refuses emulator settings: unset {', '.join(stray)}")
    return Ports(
        blobs=GcsBlobStore(settings.gcp_project, emulator_host=settings.storage_emulator_host),
        publisher=PubSubPublisher(settings.gcp_project, emulator_host=settings.pubsub_emulator_host),
        database=database_from_settings(settings),
        warehouse=BigQueryWarehouse(
            settings.gcp_project,
            settings.bq_dataset,
            location=settings.bq_location,
            emulator_host=settings.bigquery_emulator_host,
        ),
        secrets=SecretManagerSecrets(settings.gcp_project, endpoint=settings.secret_manager_emulator_host),
        settings=settings,
        # The dead-letter topics' -hold pull subscriptions (common/topology.dead_letter_hold_subscription).
        dead_letters=PubSubDeadLetterStore(settings.gcp_project, emulator_host=settings.pubsub_emulator_host),
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


_llm_settings: Settings | None = None
_llm: LLM | None = None


def get_llm() -> LLM | None:
    """The language model the ports' settings configure, or None: the deterministic paths are the default."""
    global _llm, _llm_settings
    settings = get_ports().settings  # outside the lock: get_ports takes it
    with _lock:
        if _llm_settings is not settings:
            _llm = None
            if settings.gemini_api_key:
                from common.adapters.gemini import GeminiLLM

                _llm = GeminiLLM(settings.gemini_api_key, settings.gemini_model, settings.gemini_base_url)
            _llm_settings = settings
        return _llm
