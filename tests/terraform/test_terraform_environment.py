"""Every environment variable the code reads (common.config.Settings) is set on the deployed functions."""

from __future__ import annotations

import re
import typing

import pytest
import tfconfig
from tfconfig import expr, map_keys

from common import topology
from common.config import Settings

ROOT = tfconfig.root()

# Read by the code, deliberately not set on the deployed functions.
LOCAL_ONLY = {
    "LOCAL_DATA_DIR": "embedded mode's buckets, dead letters and DuckDB file; the cloud has GCS and BigQuery",
    "EVENT_ROUTER_URL": "the local event router; in the cloud events arrive through Pub/Sub",
    "WAREHOUSE_PATH": "the DuckDB warehouse file; the cloud warehouse is BigQuery (BQ_DATASET)",
    "LOCAL_SECRETS_FILE": "a local JSON file of secrets; the cloud reads Secret Manager",
    "GEMINI_BASE_URL": "points the Gemini client at the loopback stub in tests; the cloud uses Google's endpoint",
    "DB_URL": "a host/port connection string for local and emulated Postgres; the cloud connects through the "
    "Cloud SQL connector (INSTANCE_CONNECTION_NAME, DB_NAME, DB_USER, DB_PASSWORD)",
    "PUBSUB_EMULATOR_HOST": "emulated mode only; cloud mode refuses it",
    "STORAGE_EMULATOR_HOST": "emulated mode only; cloud mode refuses it",
    "BIGQUERY_EMULATOR_HOST": "emulated mode only; cloud mode refuses it",
    "SECRET_MANAGER_EMULATOR_HOST": "emulated mode only; cloud mode refuses it",
}

# Set only on some functions, or only when the operator opts in.
OPTIONAL = {
    "GEMINI_API_KEY": "only api (agent) and extract (bill cascade) call Gemini, and only when a key secret is named",
}

# Values that must never be plain environment variables.
SECRET_NAME_PATTERN = re.compile(r"(PASSWORD|API_KEY|TOKEN|CREDENTIALS)$")


def settings_variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        names.add((field.alias or name).upper())
    return names


def function_environment(function: str) -> tuple[set[str], set[str]]:
    call = ROOT.modules[function]
    return map_keys(ROOT, call["environment"]), map_keys(ROOT, call.get("secret_environment", {}))


FUNCTIONS = [fn.name for fn in topology.FUNCTIONS]


def test_exceptions_name_real_settings() -> None:
    known = settings_variables()
    assert set(LOCAL_ONLY) <= known, f"stale LOCAL_ONLY entries: {set(LOCAL_ONLY) - known}"
    assert set(OPTIONAL) <= known, f"stale OPTIONAL entries: {set(OPTIONAL) - known}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_setting_a_function_needs_is_set(function: str) -> None:
    plain, secret = function_environment(function)
    required = settings_variables() - set(LOCAL_ONLY) - set(OPTIONAL)
    missing = required - plain - secret
    assert not missing, (
        f"{function}: Settings reads {sorted(missing)} but terraform/functions.tf does not set them "
        "(set them in local.function_env / function_secret_env, or list them in LOCAL_ONLY with a reason)"
    )


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_variable_set_is_one_the_code_reads(function: str) -> None:
    plain, secret = function_environment(function)
    unknown = (plain | secret) - settings_variables()
    assert not unknown, f"{function}: {sorted(unknown)} are set but common/config.py reads no such variable"
    local_only = (plain | secret) & set(LOCAL_ONLY)
    assert not local_only, f"{function}: local-only variables set in the cloud: {sorted(local_only)}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_secrets_are_secret_environment_variables(function: str) -> None:
    plain, secret = function_environment(function)
    leaked = {name for name in plain if SECRET_NAME_PATTERN.search(name)}
    assert not leaked, f"{function}: {sorted(leaked)} must come from Secret Manager (secret_environment)"
    assert secret, f"{function}: no secret environment (DB_PASSWORD)"


def test_gemini_key_reaches_only_the_functions_that_ask_gemini() -> None:
    # api: the agent's planner; extract: step 4 of the bill cascade. ingest and load never call a model.
    for function in FUNCTIONS:
        _, secret = function_environment(function)
        assert ("GEMINI_API_KEY" in secret) == (function in ("api", "extract")), function
    assert "var.gemini_api_key_secret_id == null" in expr(ROOT.local("gemini_secret_env"))


def test_literal_values_are_ones_the_settings_accept() -> None:
    env = ROOT.local("function_env")
    assert env["MINIMETER_MODE"] == "cloud"
    # Every plain literal value must validate as its Settings field would read it from the environment.
    literals = {k: v for k, v in env.items() if isinstance(v, str) and "${" not in v}
    settings = Settings.model_validate(literals)
    assert settings.mode == "cloud"
    assert settings.db_ip_type == "PUBLIC"  # the instance has a public IP only (sql.tf)
    assert settings.db_iam_auth is False  # password authentication (DB_PASSWORD from Secret Manager)
    assert "PUBLIC" in typing.get_args(Settings.model_fields["db_ip_type"].annotation)


# max_connections of Cloud SQL for PostgreSQL by tier, less the 3 connections reserved for superusers.
USABLE_CONNECTIONS = {"db-f1-micro": 25 - 3, "db-g1-small": 50 - 3}


def test_the_functions_cannot_exhaust_the_default_database_tier() -> None:
    sizing = ROOT.local("function_sizing")
    pool = ROOT.variables["db_pool_size"]["default"]
    tier = ROOT.variables["sql_tier"]["default"]
    worst = sum(s["max_instances"] for s in sizing.values()) * pool
    assert worst <= USABLE_CONNECTIONS[tier], (
        f"{worst} connections can be opened, {tier} allows {USABLE_CONNECTIONS[tier]}"
    )
    assert expr(ROOT.local("function_env")["DB_POOL_SIZE"]) == "tostring(var.db_pool_size)"
    field = Settings.model_fields["db_pool_size"]
    assert field.default >= 1


def test_secret_names_default_to_the_code_s_defaults() -> None:
    defaults = Settings.model_construct()
    assert ROOT.variables["utility_credentials_secret_id"]["default"] == defaults.secret_name
    assert ROOT.variables["admin_key_secret_id"]["default"] == defaults.admin_key_secret
    assert ROOT.variables["gemini_model"]["default"] == defaults.gemini_model
    assert ROOT.variables["max_upload_bytes"]["default"] == defaults.max_upload_bytes
    dataset = ROOT.resource("google_bigquery_dataset", "warehouse")
    assert dataset["dataset_id"] == defaults.bq_dataset
