"""Gemini (google-genai): the agent's planner (tools as function declarations) and the bill reader of
the extraction cascade (the PDF inline, a JSON response schema).

The SDK is imported and its client built on the first call, then cached: importing this module or
constructing the adapter never touches the network. Transient failures (429, 5xx, connection errors)
are retried by the SDK itself (`HttpRetryOptions`, 3 attempts) and then surface as `RetryableError`;
any other 4xx is a `PermanentError("llm_request_rejected")`. The API key is never logged or repr'd.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from common.errors import PermanentError, RetryableError
from common.models import ToolSpec
from common.ports import LLM, BillReader, LLMToolCall

if TYPE_CHECKING:
    from google.genai import Client

log = logging.getLogger(__name__)

API_VERSION = "v1beta"
RETRY_ATTEMPTS = 3  # including the first request
RETRYABLE_STATUS = (408, 429, 500, 502, 503, 504)
REQUEST_TIMEOUT_MS = 60_000

_PROMPT = """You plan data collection for a utility-data platform.
Goal: {goal}
Context (JSON): {context}
Choose the tool calls that fulfil the goal, with their arguments. Call only the tools offered."""


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean the request did not get an HTTP answer (after the SDK's own retries)."""
    found: list[type[BaseException]] = [ConnectionError, TimeoutError]
    for module_name, attribute in (
        ("httpx2", "TransportError"),
        ("httpx", "TransportError"),
        ("google.auth.exceptions", "TransportError"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        error = getattr(module, attribute, None)
        if isinstance(error, type) and issubclass(error, BaseException):
            found.append(error)
    return tuple(found)


class GeminiLLM(LLM, BillReader):
    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None = None,
        *,
        retry_initial_delay: float = 0.5,
    ) -> None:
        if not api_key:
            raise ValueError("GeminiLLM needs an API key")
        self.name = f"gemini:{model}"
        self.model = model
        self.base_url = base_url
        self._api_key = api_key
        self._retry_initial_delay = retry_initial_delay
        self._client: Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GeminiLLM(model={self.model!r}, base_url={self.base_url!r})"

    def _get_client(self) -> Client:
        with self._lock:
            if self._client is None:
                from google import genai
                from google.genai import types

                delay = self._retry_initial_delay
                http_options = types.HttpOptions(
                    base_url=self.base_url,
                    api_version=API_VERSION,
                    timeout=REQUEST_TIMEOUT_MS,
                    retry_options=types.HttpRetryOptions(
                        attempts=RETRY_ATTEMPTS,
                        initial_delay=delay,
                        max_delay=max(delay * 8, delay),
                        exp_base=2,
                        jitter=delay / 2,
                        http_status_codes=list(RETRYABLE_STATUS),
                    ),
                )
                self._client = genai.Client(api_key=self._api_key, vertexai=False, http_options=http_options)
            return self._client

    def plan(self, goal: str, context: dict[str, Any], tools: Sequence[ToolSpec]) -> list[LLMToolCall]:
        from google.genai import types

        config = types.GenerateContentConfig(
            temperature=0,
            tools=[
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(
                            name=t.name, description=t.description, parameters_json_schema=t.parameters
                        )
                        for t in tools
                    ]
                )
            ],
            tool_config=types.ToolConfig(
                function_calling_config=types.FunctionCallingConfig(mode=types.FunctionCallingConfigMode.ANY)
            ),
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        prompt = _PROMPT.format(goal=goal, context=json.dumps(context, sort_keys=True, default=str))
        response = self._generate(prompt, config)
        return [LLMToolCall(name=fc.name or "", arguments=dict(fc.args or {})) for fc in response.function_calls or []]

    def extract_bill(self, pdf: bytes, response_schema: dict[str, Any], prompt: str) -> str:
        """The bill PDF inline, a JSON response schema, temperature 0; returns the raw text, which the
        caller validates itself (`.parsed` silently becomes None on invalid output)."""
        from google.genai import types

        config = types.GenerateContentConfig(
            temperature=0,
            response_mime_type="application/json",
            response_json_schema=response_schema,
        )
        contents = [types.Part.from_bytes(data=pdf, mime_type="application/pdf"), prompt]
        return self._generate(contents, config).text or ""

    def _generate(self, contents: Any, config: Any) -> Any:
        """One generateContent call (the SDK retries 429/5xx) with errors mapped to ours."""
        from google.genai import errors

        client = self._get_client()
        try:
            return client.models.generate_content(model=self.model, contents=contents, config=config)
        except errors.APIError as exc:
            code = exc.code or 0
            detail = f"{self.name} answered {code} {exc.status or ''}: {exc.message or ''}".strip()
            if code in RETRYABLE_STATUS or code >= 500:
                log.warning("gemini unavailable after %d attempts: %s", RETRY_ATTEMPTS, detail)
                raise RetryableError(detail) from exc
            raise PermanentError(detail, "llm_request_rejected") from exc
        except _transport_errors() as exc:
            log.warning("gemini unreachable: %s", type(exc).__name__)
            raise RetryableError(f"{self.name} unreachable: {type(exc).__name__}") from exc
