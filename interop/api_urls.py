"""/api/v1/interop/ routes: CAP, EDXL-HAVE and EDXL-DE for exchange partners."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from interop import api

router = SimpleRouter()
router.register("interop/cap", api.CapViewSet, basename="api-interop-cap")
router.register("interop/have", api.HaveViewSet, basename="api-interop-have")
router.register("interop/de", api.DeViewSet, basename="api-interop-de")

urlpatterns = router.urls
