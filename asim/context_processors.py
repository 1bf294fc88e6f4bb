from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from agencies.permissions import scope_for
from asim.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": items_for(scope_for(user), is_staff=user.is_staff)}
