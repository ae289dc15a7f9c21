"""HTTP entry point of the API function."""

import functions_framework
from flask import Request, Response
from werkzeug.exceptions import HTTPException

from common.http_api import error_response, handle


@functions_framework.http
def api(request: Request) -> Response:
    return handle(request)


@functions_framework.errorhandler(HTTPException)
def framework_error(exc: HTTPException) -> Response:
    """Requests the framework refuses before routing (a path it cannot match) still get JSON."""
    return error_response(exc)
