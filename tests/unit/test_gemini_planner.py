"""GeminiLLM against a loopback stub of the Gemini REST API (generateContent), through the real google-genai client."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from common.adapters.gemini import GeminiLLM
from common.connectors.base import Connector
from common.core.agent import _validated_step
from common.errors import PermanentError, RetryableError
from common.models import ToolSpec
from common.ports import LLMToolCall

API_KEY = "test-key-not-a-secret-123"
MODEL = "gemini-2.5-flash"
GENERATE_PATH = f"/v1beta/models/{MODEL}:generateContent"
GOAL = "Fetch my last 6 months of bills and interval usage"
REPO = Path(__file__).resolve().parents[2]

TWO_CALLS = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"functionCall": {"name": "fetch_bills", "args": {"months": 6}}},
                    {"functionCall": {"name": "fetch_intervals", "args": {"months": 6}}},
                ],
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 212, "candidatesTokenCount": 24, "totalTokenCount": 236},
    "modelVersion": "gemini-2.5-flash-001",
    "responseId": "stub-response-1",
}
TEXT_ONLY = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "There is nothing to fetch for that goal."}]},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 200, "candidatesTokenCount": 9, "totalTokenCount": 209},
    "modelVersion": "gemini-2.5-flash-001",
}


def _error(code: int, status: str, message: str) -> tuple[int, dict[str, Any]]:
    return code, {"error": {"code": code, "message": message, "status": status}}


UNAVAILABLE = _error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
EXHAUSTED = _error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
INVALID = _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")


@dataclass
class Recorded:
    path: str
    api_key: str | None
    body: dict[str, Any]


@dataclass
class GeminiStub:
    """Answers generateContent from a script of (status, json) replies; the last reply repeats."""

    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=lambda: [(200, TWO_CALLS)])
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(
            Recorded(request.path, request.headers.get("x-goog-api-key"), json.loads(request.get_data() or b"{}"))
        )
        if request.method != "POST" or request.path != GENERATE_PATH:
            status, payload = _error(404, "NOT_FOUND", f"no route {request.method} {request.path}")
        else:
            status, payload = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        response = Response(json.dumps(payload), status=status, content_type="application/json; charset=UTF-8")
        return response(environ, start_response)


@pytest.fixture
def stub() -> Iterator[GeminiStub]:
    app = GeminiStub()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Sandbox(Connector):
    provider = "sandbox"
    description = "the sandbox utility"

    def fetch(self, account: Any, request: Any, credentials: str) -> list[Any]:
        raise NotImplementedError


TOOLS: list[ToolSpec] = _Sandbox().tools()


def _llm(stub: GeminiStub) -> GeminiLLM:
    return GeminiLLM(API_KEY, MODEL, stub.base_url, retry_initial_delay=0.01)


def _declarations(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for tool in body["tools"] for d in tool["functionDeclarations"]]


def _schema(declaration: dict[str, Any]) -> Any:
    # The SDK sends the proto field name (parameters_json_schema); the API accepts it and the camel form.
    return declaration.get("parametersJsonSchema", declaration.get("parameters_json_schema"))


def test_plan_returns_the_models_calls_and_sends_tools_goal_and_key(stub: GeminiStub) -> None:
    plan = _llm(stub).plan(GOAL, {"provider": "sandbox", "account_id": "acct-1"}, TOOLS)

    assert plan == [
        LLMToolCall(name="fetch_bills", arguments={"months": 6}),
        LLMToolCall(name="fetch_intervals", arguments={"months": 6}),
    ]
    assert len(stub.requests) == 1
    sent = stub.requests[0]
    assert sent.path == GENERATE_PATH
    assert sent.api_key == API_KEY
    body = sent.body
    assert body["generationConfig"]["temperature"] == 0
    assert body["toolConfig"]["functionCallingConfig"]["mode"] == "ANY"
    declarations = _declarations(body)
    assert [d["name"] for d in declarations] == ["fetch_bills", "fetch_intervals"]
    for declaration, tool in zip(declarations, TOOLS, strict=True):
        assert declaration["description"] == tool.description
        assert _schema(declaration) == tool.parameters
        assert "parameters" not in declaration  # JSON Schema, not the OpenAPI subset
    prompt = " ".join(p["text"] for c in body["contents"] for p in c["parts"] if "text" in p)
    assert GOAL in prompt
    assert '"account_id": "acct-1"' in prompt and '"provider": "sandbox"' in prompt


def test_a_503_is_retried_and_the_plan_still_comes_back(stub: GeminiStub) -> None:
    stub.replies = [UNAVAILABLE, (200, TWO_CALLS)]

    plan = _llm(stub).plan(GOAL, {}, TOOLS)

    assert [c.name for c in plan] == ["fetch_bills", "fetch_intervals"]
    assert len(stub.requests) == 2
    assert stub.requests[0].body == stub.requests[1].body


def test_persistent_429_is_retryable_after_three_attempts_and_never_logs_the_key(
    stub: GeminiStub, caplog: pytest.LogCaptureFixture
) -> None:
    stub.replies = [EXHAUSTED]
    llm = _llm(stub)

    with caplog.at_level(logging.DEBUG), pytest.raises(RetryableError) as raised:
        llm.plan(GOAL, {}, TOOLS)

    assert len(stub.requests) == 3
    assert "429" in raised.value.message
    assert API_KEY not in caplog.text
    assert API_KEY not in str(raised.value) and API_KEY not in repr(llm)


def test_a_400_is_permanent_and_not_retried(stub: GeminiStub) -> None:
    stub.replies = [INVALID]

    with pytest.raises(PermanentError) as raised:
        _llm(stub).plan(GOAL, {}, TOOLS)

    assert raised.value.reason_code == "llm_request_rejected"
    assert len(stub.requests) == 1


def test_an_unreachable_endpoint_is_retryable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    llm = GeminiLLM(API_KEY, MODEL, f"http://127.0.0.1:{closed_port}", retry_initial_delay=0.01)

    with pytest.raises(RetryableError):
        llm.plan(GOAL, {}, TOOLS)


def test_construction_makes_no_request(stub: GeminiStub) -> None:
    llm = GeminiLLM(API_KEY, MODEL, stub.base_url)

    assert llm.name == f"gemini:{MODEL}"
    assert stub.requests == []
    assert llm._client is None  # the SDK client is built on first use


def test_importing_the_adapter_does_not_load_the_sdk() -> None:
    code = "import sys, common.adapters.gemini; assert 'google.genai' not in sys.modules, 'sdk imported'"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)


def test_a_response_without_function_calls_is_an_empty_plan(stub: GeminiStub) -> None:
    stub.replies = [(200, TEXT_ONLY)]

    assert _llm(stub).plan(GOAL, {}, TOOLS) == []
    assert len(stub.requests) == 1


def test_the_agent_accepts_the_adapters_plan(stub: GeminiStub) -> None:
    calls = _llm(stub).plan(GOAL, {"provider": "sandbox"}, TOOLS)

    steps = [_validated_step(c, TOOLS) for c in calls]

    assert [(s.tool, s.arguments, s.status) for s in steps] == [
        ("fetch_bills", {"months": 6}, "planned"),
        ("fetch_intervals", {"months": 6}, "planned"),
    ]
