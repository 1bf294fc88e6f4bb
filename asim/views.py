from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from agencies.permissions import scope_for
from asim.login_limit import LOCKED, LoginForm


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
    """The login page, behind the one sign-in limit (asim/login_limit.py): a locked account
    or address gets 429 and the time it may try again."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        if form.has_error(NON_FIELD_ERRORS, code=LOCKED):
            context = self.get_context_data(form=form, locked_out=True)
            return self.render_to_response(context, status=429)
        return super().form_invalid(form)
