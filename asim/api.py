"""API defaults shared by every app (REST_FRAMEWORK settings point here).

Kept apart from asim/openapi.py: DRF imports these classes while its views module is still
loading, so this module must not import drf-spectacular at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


class RequestMatchesSchema(BasePermission):
    """Not a permission: a request gate that DRF runs for every API view after
    authentication. A query parameter the operation does not declare in the OpenAPI schema
    (a misspelt filter, `?stauts=active`, would otherwise give a silently unfiltered list), or
    a JSON body with a value of a type the schema does not allow (a number for a text, which
    DRF would quietly turn into "0"), is a 400 naming the field."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        from asim.openapi import operation_contract

        contract = operation_contract(view, request.method or "GET")
        if contract is None:
            return True
        unknown = sorted(set(request.query_params) - contract.query)
        if unknown:
            allowed = ", ".join(sorted(contract.query)) or "none"
            raise ValidationError(
                {
                    name: [f"Unknown query parameter. This endpoint takes: {allowed}."]
                    for name in unknown
                }
            )
        if contract.body is not None and request.content_type.startswith("application/json"):
            errors = contract.body_type_errors(request.data)
            if errors:
                raise ValidationError(errors)
        return True


class Pages(PageNumberPagination):
    """The API's default pages: 50 items, `?page_size=` 1 to 500 (the boards ask for 100).

    Stricter than DRF, as the schema says: a page size that is not a whole number in range is
    a 400 (DRF would quietly use the default), and `?page=last` is not a page number."""

    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: an unknown or malformed /api/ URL answers JSON like every API error."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
