"""Pages under /agencies/: rosters, distribution lists, hospitals."""

from __future__ import annotations

from django.urls import URLPattern, path

from agencies import views

app_name = "agencies"

member = "rosters/<int:agency_id>/members/<int:member_id>"

urlpatterns: list[URLPattern] = [
    path("rosters/", views.roster_index, name="roster-index"),
    path("rosters/template.csv", views.roster_template, name="roster-template"),
    path("rosters/<int:agency_id>/", views.roster, name="roster"),
    path("rosters/<int:agency_id>/export.csv", views.roster_export, name="roster-export"),
    path("rosters/<int:agency_id>/import/", views.roster_import, name="roster-import"),
    path("rosters/<int:agency_id>/history/", views.roster_history, name="roster-history"),
    path("rosters/<int:agency_id>/members/new/", views.member_add, name="member-add"),
    path(f"{member}/", views.member_detail, name="member-detail"),
    path(f"{member}/edit/", views.member_edit, name="member-edit"),
    path(f"{member}/deactivate/", views.member_deactivate, name="member-deactivate"),
    path(f"{member}/reactivate/", views.member_reactivate, name="member-reactivate"),
    path(f"{member}/contacts/new/", views.contact_point_form, name="contact-add"),
    path(f"{member}/contacts/<int:point_id>/edit/", views.contact_point_form, name="contact-edit"),
    path(
        f"{member}/contacts/<int:point_id>/remove/",
        views.contact_point_remove,
        name="contact-remove",
    ),
    path("lists/", views.list_index, name="list-index"),
    path("lists/new/", views.list_form, name="list-create"),
    path("lists/<int:list_id>/", views.list_detail, name="list-detail"),
    path("lists/<int:list_id>/edit/", views.list_form, name="list-edit"),
    path("lists/<int:list_id>/delete/", views.list_delete, name="list-delete"),
    path("hospitals/", views.hospital_index, name="hospital-index"),
    path("hospitals/<int:hospital_id>/status/", views.hospital_status, name="hospital-status"),
]
