"""Training pages under /readiness/."""

from __future__ import annotations

from django.urls import path

from readiness import training_views

app_name = "readiness"

urlpatterns = [
    path("training/", training_views.training_overview, name="training"),
    path("training/<str:what>.csv", training_views.training_export, name="training-export"),
    path(
        "training/sessions/<int:session_id>/",
        training_views.session_detail,
        name="training-session",
    ),
    path("training/courses/new/", training_views.course_new, name="course-new"),
    path("training/sessions/new/", training_views.session_new, name="session-new"),
    path("my-training/", training_views.my_training, name="my-training"),
]
