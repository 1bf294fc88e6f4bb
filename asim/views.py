from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from agencies.permissions import scope_for

LOGIN_WINDOW_SECONDS = 15 * 60


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(request, "home.html", {"roles": sorted(scope.roles)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


class ThrottledLoginView(auth_views.LoginView):
    """The login page; after LOGIN_FAILURE_LIMIT failures for one username in 15 minutes it
    refuses further tries until the window passes."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def _key(self) -> str:
        username = (self.request.POST.get("username") or "").strip().lower()
        return f"login-failures:{username}"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if cache.get(self._key(), 0) >= settings.LOGIN_FAILURE_LIMIT:
            form = self.get_form_class()(request)
            context = self.get_context_data(form=form, locked_out=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        key = self._key()
        cache.add(key, 0, LOGIN_WINDOW_SECONDS)
        cache.incr(key)
        return super().form_invalid(form)
