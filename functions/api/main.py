"""HTTP entry point of the API function."""

import functions_framework
from flask import Request, Response

from common.http_api import handle


@functions_framework.http
def api(request: Request) -> Response:
    return handle(request)
