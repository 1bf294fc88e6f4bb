"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.response import Response as DRFResponse

from asim.input_limits import too_large_message

API_PREFIXES = ("/api/",)  # CAD intake lives under /api/v1/cad/
# Headers of the replaced error page that a client still needs.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")
DETAILS = {
    400: "Bad request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    413: "Request body too large.",
    500: "Server error: the request was not carried out. Try again, or tell the operator.",
}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path.rstrip("/") == "/api"


class ApiErrorsAsJsonMiddleware:
    """Under /api/, every error is JSON (`{"detail": …}` with the same status).

    DRF's own responses are already JSON (or what the client negotiated, e.g. the timeline
    CSV) and pass unchanged; this replaces Django's HTML error pages that a client of the
    API would otherwise get: an unknown URL (404), a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    (413 instead of Django's 400 page), a method a plain view does not allow (405), a crash
    (500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api_path(request.path_info)
            or isinstance(response, DRFResponse)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        return self._json(request, response.status_code, response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig) and is_api_path(request.path_info):
            return JsonResponse({"detail": too_large_message()}, status=413)
        return None

    @staticmethod
    def _json(request: HttpRequest, status: int, original: HttpResponse) -> JsonResponse:
        if status == 405:
            detail = f'Method "{request.method}" not allowed.'
        else:
            detail = DETAILS.get(status, original.reason_phrase + ".")
        replaced = JsonResponse({"detail": detail}, status=status)
        for header in KEPT_HEADERS:
            if header in original:
                replaced[header] = original[header]
        return replaced
