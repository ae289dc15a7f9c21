"""Secrets from the environment or a local JSON file: the laptop stand-in for Secret Manager."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from common.config import SECRET_ENV_PREFIX
from common.errors import NotFound
from common.ports import Secrets


def secret_env_var(name: str) -> str:
    return SECRET_ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


class EnvSecrets(Secrets):
    """Looks up `MINIMETER_SECRET_<NAME>` first, then the JSON file `{name: value}`."""

    def __init__(self, environ: Mapping[str, str], secrets_file: Path | None = None) -> None:
        self._environ = environ
        self._file = secrets_file

    def get(self, name: str) -> str:
        value = self._environ.get(secret_env_var(name))
        if value:
            return value
        if self._file is not None and self._file.exists():
            stored = json.loads(self._file.read_text())
            if isinstance(stored.get(name), str) and stored[name]:
                return str(stored[name])
        raise NotFound(f"secret {name!r} not found")
