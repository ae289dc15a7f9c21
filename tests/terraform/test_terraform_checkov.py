"""checkov over terraform/: no failed check, and every skipped check carries its reason.

checkov lives in its own virtualenv (build/checkov-venv, made by `make terraform-check` from
tests/terraform/requirements-checkov.txt): its bc-python-hcl2 would shadow python-hcl2 in .venv.
It runs with --skip-download, so it never contacts the network.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tfconfig

CHECKOV = Path(os.environ.get("CHECKOV", tfconfig.REPO_ROOT / "build" / "checkov-venv" / "bin" / "checkov"))


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    if not CHECKOV.exists():
        message = f"{CHECKOV} is missing: run `make terraform-check`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [str(CHECKOV), "-d", str(tfconfig.TERRAFORM_DIR), "--framework", "terraform", "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_checkov_finds_no_failed_check(report: dict[str, Any]) -> None:
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] >= 50, "checkov did not see the configuration"
    failed = [
        f"{c['check_id']} {c['check_name']}: {c['resource']} ({c['file_path']}:{c['file_line_range'][0]})"
        for c in report["results"].get("failed_checks", [])
    ]
    assert not failed, "checkov failed checks:\n" + "\n".join(failed)


def test_every_skipped_check_has_a_reason(report: dict[str, Any]) -> None:
    for check in report["results"].get("skipped_checks", []):
        reason = (check["check_result"].get("suppress_comment") or "").strip()
        assert len(reason) >= 30, f"{check['check_id']} on {check['resource']} is skipped without a reason"
