"""The local command line with the keys the local stacks make."""

from __future__ import annotations

import pytest

from common.core import auth
from local.cli import build_parser


def test_an_admin_key_whose_token_starts_with_a_dash_is_still_read_as_the_api_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A URL-safe token starts with `-` one time in 64, and `--api-key KEY` must still parse: a bare token once failed
    the end-to-end test that drives `python -m local dead-letters list --api-key KEY`."""
    monkeypatch.setattr(auth.token_source, "token_urlsafe", lambda size: "-" + "A" * 42)
    key = auth.new_admin_key()
    args = build_parser().parse_args(["dead-letters", "list", "--api-key", key])
    assert args.api_key == key
    assert key.startswith("mmk_admin_-")  # the cloud's admin key has the same prefix (terraform/secrets.tf)
