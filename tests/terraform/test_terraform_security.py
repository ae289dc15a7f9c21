"""Least privilege and safe defaults, checked in the configuration text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tfconfig
from tfconfig import expr

from common import topology

ROOT = tfconfig.root()
MODULE = tfconfig.module()
TF_FILES = sorted(tfconfig.TERRAFORM_DIR.rglob("*.tf"))
BASIC_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}


@pytest.mark.parametrize("config", [ROOT, MODULE], ids=["root", "module"])
def test_every_variable_is_typed_and_described(config: tfconfig.Config) -> None:
    for name, body in config.variables.items():
        assert body.get("type"), f"variable {name} has no type"
        assert len(str(body.get("description", ""))) >= 10, f"variable {name} has no description"


@pytest.mark.parametrize("config", [ROOT, MODULE], ids=["root", "module"])
def test_every_output_is_described(config: tfconfig.Config) -> None:
    for name, body in config.outputs.items():
        assert body.get("description"), f"output {name} has no description"


def test_provider_constraints_are_declared() -> None:
    providers = ROOT.terraform[0]["required_providers"]
    providers = providers[0] if isinstance(providers, list) else providers
    for name in ("google", "google-beta", "random", "archive"):
        assert providers[name]["version"], name
    assert ROOT.terraform[0]["required_version"].startswith(">=")


def test_no_basic_roles_and_no_public_members() -> None:
    for config in (ROOT, MODULE):
        for (type_, name), body in config.resources.items():
            if not re.search(r"_iam_(member|binding)$", type_):
                continue
            assert body["role"] not in BASIC_ROLES, f"{type_}.{name}"
            members = [body.get("member", ""), *body.get("members", [])]
            for member in members:
                assert member not in {"allUsers", "allAuthenticatedUsers"}, f"{type_}.{name} is public"


def test_every_project_role_of_a_function_says_why() -> None:
    roles = ROOT.local("project_roles")
    assert set(roles) == {fn.name for fn in topology.FUNCTIONS}
    for function, granted in roles.items():
        for role, why in granted.items():
            assert role not in BASIC_ROLES, (function, role)
            assert len(why) >= 20, f"{function}: {role} has no reason"


def test_every_iam_grant_carries_a_comment() -> None:
    """Each *_iam_member resource is preceded by a comment, or comments its role on the role line."""
    for path in TF_FILES:
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if not re.match(r'resource "google_\w+_iam_(member|binding)"', line):
                continue
            before = lines[number - 1].strip() if number else ""
            body = "\n".join(lines[number : number + 12])
            role_line = next((b for b in body.splitlines() if b.strip().startswith("role ")), "")
            assert before.startswith("#") or "#" in role_line, f"{path.name}:{number + 1}: IAM grant without a reason"


def test_each_function_has_its_own_service_account() -> None:
    ids = [call["service_account_id"] for call in ROOT.modules.values()]
    assert len(set(ids)) == len(ids) == len(topology.FUNCTIONS)
    assert MODULE.resource("google_service_account", "runtime")
    function = MODULE.resource("google_cloudfunctions2_function", "this")
    service = tfconfig.block(function, "service_config")
    assert expr(service["service_account_email"]) == "google_service_account.runtime.email"


def test_only_the_api_is_reachable_from_outside_and_only_with_iam() -> None:
    for name, call in ROOT.modules.items():
        expected = "ALLOW_ALL" if name == "api" else "ALLOW_INTERNAL_ONLY"
        assert call["ingress"] == expected, name
        assert ("invokers" in call) == (name == "api"), name
    assert expr(ROOT.modules["api"]["invokers"]) == "var.api_invokers"
    invoker = MODULE.resource("google_cloud_run_service_iam_member", "invoker")
    assert invoker["role"] == "roles/run.invoker"
    assert expr(invoker["for_each"]) == "toset(var.invokers)"
    validation = ROOT.variables["api_invokers"]["validation"]
    validation = validation[0] if isinstance(validation, list) else validation
    assert "user|group|serviceAccount|domain" in validation["condition"]


def test_data_is_protected_by_default() -> None:
    assert ROOT.variables["deletion_protection"]["default"] is True
    sql = ROOT.resource("google_sql_database_instance", "main")
    assert sql["deletion_protection"] == "${var.deletion_protection}"
    settings = tfconfig.block(sql, "settings")
    assert settings["deletion_protection_enabled"] == "${var.deletion_protection}"
    backup = tfconfig.block(settings, "backup_configuration")
    assert backup["enabled"] is True and backup["point_in_time_recovery_enabled"] is True
    assert sql["database_version"] == "POSTGRES_15"
    assert not tfconfig.block(settings, "ip_configuration").get("authorized_networks")
    for name, bucket in ROOT.resources_of("google_storage_bucket").items():
        assert bucket["uniform_bucket_level_access"] is True, name
        assert bucket["public_access_prevention"] == "enforced", name
        assert tfconfig.block(bucket, "versioning")["enabled"] is True, name


def test_database_password_is_generated_and_kept_in_secret_manager() -> None:
    assert ROOT.resource("random_password", "db")
    assert expr(ROOT.resource("google_sql_user", "app")["password"]) == "random_password.db.result"
    version = ROOT.resource("google_secret_manager_secret_version", "db_password")
    assert expr(version["secret_data"]) == "random_password.db.result"
    secret_env = ROOT.local("function_secret_env")["DB_PASSWORD"]
    assert expr(secret_env["secret"]) == "google_secret_manager_secret.db_password.secret_id"


def test_function_source_is_named_by_its_content_hash() -> None:
    source = MODULE.resource("google_storage_bucket_object", "source")
    assert "data.archive_file.source.output_sha256" in source["name"]
    function = MODULE.resource("google_cloudfunctions2_function", "this")
    storage = tfconfig.block(tfconfig.block(tfconfig.block(function, "build_config"), "source"), "storage_source")
    assert expr(storage["object"]) == "google_storage_bucket_object.source.name"


CHECKOV_SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def test_every_checkov_skip_gives_its_reason() -> None:
    skips = []
    for path in TF_FILES:
        for line in path.read_text().splitlines():
            if match := CHECKOV_SKIP.search(line):
                check, reason = match[1], (match[2] or "").strip()
                assert len(reason) >= 30, f"{path.name}: checkov skip {check} without a reason"
                skips.append(check)
    assert skips, "no checkov skips found: the pattern is out of date"


def test_terraform_files_are_in_the_expected_places() -> None:
    names = {p.name for p in tfconfig.TERRAFORM_DIR.glob("*.tf")}
    for expected in ("versions.tf", "variables.tf", "outputs.tf", "pubsub.tf", "storage.tf", "sql.tf"):
        assert expected in names
    assert {p.name for p in tfconfig.MODULE_DIR.glob("*.tf")} >= {"main.tf", "variables.tf", "outputs.tf"}
    assert Path(tfconfig.TERRAFORM_DIR / ".gitignore").exists()
