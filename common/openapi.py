"""The OpenAPI document, generated from the same pydantic models the routes validate with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from common.models import ErrorEnvelope

_PATH_PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_ERRORS = {
    "400": "invalid request",
    "401": "missing or unknown API key",
    "403": "the key may not do this",
    "404": "not found (or not yours)",
    "413": "body too large",
    "422": "the body does not match the schema",
    "503": "a backing service is unavailable; retry",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # Flask syntax: /jobs/<job_id>
    summary: str
    response: type[BaseModel]
    status: int = 200
    body: type[BaseModel] | None = None
    multipart: dict[str, str] = field(default_factory=dict)  # field -> "string" | "binary"
    query: dict[str, str] = field(default_factory=dict)  # name -> description
    headers: dict[str, str] = field(default_factory=dict)
    public: bool = False

    @property
    def openapi_path(self) -> str:
        return _PATH_PARAMETER.sub(r"{\1}", self.path)


def build_document(operations: list[Operation], title: str = "MiniMeter API", version: str = "1") -> dict[str, Any]:
    # Bodies are described as they are validated, responses as they are serialized (Decimals as strings,
    # computed fields present); a model used both ways gets an -Input and an -Output schema.
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorEnvelope, "serialization")]
    for op in operations:
        wanted.append((op.response, "serialization"))
        if op.body is not None:
            wanted.append((op.body, "validation"))
    refs, schemas = models_json_schema(list(dict.fromkeys(wanted)), ref_template="#/components/schemas/{model}")

    def ref(model: type[BaseModel], mode: JsonSchemaMode = "serialization") -> dict[str, Any]:
        return dict(refs[(model, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        parameters: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
            for name in _PATH_PARAMETER.findall(op.path)
        ]
        parameters += [
            {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
            for name, text in op.query.items()
        ]
        parameters += [
            {
                "name": name,
                "in": "header",
                "required": False,
                "description": text,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            }
            for name, text in op.headers.items()
        ]
        operation: dict[str, Any] = {
            "operationId": f"{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', op.openapi_path.lower()).strip('_')}",
            "summary": op.summary,
            "parameters": parameters,
            "responses": {
                str(op.status): {
                    "description": op.summary,
                    "content": {"application/json": {"schema": ref(op.response)}},
                },
                **{
                    code: {"description": text, "content": {"application/json": {"schema": ref(ErrorEnvelope)}}}
                    for code, text in _ERRORS.items()
                    if not (op.public and code in ("401", "403"))
                },
            },
        }
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(op.body, "validation")}},
            }
        if op.multipart:
            properties = {
                name: {"type": "string", "format": "binary"} if kind == "binary" else {"type": "string", "minLength": 1}
                for name, kind in op.multipart.items()
            }
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {"type": "object", "properties": properties, "required": list(op.multipart)}
                    }
                },
            }
        if not op.public:
            operation["security"] = [{"apiKey": []}, {"bearer": []}]
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "MiniMeter turns utility bills and interval data into audited records.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
