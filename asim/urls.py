from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from asim import views
from asim.login_limit import AdminLoginForm

# The admin signs in through the same limit as the login page.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("agencies/", include("agencies.urls")),
    path("record/", include("readiness.record.urls")),
    path("readiness/", include("readiness.training_urls")),
    path("readiness/", include("readiness.exercise_urls")),
    path("readiness/", include("readiness.plan_urls")),
    path("readiness/", include("readiness.governance_urls")),
    path("readiness/", include("readiness.drill_urls")),
    path("incidents/", include("boards.urls")),
    path("api/v1/", include("asim.api_urls")),
    path("hooks/twilio/", include("notifications.hook_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "asim.api.not_found"
