"""The HTTP API: Flask routing inside one HTTP function, pydantic models in and out.

Every error leaves as `{"error": {"code", "message"}}` with a 4xx/5xx status — never a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Request, Response, g, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from common.config import get_settings
from common.connectors.registry import default_registry
from common.core import agent, dead_letters, service
from common.core.auth import (
    AdminKeyCache,
    Principal,
    authenticate,
    authorize_customer,
    issue_api_key,
    presented_key,
    require_admin,
)
from common.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    PermanentError,
    RetryableError,
    Unauthenticated,
)
from common.logs import log
from common.models import (
    AgentResult,
    AgentRunRequest,
    ApiKeyCreated,
    Customer,
    CustomerCreate,
    Dashboard,
    DeadLetter,
    DeadLetterList,
    ErrorBody,
    ErrorEnvelope,
    Health,
    IngestRunRequest,
    JobAccepted,
    JobView,
    OpenApiDocument,
    ReplayRequest,
    ReplayResult,
    SecretChecks,
    UploadAccepted,
    UtilityAccount,
    UtilityAccountCreate,
)
from common.openapi import Operation, build_document
from common.ports import DeadLetterStore
from common.runtime import Ports, get_llm, get_ports

M = TypeVar("M", bound=BaseModel)

app = Flask(__name__)  # used for its routing table only: see handle()


def _json(model: BaseModel | dict[str, Any], status: int = 200) -> Response:
    body = model.model_dump_json() if isinstance(model, BaseModel) else json.dumps(model)
    return Response(body, status=status, mimetype="application/json")


def _error(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> Response:
    envelope = ErrorEnvelope(error=ErrorBody(code=code, message=message, details=details))
    return Response(envelope.model_dump_json(exclude_none=True), status=status, mimetype="application/json")


def _body(model: type[M]) -> M:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidRequest("the body must be a JSON object", "invalid_json")
    return model.model_validate(payload)


def _ports() -> Ports:
    return get_ports()


_admin_keys = AdminKeyCache()


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= 200 and key.isprintable()):
        raise InvalidRequest("Idempotency-Key must be 1-200 printable characters", "invalid_idempotency_key")
    return key


def _principal() -> Principal:
    principal: Principal = g.principal
    return principal


def _authenticate(ports: Ports) -> Principal:
    key = presented_key(request.headers.get("Authorization"), request.headers.get("X-API-Key"))
    admin_hash = _admin_keys.admin_hash(ports.secrets, ports.settings.admin_key_secret)
    return authenticate(key, ports.database, admin_hash)


def error_response(exc: Exception) -> Response:
    """Map any exception to its JSON error; unknown ones are logged and hidden behind a 500."""
    if isinstance(exc, ValidationError):
        details = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return _error(422, "validation_error", "the request does not match the schema", details)
    if isinstance(exc, Unauthenticated):
        return _error(401, exc.reason_code, exc.message)
    if isinstance(exc, Forbidden):
        return _error(403, exc.reason_code, exc.message)
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


OPERATIONS: list[Operation] = []
PUBLIC_ENDPOINTS: set[str] = set()
V = TypeVar("V", bound=Callable[..., Response])


def route(method: str, path: str, summary: str, response: type[BaseModel], **details: Any) -> Callable[[V], V]:
    """Register a view and describe it for /openapi.json in one place, so the two cannot drift."""

    def register(view: V) -> V:
        app.add_url_rule(path, view.__name__, view, methods=[method])
        operation = Operation(method, path, summary, response, **details)
        OPERATIONS.append(operation)
        PUBLIC_ENDPOINTS.update({view.__name__} if operation.public else set())
        return view

    return register


@route("GET", "/health", "Liveness", Health, public=True)
def health() -> Response:
    return _json(Health(status="ok"))


@route("POST", "/customers", "Create a customer", Customer, status=201, body=CustomerCreate)
def create_customer() -> Response:
    require_admin(_principal())
    return _json(_ports().database.create_customer(_body(CustomerCreate)), 201)


@route(
    "POST",
    "/customers/<customer_id>/api-keys",
    "Issue an API key for a customer (shown once)",
    ApiKeyCreated,
    status=201,
)
def create_api_key(customer_id: str) -> Response:
    require_admin(_principal())
    return _json(issue_api_key(_ports().database, customer_id), 201)


@route("GET", "/customers/<customer_id>", "A customer", Customer)
def get_customer(customer_id: str) -> Response:
    authorize_customer(_principal(), customer_id)
    return _json(_ports().database.get_customer(customer_id))


@route("GET", "/customers/<customer_id>/dashboard", "Accounts, bills, usage, cost and open problems", Dashboard)
def get_dashboard(customer_id: str) -> Response:
    authorize_customer(_principal(), customer_id)
    ports = _ports()
    return _json(service.dashboard(ports.database, ports.warehouse, customer_id))


@route("POST", "/utility-accounts", "Link a utility account", UtilityAccount, status=201, body=UtilityAccountCreate)
def create_utility_account() -> Response:
    body = _body(UtilityAccountCreate)
    authorize_customer(_principal(), body.customer_id)
    account = service.create_account(_ports().database, default_registry(), body)
    return _json(account, 201)


@route("GET", "/utility-accounts/<account_id>", "A utility account", UtilityAccount)
def get_utility_account(account_id: str) -> Response:
    return _json(_own_account(_ports(), account_id))


def _own_account(ports: Ports, account_id: str) -> UtilityAccount:
    account = ports.database.get_account(account_id)
    authorize_customer(_principal(), account.customer_id, "utility account")
    return account


@route(
    "POST",
    "/ingest/run",
    "Start a fetch job (only publishes the work)",
    JobAccepted,
    status=202,
    body=IngestRunRequest,
    headers={"Idempotency-Key": "repeat a request safely: the first job is returned"},
)
def ingest_run() -> Response:
    ports = _ports()
    key = _idempotency_key()
    body = _body(IngestRunRequest)
    _own_account(ports, body.utility_account_id)
    accepted = service.request_ingest(ports.database, ports.publisher, ports.settings.pubsub_topic, body, key)
    return _json(accepted, 202)


@route("GET", "/jobs/<job_id>", "A job with its artifacts, errors and duration", JobView)
def get_job(job_id: str) -> Response:
    view = service.job_view(_ports().database, job_id)
    authorize_customer(_principal(), view.customer_id, "job")
    return _json(view)


@route(
    "POST",
    "/uploads",
    "Upload a bill or interval file for an account",
    UploadAccepted,
    status=202,
    multipart={"utility_account_id": "string", "file": "binary"},
    headers={"Idempotency-Key": "repeat an upload safely (e.g. after a dropped connection): the same job completes"},
)
def upload() -> Response:
    ports = _ports()
    account_id = request.form.get("utility_account_id") or request.args.get("utility_account_id")
    if not account_id:
        raise InvalidRequest("utility_account_id is required", "missing_account")
    _own_account(ports, account_id)
    uploaded = request.files.get("file")
    if uploaded is None:
        raise InvalidRequest("a multipart field named 'file' is required", "missing_file")
    data = uploaded.read(ports.settings.max_upload_bytes + 1)
    accepted = service.upload_file(
        ports.stage_context(), account_id, data, uploaded.filename, ports.settings.max_upload_bytes, _idempotency_key()
    )
    return _json(accepted, 202)


@route(
    "GET",
    "/secrets/check",
    "Which credential secrets exist (names only)",
    SecretChecks,
    query={"customer_id": "also check the secrets this customer's accounts name"},
)
def secrets_check() -> Response:
    ports = _ports()
    principal = _principal()
    customer_id = request.args.get("customer_id") or principal.customer_id
    if customer_id is not None:
        authorize_customer(principal, customer_id)
    checks = service.check_secrets(ports.database, ports.secrets, ports.settings.secret_name, customer_id)
    return _json(SecretChecks(secrets=checks))


@route(
    "POST",
    "/agent/run",
    "Plan and run a goal with the account's connector tools",
    AgentResult,
    status=202,
    body=AgentRunRequest,
)
def agent_run() -> Response:
    ports = _ports()
    body = _body(AgentRunRequest)
    _own_account(ports, body.utility_account_id)
    result = agent.run_agent(
        ports.database, ports.publisher, ports.settings.pubsub_topic, default_registry(), get_llm(), body
    )
    return _json(result, 202)


@route("GET", "/agent/result/<job_id>", "An agent run: plan, steps and outcomes", AgentResult)
def agent_result(job_id: str) -> Response:
    ports = _ports()
    authorize_customer(_principal(), ports.database.get_job(job_id).customer_id, "job")
    return _json(agent.agent_result(ports.database, job_id))


def _dead_letter_store(ports: Ports) -> DeadLetterStore:
    require_admin(_principal())
    if ports.dead_letters is None:
        raise RetryableError("dead letters are not reachable in this mode")
    return ports.dead_letters


@route("GET", "/admin/dead-letters", "Events the platform gave up on (admin)", DeadLetterList)
def list_dead_letters() -> Response:
    return _json(DeadLetterList(dead_letters=_dead_letter_store(_ports()).list()))


@route(
    "GET", "/admin/dead-letters/<dead_letter_id>", "One dead letter with its event and last error (admin)", DeadLetter
)
def get_dead_letter(dead_letter_id: str) -> Response:
    return _json(_dead_letter_store(_ports()).get(dead_letter_id))


@route(
    "POST",
    "/admin/dead-letters/replay",
    "Reopen the failed work and deliver again (admin; idempotent)",
    ReplayResult,
    body=ReplayRequest,
)
def replay_dead_letters() -> Response:
    ports = _ports()
    store = _dead_letter_store(ports)
    return _json(dead_letters.replay(store, ports.database, ports.blobs, _body(ReplayRequest).ids))


@route("GET", "/openapi.json", "This document", OpenApiDocument, public=True)
def openapi_json() -> Response:
    return _json(build_document(OPERATIONS))


def handle(flask_request: Request) -> Response:
    """Route a functions-framework request with the routes above.

    The framework already owns the request (and reads its body afterwards), so the routes run in
    its request context rather than in a second one of their own.
    """
    flask_request.max_content_length = get_settings().max_upload_bytes + 64 * 1024
    try:
        endpoint, arguments = app.url_map.bind_to_environ(flask_request.environ).match()
        if endpoint not in PUBLIC_ENDPOINTS:
            g.principal = _authenticate(_ports())
        response = cast(Response, app.view_functions[endpoint](**arguments))
        return response
    except Exception as exc:  # noqa: BLE001 - every error leaves as JSON, never as a stack trace
        return error_response(exc)
