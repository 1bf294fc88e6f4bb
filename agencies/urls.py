"""Pages under /agencies/: rosters, distribution lists, hospitals."""

from __future__ import annotations

from django.urls import URLPattern, path

from agencies.views import hospitals, lists, rosters

app_name = "agencies"

member = "rosters/<int:agency_id>/members/<int:member_id>"

urlpatterns: list[URLPattern] = [
    path("rosters/", rosters.roster_index, name="roster-index"),
    path("rosters/template.csv", rosters.roster_template, name="roster-template"),
    path("rosters/<int:agency_id>/", rosters.roster, name="roster"),
    path("rosters/<int:agency_id>/export.csv", rosters.roster_export, name="roster-export"),
    path("rosters/<int:agency_id>/import/", rosters.roster_import, name="roster-import"),
    path("rosters/<int:agency_id>/history/", rosters.roster_history, name="roster-history"),
    path("rosters/<int:agency_id>/members/new/", rosters.member_add, name="member-add"),
    path(f"{member}/", rosters.member_detail, name="member-detail"),
    path(f"{member}/edit/", rosters.member_edit, name="member-edit"),
    path(f"{member}/deactivate/", rosters.member_deactivate, name="member-deactivate"),
    path(f"{member}/reactivate/", rosters.member_reactivate, name="member-reactivate"),
    path(f"{member}/contacts/new/", rosters.contact_point_form, name="contact-add"),
    path(
        f"{member}/contacts/<int:point_id>/edit/", rosters.contact_point_form, name="contact-edit"
    ),
    path(
        f"{member}/contacts/<int:point_id>/remove/",
        rosters.contact_point_remove,
        name="contact-remove",
    ),
    path("lists/", lists.list_index, name="list-index"),
    path("lists/new/", lists.list_form, name="list-create"),
    path("lists/<int:list_id>/", lists.list_detail, name="list-detail"),
    path("lists/<int:list_id>/edit/", lists.list_form, name="list-edit"),
    path("lists/<int:list_id>/delete/", lists.list_delete, name="list-delete"),
    path("hospitals/", hospitals.hospital_index, name="hospital-index"),
    path("hospitals/<int:hospital_id>/status/", hospitals.hospital_status, name="hospital-status"),
]
