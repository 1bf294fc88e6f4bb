"""Routes of the agencies API under /api/v1/.

A SimpleRouter (no API root view): other apps register their own routes at the same prefix.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from agencies import api

router = SimpleRouter()
router.register("regions", api.RegionViewSet, basename="region")
router.register("agencies", api.AgencyViewSet, basename="agency")
router.register("hospitals", api.HospitalViewSet, basename="hospital")
router.register("members", api.MemberViewSet, basename="member")
router.register("contact-points", api.ContactPointViewSet, basename="contact-point")
router.register("distribution-lists", api.DistributionListViewSet, basename="distribution-list")
router.register("audit", api.AuditEntryViewSet, basename="audit-entry")

urlpatterns = router.urls
