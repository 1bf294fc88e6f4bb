"""/api/v1/ routes of the readiness app: an incident's checklist, its ICS roles, the record's
figures and CSV, and the region's checklist versions (readiness/api.py).

A SimpleRouter with path converters (no API root view): other apps share the prefix.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from readiness import api, drill_api, exercise_api, governance_api, plan_api, training_api

router = SimpleRouter(use_regex_path=False)
# each adds its actions under incidents/{id}/
router.register("incidents", api.IncidentChecklistViewSet, basename="incident-checklist")
router.register("incidents", api.IncidentRolesViewSet, basename="incident-roles")
router.register("incidents", api.IncidentRecordViewSet, basename="incident-record")
router.register("checklist-templates", api.ChecklistTemplateViewSet, basename="checklist-template")
router.register("readiness/courses", training_api.CourseViewSet, basename="training-course")
router.register("readiness/sessions", training_api.SessionViewSet, basename="training-session")

# Exercises and after-action reports, under readiness/ (readiness/exercise_api.py).
exercise_router = SimpleRouter(use_regex_path=False)
exercise_router.register("exercises", exercise_api.ExerciseViewSet, basename="exercise")
exercise_router.register(
    "after-action-reports", exercise_api.AfterActionReportViewSet, basename="after-action-report"
)
exercise_router.register(
    "corrective-actions", exercise_api.CorrectiveActionViewSet, basename="corrective-action"
)
exercise_router.register("plan-documents", plan_api.PlanDocumentViewSet, basename="plan-document")
exercise_router.register("alignments", plan_api.AlignmentViewSet, basename="plan-alignment")
# Governance records, under readiness/ (readiness/governance_api.py).
for prefix, viewset, basename in (
    ("radio-channels", governance_api.RadioChannelViewSet, "radio-channel"),
    ("mutual-aid", governance_api.MutualAidViewSet, "mutual-aid"),
    ("meetings", governance_api.MeetingViewSet, "committee-meeting"),
    ("adoptions", governance_api.AdoptionViewSet, "plan-adoption"),
    ("funding", governance_api.FundingViewSet, "funding-line"),
):
    exercise_router.register(prefix, viewset, basename=basename)
exercise_router.register("drills", drill_api.DrillViewSet, basename="communications-drill")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("readiness/", include(exercise_router.urls)),
    # An APIView: a CSV download without the router's trailing slash.
    path(
        "incidents/<int:pk>/record/timeline.csv",
        api.TimelineCSVView.as_view(),
        name="api-incident-record-timeline-csv",
    ),
    path("readiness/coverage/", training_api.CoverageView.as_view(), name="api-training-coverage"),
    path("readiness/plan-coverage/", plan_api.PlanCoverageView.as_view(), name="api-plan-coverage"),
    path(
        "readiness/stale-contacts/",
        drill_api.StaleContactsView.as_view(),
        name="api-stale-contacts",
    ),
    path("readiness/my-training/", training_api.MyTrainingView.as_view(), name="api-my-training"),
]
