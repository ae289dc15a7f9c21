"""The API against its own OpenAPI document: schemathesis finds no 5xx and no schema violations."""

from __future__ import annotations

from typing import Any

import functions_framework
import pytest
import schemathesis
from harness import REPO_ROOT, InProcessPlatform
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from common.http_api import OPERATIONS


@pytest.fixture
def api_schema(platform: InProcessPlatform) -> Any:
    app = functions_framework.create_app("api", str(REPO_ROOT / "functions" / "api" / "main.py"), "http")
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def test_api_conforms_to_its_schema(api_schema: Any) -> None:
    """Every operation, with generated valid and invalid inputs: no 5xx, responses match the document.

    (schemathesis' pytest plugin does not run on this pytest, so operations are driven directly.)
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    described = {f"{op.method} {op.openapi_path}" for op in OPERATIONS} - {"GET /openapi.json"}  # the schema itself
    assert {o.label for o in operations} == described
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            # Random ids rightly answer 404, so "valid data must be accepted" cannot hold for lookups.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        check()


def test_document_describes_every_route(api_client: Any) -> None:
    document = api_client.get("/openapi.json").json
    assert document["openapi"].startswith("3.")
    described = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert described == {(op.method, op.openapi_path) for op in OPERATIONS}
    assert ("POST", "/ingest/run") in described and ("GET", "/customers/{customer_id}/dashboard") in described
    assert document["paths"]["/uploads"]["post"]["requestBody"]["content"]["multipart/form-data"]
