"""The Terraform configuration under terraform/, parsed with python-hcl2 into plain dicts.

No Terraform provider can be installed offline, so the configuration is read statically. Strings keep
Terraform's interpolation syntax ("${local.x}"); literal strings come back without their quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "terraform"
MODULE_DIR = TERRAFORM_DIR / "modules" / "function"

_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


@dataclass
class Config:
    """One Terraform module directory: its blocks by kind, keyed by their labels."""

    directory: Path
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)

    def resource(self, type_: str, name: str) -> dict[str, Any]:
        try:
            return self.resources[(type_, name)]
        except KeyError:
            raise AssertionError(f"{self.directory.name}: no resource {type_}.{name}") from None

    def resources_of(self, type_: str) -> dict[str, dict[str, Any]]:
        return {name: body for (t, name), body in self.resources.items() if t == type_}

    def local(self, name: str) -> Any:
        try:
            return self.locals[name]
        except KeyError:
            raise AssertionError(f"{self.directory.name}: no local {name}") from None


def _strip(label: str) -> str:
    return label.strip('"')


def load(directory: Path) -> Config:
    config = Config(directory)
    for path in sorted(directory.glob("*.tf")):
        with path.open() as handle:
            parsed = hcl2.load(handle, serialization_options=_OPTIONS)
        for block in parsed.get("resource", []):
            for type_, named in block.items():
                for name, body in named.items():
                    config.resources[(_strip(type_), _strip(name))] = body
        for block in parsed.get("data", []):
            for type_, named in block.items():
                for name, body in named.items():
                    config.data[(_strip(type_), _strip(name))] = body
        for block in parsed.get("module", []):
            for name, body in block.items():
                config.modules[_strip(name)] = body
        for block in parsed.get("variable", []):
            for name, body in block.items():
                config.variables[_strip(name)] = body
        for block in parsed.get("output", []):
            for name, body in block.items():
                config.outputs[_strip(name)] = body
        for block in parsed.get("locals", []):
            for name, value in block.items():
                assert name not in config.locals, f"local {name} declared twice"
                config.locals[name] = value
        config.terraform.extend(parsed.get("terraform", []))
    return config


@cache
def root() -> Config:
    return load(TERRAFORM_DIR)


@cache
def module() -> Config:
    return load(MODULE_DIR)


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """A nested block that occurs once (python-hcl2 gives blocks as lists)."""
    value = body.get(name)
    assert value, f"missing block {name}"
    if isinstance(value, list):
        assert len(value) == 1, f"block {name} occurs {len(value)} times"
        value = value[0]
    assert isinstance(value, dict)
    return value


def blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = body.get(name) or []
    return value if isinstance(value, list) else [value]


def dynamic(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The body of `dynamic "<name>" { ... }`."""
    for entry in blocks(body, "dynamic"):
        if name in entry:
            found: dict[str, Any] = entry[name]
            return found
    raise AssertionError(f"no dynamic block {name}")


def expr(value: Any) -> str:
    """An expression as text, without the ${ } wrapper python-hcl2 puts around references."""
    text = str(value)
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return text


_LOCAL_REF = re.compile(r"^local\.([A-Za-z_][A-Za-z0-9_]*)$")
_MERGE = re.compile(r"^merge\((.*)\)$", re.S)
_ENV_KEY = re.compile(r"\b([A-Z][A-Z0-9_]*)\s*=")


def map_keys(config: Config, value: Any) -> set[str]:
    """Keys of a map argument: a literal map, local.NAME, merge(...) of those, or a conditional of maps.

    Fails on anything else, so the configuration stays in a shape these checks can read.
    """
    if isinstance(value, dict):
        return set(value)
    text = expr(value).strip()
    if match := _LOCAL_REF.match(text):
        return map_keys(config, config.local(match[1]))
    if match := _MERGE.match(text):
        keys: set[str] = set()
        for part in _split_arguments(match[1]):
            keys |= map_keys(config, "${" + part.strip() + "}")
        return keys
    if "?" in text and ":" in text:  # cond ? {} : { KEY = ... }: the keys either branch may set
        return set(_ENV_KEY.findall(text))
    raise AssertionError(f"cannot read the keys of {value!r}")


def _split_arguments(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current)
    return parts


def compact(value: Any) -> str:
    """An expression with all whitespace removed, for comparing expressions python-hcl2 re-spaces."""
    return re.sub(r"\s+", "", expr(value))
