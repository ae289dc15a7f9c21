"""The connectors this build ships, by provider."""

from __future__ import annotations

from functools import lru_cache

from common.connectors.base import ConnectorRegistry, ManualConnector
from common.connectors.greenbutton_cmd import GreenButtonCmdConnector
from common.connectors.sandbox import SandboxConnector


@lru_cache(maxsize=1)
def default_registry() -> ConnectorRegistry:
    return ConnectorRegistry([SandboxConnector(), GreenButtonCmdConnector(), ManualConnector()])
