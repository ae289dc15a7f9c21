"""The HTTP API: Flask routing inside one HTTP function, pydantic models in and out.

Every error leaves as `{"error": {"code", "message"}}` with a 4xx/5xx status — never a stack trace.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from flask import Flask, Request, Response, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from common.config import get_settings
from common.connectors.registry import default_registry
from common.core import agent, service
from common.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    PermanentError,
    RetryableError,
)
from common.logs import log
from common.models import (
    AgentRunRequest,
    CustomerCreate,
    ErrorBody,
    IngestRunRequest,
    UtilityAccountCreate,
)
from common.runtime import Ports, get_llm, get_ports

M = TypeVar("M", bound=BaseModel)

app = Flask(__name__)  # used for its routing table only: see handle()


def _json(model: BaseModel | list[Any] | dict[str, Any], status: int = 200) -> Response:
    if isinstance(model, BaseModel):
        body = model.model_dump_json()
    else:
        from pydantic import TypeAdapter

        body = TypeAdapter(type(model)).dump_json(model).decode()
    return Response(body, status=status, mimetype="application/json")


def _error(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> Response:
    body = ErrorBody(code=code, message=message, details=details)
    return Response(
        '{"error": ' + body.model_dump_json(exclude_none=True) + "}", status=status, mimetype="application/json"
    )


def _body(model: type[M]) -> M:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidRequest("the body must be a JSON object", "invalid_json")
    return model.model_validate(payload)


def _ports() -> Ports:
    return get_ports()


def error_response(exc: Exception) -> Response:
    """Map any exception to its JSON error; unknown ones are logged and hidden behind a 500."""
    if isinstance(exc, ValidationError):
        details = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return _error(422, "validation_error", "the request does not match the schema", details)
    if isinstance(exc, NotFound):
        return _error(404, exc.reason_code, exc.message)
    if isinstance(exc, Conflict):
        return _error(409, exc.reason_code, exc.message)
    if isinstance(exc, InvalidRequest):
        return _error(413 if exc.reason_code == "file_too_large" else 400, exc.reason_code, exc.message)
    if isinstance(exc, PermanentError):
        return _error(422, exc.reason_code, exc.message)
    if isinstance(exc, RetryableError):
        return _error(503, "unavailable", "a backing service is unavailable; retry later")
    if isinstance(exc, RequestEntityTooLarge):
        return _error(413, "file_too_large", "the request body is too large")
    if isinstance(exc, HTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.code or 500, "http_error")
        return _error(exc.code or 500, code, exc.description or code)
    log("ERROR", "unhandled error", error=type(exc).__name__, detail=str(exc)[:500], path=request.path)
    return _error(500, "internal_error", "internal error")


@app.get("/health")
def health() -> Response:
    return _json({"status": "ok"})


@app.post("/customers")
def create_customer() -> Response:
    return _json(_ports().database.create_customer(_body(CustomerCreate)), 201)


@app.get("/customers/<customer_id>")
def get_customer(customer_id: str) -> Response:
    return _json(_ports().database.get_customer(customer_id))


@app.get("/customers/<customer_id>/dashboard")
def get_dashboard(customer_id: str) -> Response:
    return _json(service.dashboard(_ports().database, customer_id))


@app.post("/utility-accounts")
def create_utility_account() -> Response:
    account = service.create_account(_ports().database, default_registry(), _body(UtilityAccountCreate))
    return _json(account, 201)


@app.get("/utility-accounts/<account_id>")
def get_utility_account(account_id: str) -> Response:
    return _json(_ports().database.get_account(account_id))


@app.post("/ingest/run")
def ingest_run() -> Response:
    ports = _ports()
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= 200 and key.isprintable()):
        raise InvalidRequest("Idempotency-Key must be 1-200 printable characters", "invalid_idempotency_key")
    accepted = service.request_ingest(
        ports.database, ports.publisher, ports.settings.pubsub_topic, _body(IngestRunRequest), key
    )
    return _json(accepted, 202)


@app.get("/jobs/<job_id>")
def get_job(job_id: str) -> Response:
    return _json(service.job_view(_ports().database, job_id))


@app.post("/uploads")
def upload() -> Response:
    ports = _ports()
    account_id = request.form.get("utility_account_id") or request.args.get("utility_account_id")
    if not account_id:
        raise InvalidRequest("utility_account_id is required", "missing_account")
    uploaded = request.files.get("file")
    if uploaded is None:
        raise InvalidRequest("a multipart field named 'file' is required", "missing_file")
    data = uploaded.read(ports.settings.max_upload_bytes + 1)
    accepted = service.upload_file(
        ports.stage_context(), account_id, data, uploaded.filename, ports.settings.max_upload_bytes
    )
    return _json(accepted, 202)


@app.get("/secrets/check")
def secrets_check() -> Response:
    ports = _ports()
    checks = service.check_secrets(
        ports.database, ports.secrets, ports.settings.secret_name, request.args.get("customer_id")
    )
    return _json({"secrets": [c.model_dump() for c in checks]})


@app.post("/agent/run")
def agent_run() -> Response:
    ports = _ports()
    result = agent.run_agent(
        ports.database,
        ports.publisher,
        ports.settings.pubsub_topic,
        default_registry(),
        get_llm(),
        _body(AgentRunRequest),
    )
    return _json(result, 202)


@app.get("/agent/result/<job_id>")
def agent_result(job_id: str) -> Response:
    return _json(agent.agent_result(_ports().database, job_id))


def handle(flask_request: Request) -> Response:
    """Route a functions-framework request with the routes above.

    The framework already owns the request (and reads its body afterwards), so the routes run in
    its request context rather than in a second one of their own.
    """
    flask_request.max_content_length = get_settings().max_upload_bytes + 64 * 1024
    try:
        endpoint, arguments = app.url_map.bind_to_environ(flask_request.environ).match()
        response = cast(Response, app.view_functions[endpoint](**arguments))
        return response
    except Exception as exc:  # noqa: BLE001 - every error leaves as JSON, never as a stack trace
        return error_response(exc)
