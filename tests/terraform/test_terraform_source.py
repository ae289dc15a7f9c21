"""What the function module zips is what the functions need: functions/<name>, common and requirements.txt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import tfconfig

from common import topology

REPO = tfconfig.REPO_ROOT
ROOT = tfconfig.root()
# Shipped beside main.py (module "packages"); anything else in the repository is not deployed.
SHIPPED_PACKAGES = {"common"}


def python_sources(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_shared_packages_are_what_the_module_ships() -> None:
    for name, call in ROOT.modules.items():
        assert call["packages"] == "${local.function_source.packages}", name
        assert call["requirements_file"] == "${local.function_source.requirements_file}", name
    packages = ROOT.local("function_source")["packages"]
    assert set(packages) == SHIPPED_PACKAGES
    assert packages["common"] == "${local.repo_root}/common"
    assert ROOT.local("function_source")["requirements_file"] == "${local.repo_root}/requirements.txt"


def shipped_files(directory: Path) -> list[Path]:
    """What modules/function zips from a directory: every file but byte-code caches."""
    return sorted(
        p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


@pytest.mark.parametrize("directory", ["common", *(f"functions/{fn.name}" for fn in topology.FUNCTIONS)])
def test_shipped_files_are_text_terraform_can_read(directory: str) -> None:
    """The module reads each file with file(), which takes UTF-8 text only: a binary would fail the plan."""
    unreadable = []
    for path in shipped_files(REPO / directory):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            unreadable.append(str(path.relative_to(REPO)))
    assert not unreadable, f"not UTF-8, so terraform/modules/function cannot zip them: {unreadable}"


@pytest.mark.parametrize("directory", ["common", *(f"functions/{fn.name}" for fn in topology.FUNCTIONS)])
def test_shipped_code_imports_nothing_that_is_not_shipped(directory: str) -> None:
    not_shipped = {p.name for p in REPO.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - SHIPPED_PACKAGES
    not_shipped |= {"local", "tests", "functions"}
    for path in python_sources(REPO / directory):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in not_shipped, f"{path.relative_to(REPO)} imports {name}, not deployed"


def test_the_build_installs_the_functions_framework() -> None:
    requirements = (REPO / "requirements.txt").read_text().lower()
    assert "functions-framework==" in requirements
