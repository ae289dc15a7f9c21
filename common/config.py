"""The only module that reads the environment: one Settings object, cached per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.topology import INGESTION_TOPIC


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    mode: Literal["embedded", "emulated", "cloud"] = Field(
        default="embedded", alias="MINIMETER_MODE", description="Which adapters to wire."
    )
    gcp_project: str = Field(default="minimeter-local", alias="GCP_PROJECT")
    db_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/minimeter",
        alias="DB_URL",
        description="postgresql://user[:password]@host:port/db",
    )
    pubsub_topic: str = Field(default=INGESTION_TOPIC, alias="PUBSUB_TOPIC")
    bq_dataset: str = Field(default="minimeter", alias="BQ_DATASET")
    secret_name: str = Field(
        default="utility-credentials",
        alias="SECRET_NAME",
        description="Default secret holding utility credentials when an account names none.",
    )
    raw_bucket: str = Field(default="minimeter-raw", alias="RAW_BUCKET")
    normalized_bucket: str = Field(default="minimeter-normalized", alias="NORMALIZED_BUCKET")
    local_data_dir: Path = Field(default=Path(".minimeter"), alias="LOCAL_DATA_DIR")
    event_router_url: str | None = Field(default=None, alias="EVENT_ROUTER_URL")
    warehouse_path: Path | None = Field(default=None, alias="WAREHOUSE_PATH")
    local_secrets_file: Path | None = Field(default=None, alias="LOCAL_SECRETS_FILE")
    gemini_api_key: str | None = Field(default=None, alias="GEMINI_API_KEY", repr=False)
    gemini_model: str = Field(default="gemini-2.5-flash", alias="GEMINI_MODEL")
    gemini_base_url: str | None = Field(default=None, alias="GEMINI_BASE_URL")
    ocr: Literal["tesseract", "off"] = Field(
        default="tesseract",
        alias="MINIMETER_OCR",
        description="How a bill PDF without a text layer (a scan) is read before it goes to review.",
    )
    admin_key_secret: str = Field(
        default="minimeter-admin-key",
        alias="ADMIN_KEY_SECRET",
        description="Secret holding the admin API key (full access; creates customers and their keys).",
    )
    # --- emulated and cloud modes (common/adapters/gcs, pubsub, bigquery, secret_manager, cloudsql) ---
    # Emulated mode needs every *_EMULATOR_HOST (host:port or http://host:port, loopback); cloud mode
    # refuses them, so a stray variable never sends production traffic to an emulator or vice versa.
    pubsub_emulator_host: str | None = Field(default=None, alias="PUBSUB_EMULATOR_HOST")
    storage_emulator_host: str | None = Field(default=None, alias="STORAGE_EMULATOR_HOST")
    bigquery_emulator_host: str | None = Field(default=None, alias="BIGQUERY_EMULATOR_HOST")
    secret_manager_emulator_host: str | None = Field(
        default=None,
        alias="SECRET_MANAGER_EMULATOR_HOST",
        description="Secret Manager REST endpoint of a loopback stub (emulated mode only).",
    )
    bq_location: str = Field(default="US", alias="BQ_LOCATION", description="Location of the BigQuery dataset.")
    instance_connection_name: str | None = Field(
        default=None,
        alias="INSTANCE_CONNECTION_NAME",
        description="project:region:instance; when set, Postgres is reached through the Cloud SQL connector "
        "(DB_USER, DB_PASSWORD or DB_IAM_AUTH, DB_NAME) instead of DB_URL.",
    )
    db_user: str = Field(
        default="minimeter",
        alias="DB_USER",
        description="Cloud SQL user; with IAM auth the service account email without .gserviceaccount.com.",
    )
    db_password: str | None = Field(default=None, alias="DB_PASSWORD", repr=False)
    db_name: str = Field(default="minimeter", alias="DB_NAME")
    db_iam_auth: bool = Field(default=False, alias="DB_IAM_AUTH", description="Cloud SQL IAM database auth.")
    db_ip_type: Literal["PUBLIC", "PRIVATE", "PSC"] = Field(default="PRIVATE", alias="DB_IP_TYPE")
    db_pool_size: int = Field(default=5, ge=1, le=50, alias="DB_POOL_SIZE", description="Connections per instance.")
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, alias="MAX_UPLOAD_BYTES")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")

    @property
    def buckets_dir(self) -> Path:
        return self.local_data_dir / "buckets"

    @property
    def dead_letter_dir(self) -> Path:
        return self.local_data_dir / "dead-letters"

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse_path or self.local_data_dir / "warehouse.duckdb"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


SECRET_ENV_PREFIX = "MINIMETER_SECRET_"  # noqa: S105 - a variable-name prefix, not a secret


def secret_environment() -> dict[str, str]:
    """Secrets given to a local run as `MINIMETER_SECRET_<NAME>` variables."""
    import os

    return {k: v for k, v in os.environ.items() if k.startswith(SECRET_ENV_PREFIX)}
