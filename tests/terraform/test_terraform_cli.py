"""Evaluate the provider-free parts of the configuration with the Terraform CLI, where one is installed.

No Google provider can be installed offline, so `terraform validate` is impossible; but topology.tf,
the variables' validations and the function module's source list use no provider and are evaluated
here for real (skipped on machines without a terraform binary; tests/terraform covers the rest).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tfconfig

from common import topology

TERRAFORM = shutil.which("terraform")
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    result = subprocess.run(
        [TERRAFORM, *args, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def evaluate(tmp_path: Path, files: dict[str, str], outputs: str, variables: dict[str, Any] | None = None) -> Any:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "eval_outputs.tf").write_text(outputs)
    if variables is not None:
        (tmp_path / "terraform.tfvars.json").write_text(json.dumps(variables))
    run(["init", "-input=false", "-backend=false"], tmp_path)
    run(["apply", "-auto-approve", "-input=false"], tmp_path)
    return json.loads(run(["output", "-json"], tmp_path).stdout)


def test_terraform_files_are_formatted() -> None:
    result = run(["fmt", "-check", "-recursive", "-diff", str(tfconfig.TERRAFORM_DIR)], tfconfig.REPO_ROOT, check=False)
    assert result.returncode == 0, "run `terraform fmt -recursive terraform`:\n" + result.stdout


def test_topology_evaluates_to_the_topology_names(tmp_path: Path) -> None:
    out = evaluate(
        tmp_path,
        {"topology.tf": (tfconfig.TERRAFORM_DIR / "topology.tf").read_text()},
        """
        output "source_topics" { value = local.source_topics }
        output "dead_letter_topics" { value = local.dead_letter_topics }
        output "notification_topics" { value = local.notification_topics }
        output "attempts" { value = local.pubsub_max_delivery_attempts }
        output "subscription_of" { value = { for name, s in local.subscriptions : s.function => name } }
        """,
    )
    subs = topology.SUBSCRIPTIONS
    assert set(out["source_topics"]["value"]) == {topology.source_topic(s) for s in subs}
    assert set(out["dead_letter_topics"]["value"]) == {s.dead_letter_topic for s in subs}
    assert out["notification_topics"]["value"] == {
        role: topology.notification_topic(role) for role in (topology.RAW_BUCKET_ROLE, topology.NORMALIZED_BUCKET_ROLE)
    }
    assert out["attempts"]["value"] == {s.name: max(5, s.max_delivery_attempts) for s in subs}
    assert out["subscription_of"]["value"] == {s.function: s.name for s in subs}


MODULE_INPUTS = {
    "project_id": "p-123456",
    "region": "us-central1",
    "service_account_id": "minimeter-load",
    "entry_point": "load",
    "source_bucket": "b",
    "build_service_account": "projects/p/serviceAccounts/b@p.iam.gserviceaccount.com",
    "docker_repository": "projects/p/locations/us-central1/repositories/r",
}


def module_files() -> dict[str, str]:
    return {name: (tfconfig.MODULE_DIR / name).read_text() for name in ("variables.tf", "locals.tf")}


@pytest.mark.parametrize("fn", topology.FUNCTIONS, ids=lambda fn: fn.name)
def test_the_function_zip_holds_main_common_and_requirements(tmp_path: Path, fn: topology.Function) -> None:
    repo = tfconfig.REPO_ROOT
    out = evaluate(
        tmp_path,
        module_files(),
        'output "files" { value = local.source_files }',
        {
            **MODULE_INPUTS,
            "name": f"minimeter-{fn.name}",
            "source_dir": str(repo / "functions" / fn.name),
            "packages": {"common": str(repo / "common")},
            "requirements_file": str(repo / "requirements.txt"),
        },
    )
    files: dict[str, str] = out["files"]["value"]
    assert files["main.py"] == str(repo / "functions" / fn.name / "main.py")
    assert files["requirements.txt"] == str(repo / "requirements.txt")
    expected_common = {
        "common/" + str(p.relative_to(repo / "common"))
        for p in (repo / "common").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert {k for k in files if k.startswith("common/")} == expected_common
    assert all(Path(path).is_file() for path in files.values())


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"api_invokers": ["allUsers"]}, "api_invokers"),
        ({"event_delivery": "pull"}, "event_delivery"),
        ({"name_prefix": "a-much-too-long-prefix"}, "name_prefix"),
        ({"max_upload_bytes": 64 * 1024 * 1024}, "max_upload_bytes"),
        ({"sql_tier": "n1-standard-1"}, "sql_tier"),
        ({"raw_nearline_after_days": 10}, "raw_nearline_after_days"),
    ],
)
def test_root_variables_refuse_bad_values(tmp_path: Path, variables: dict[str, Any], message: str) -> None:
    (tmp_path / "variables.tf").write_text((tfconfig.TERRAFORM_DIR / "variables.tf").read_text())
    (tmp_path / "terraform.tfvars.json").write_text(json.dumps({"project_id": "my-project-1", **variables}))
    run(["init", "-input=false", "-backend=false"], tmp_path)
    result = run(["plan", "-input=false"], tmp_path, check=False)
    assert result.returncode != 0, f"{variables} was accepted"
    assert message in result.stderr + result.stdout


def test_root_variables_accept_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text((tfconfig.TERRAFORM_DIR / "variables.tf").read_text())
    (tmp_path / "terraform.tfvars.json").write_text(
        json.dumps({"project_id": "my-project-1", "api_invokers": ["user:alice@example.com"]})
    )
    run(["init", "-input=false", "-backend=false"], tmp_path)
    run(["plan", "-input=false"], tmp_path)


def test_module_refuses_a_push_trigger_without_dead_letters(tmp_path: Path) -> None:
    for name, text in module_files().items():
        (tmp_path / name).write_text(text)
    variables = {
        **MODULE_INPUTS,
        "name": "minimeter-load",
        "source_dir": str(tfconfig.REPO_ROOT / "functions" / "load"),
        "requirements_file": str(tfconfig.REPO_ROOT / "requirements.txt"),
        "trigger": {"type": "pubsub", "topic": "projects/p/topics/t", "subscription_name": "s"},
    }
    (tmp_path / "terraform.tfvars.json").write_text(json.dumps(variables))
    run(["init", "-input=false", "-backend=false"], tmp_path)
    result = run(["plan", "-input=false"], tmp_path, check=False)
    assert result.returncode != 0
    assert "dead_letter_topic" in result.stderr


def test_function_overrides_change_only_what_they_name(tmp_path: Path) -> None:
    out = evaluate(
        tmp_path,
        {name: (tfconfig.TERRAFORM_DIR / name).read_text() for name in ("variables.tf", "sizing.tf")},
        'output "sizing" { value = local.sizing }',
        {"project_id": "my-project-1", "function_overrides": {"extract": {"memory": "2Gi", "max_instances": 2}}},
    )
    sizing = out["sizing"]["value"]
    base = tfconfig.root().local("function_sizing")
    assert sizing["extract"] == {**base["extract"], "memory": "2Gi", "max_instances": 2}
    for name in ("api", "ingest", "load"):
        assert sizing[name] == base[name]
