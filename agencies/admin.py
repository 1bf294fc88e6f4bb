"""Django admin for regions, agencies, hospitals, rosters, memberships, lists and the record.

Edits made here go through agencies.services like every other change: saving or deleting a
Member, ContactPoint, Hospital, DistributionList, Membership, Agency or Region (also through
an inline) is validated by the services (E.164 phones, known roles, list members from the
list's region; their errors show on the form) and writes one AuditEntry with the operator as
actor and `{field: [old, new]}` for what changed. AuditEntry itself is read-only.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html

from agencies.models import (
    Agency,
    AuditEntry,
    ContactPoint,
    Discipline,
    DistributionList,
    Hospital,
    Member,
    Membership,
    Region,
    Role,
    RosterRole,
)
from agencies.queries import members_with_role
from agencies.services import admin as admin_services

User = get_user_model()

# --- saves and deletes go through agencies.services ------------------------------------------


def save_audited_formset(request: HttpRequest, formset: BaseInlineFormSet) -> None:
    """Save an inline formset through the services: every created, changed and deleted row is
    validated and recorded."""
    if formset.model not in admin_services.ADMIN_AUDITED:
        formset.save()
        return
    formset.save(commit=False)
    for obj in formset.deleted_objects:
        admin_services.admin_delete(actor=request.user, obj=obj)
    for obj in formset.new_objects:
        admin_services.admin_save(actor=request.user, obj=obj, before={}, created=True)
    for obj, _fields in formset.changed_objects:
        before = admin_services.admin_stored_state(obj)
        admin_services.admin_save(actor=request.user, obj=obj, before=before, created=False)
    formset.save_m2m()


def _related(form: forms.ModelForm) -> dict[str, Any]:
    """The form's many-to-many values the services check (a list's members and agencies)."""
    spec = admin_services.ADMIN_AUDITED.get(type(form.instance))
    names = spec.m2m if spec is not None else ()
    return {name: list(form.cleaned_data.get(name) or ()) for name in names}


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes (and its inlines') go through agencies.services,
    which validate them and write AuditEntry rows."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        # The form has put the new values on `obj`; the database still holds the old ones.
        admin_services.admin_save(
            actor=request.user,
            obj=obj,
            before=admin_services.admin_stored_state(obj) if change else {},
            created=not change,
            related=_related(form),
            save_related=form.save_m2m,
        )

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        # The form's many-to-many values were saved with the object, in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        save_audited_formset(request, formset)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        admin_services.admin_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            admin_services.admin_delete(actor=request.user, obj=obj)


# --- forms: the services' validation ---------------------------------------------------------


class ServiceCheckedForm(forms.ModelForm):
    """A ModelForm that also checks its record as agencies.services will when it is saved, so
    a service's ValidationError shows on the form: on its field, or above the form for a field
    the form does not show."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self._errors:  # the form's own errors first: the services need a whole record
            return
        try:
            admin_services.admin_validate(self.instance, _related(self))
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                self.add_error(None, error)
                return
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


def _choices_field(choices: list[tuple[str, str]]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class MemberAdminForm(ServiceCheckedForm):
    roles = _choices_field(RosterRole.choices)


class MembershipAdminForm(ServiceCheckedForm):
    roles = _choices_field(Role.choices)


class DistributionListAdminForm(ServiceCheckedForm):
    disciplines = _choices_field(Discipline.choices)


# --- inlines ----------------------------------------------------------------------------------


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    form = ServiceCheckedForm
    fields = (
        "channel",
        "address",
        "priority",
        "verified",
        "last_failure_at",
        "last_failure_reason",
    )
    readonly_fields = ("last_failure_at", "last_failure_reason")
    extra = 1


class HospitalInline(admin.StackedInline):
    model = Hospital
    form = ServiceCheckedForm
    fields = (
        ("trauma_level", "pediatric", "burn"),
        ("pediatric_trauma_level", "treats_adults"),
        ("ed_status", "ed_status_at"),
        ("capacity_immediate", "capacity_delayed", "capacity_minor", "capacity_reported_at"),
    )
    readonly_fields = ("ed_status_at", "capacity_reported_at")
    max_num = 1
    can_delete = False


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipAdminForm
    autocomplete_fields = ("agency",)
    extra = 0


# --- model admins -----------------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    form = ServiceCheckedForm
    list_display = (
        "name", "code", "kind", "parent", "hospitals_to_notify", "hospital_radius_km",
        "ack_timeout_seconds", "time_zone",
    )  # fmt: skip
    list_filter = ("kind",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    autocomplete_fields = ("parent",)


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    form = ServiceCheckedForm
    list_display = ("name", "short_code", "discipline", "region", "member_count", "active")
    list_filter = ("discipline", "region", "active")
    search_fields = ("name", "short_code", "address")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, agency: Agency) -> int:
        return agency.member_total  # type: ignore[attr-defined]

    def get_inlines(self, request: HttpRequest, obj: Agency | None) -> list[type]:
        # The hospital profile only belongs on hospitals (and on a new agency, which may be one).
        if obj is None or obj.discipline == Discipline.HOSPITAL:
            return [HospitalInline]
        return []


@admin.register(Hospital)
class HospitalAdmin(AuditedAdmin):
    form = ServiceCheckedForm
    list_display = (
        "name", "trauma_level", "pediatric", "burn", "ed_status", "ed_status_at",
        "capacity_immediate", "capacity_delayed", "capacity_minor", "capacity_reported_at",
    )  # fmt: skip
    list_filter = (
        "ed_status", "trauma_level", "pediatric", "burn", "outside_partner", "agency__region",
    )  # fmt: skip
    search_fields = ("agency__name", "agency__short_code", "exchange_id")
    autocomplete_fields = ("agency",)
    readonly_fields = (
        "ed_status_at", "ed_status_by", "capacity_reported_at", "capacity_reported_by",
    )  # fmt: skip
    list_select_related = ("agency",)
    ordering = ("agency__name",)


class RosterRoleFilter(admin.SimpleListFilter):
    title = "roster role"
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(RosterRole.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Member]) -> QuerySet[Member]:
        if self.value() in RosterRole.values:
            return members_with_role(queryset, self.value())
        return queryset


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    form = MemberAdminForm
    list_display = ("full_name", "agency", "title", "role_list", "on_call", "active", "has_login")
    list_filter = (RosterRoleFilter, "on_call", "active", "agency__discipline", "agency__region")
    search_fields = (
        "full_name", "external_id", "title", "agency__name", "agency__short_code",
        "contact_points__address",
    )  # fmt: skip
    autocomplete_fields = ("agency", "user")
    list_select_related = ("agency", "user")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("agency", "full_name", "title", "external_id", "user")}),
        ("Duties", {"fields": ("roles", ("on_call", "active"))}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (ContactPointInline,)

    @admin.display(description="roles")
    def role_list(self, member: Member) -> str:
        return ", ".join(member.role_labels())

    @admin.display(description="login", boolean=True, ordering="user")
    def has_login(self, member: Member) -> bool:
        return member.user_id is not None


@admin.register(ContactPoint)
class ContactPointAdmin(AuditedAdmin):
    form = ServiceCheckedForm
    list_display = ("address", "channel", "member", "agency", "priority", "verified", "failing")
    list_filter = ("channel", "verified", ("last_failure_at", admin.EmptyFieldListFilter))
    search_fields = ("address", "member__full_name", "member__agency__name")
    autocomplete_fields = ("member",)
    list_select_related = ("member", "member__agency")
    readonly_fields = ("last_failure_at", "last_failure_reason")

    def get_readonly_fields(self, request: HttpRequest, obj: ContactPoint | None = None) -> Any:
        # A contact point belongs to one person; moving it would rewrite whose number it was.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "member") if obj is not None else readonly

    @admin.display(description="agency", ordering="member__agency__name")
    def agency(self, point: ContactPoint) -> Agency:
        return point.member.agency

    @admin.display(description="failing", boolean=True)
    def failing(self, point: ContactPoint) -> bool:
        return point.failing


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    form = MembershipAdminForm
    list_display = ("user", "agency", "role_list")
    list_filter = ("agency__region", "agency__discipline")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__name")
    autocomplete_fields = ("user", "agency")
    list_select_related = ("user", "agency")

    @admin.display(description="roles")
    def role_list(self, membership: Membership) -> str:
        labels = dict(Role.choices)
        return ", ".join(labels.get(role, role) for role in membership.roles)


@admin.register(DistributionList)
class DistributionListAdmin(AuditedAdmin):
    form = DistributionListAdminForm
    list_display = ("name", "region", "member_total", "agency_total", "discipline_list")
    list_filter = ("region",)
    search_fields = ("name", "description")
    autocomplete_fields = ("region", "members", "agencies")
    list_select_related = ("region",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DistributionList]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_members=Count("members", distinct=True),
                n_agencies=Count("agencies", distinct=True),
            )
        )

    @admin.display(description="members", ordering="n_members")
    def member_total(self, dlist: DistributionList) -> int:
        return dlist.n_members  # type: ignore[attr-defined]

    @admin.display(description="agencies", ordering="n_agencies")
    def agency_total(self, dlist: DistributionList) -> int:
        return dlist.n_agencies  # type: ignore[attr-defined]

    @admin.display(description="disciplines")
    def discipline_list(self, dlist: DistributionList) -> str:
        labels = dict(Discipline.choices)
        return ", ".join(labels.get(d, d) for d in dlist.disciplines)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The record is append-only: it can be read and searched, never added to, edited or
    deleted here."""

    list_display = ("at", "actor", "action", "object_type", "object_repr", "agency", "region")
    list_filter = ("action", "object_type", "region")
    search_fields = ("object_repr", "object_id", "actor__username", "agency__name")
    list_select_related = ("actor", "agency", "region")
    date_hierarchy = "at"
    fields = (
        "at", "actor", "action", "object_type", "object_id", "object_repr", "region", "agency",
        "changes_display",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    @admin.display(description="changes")
    def changes_display(self, entry: AuditEntry) -> str:
        return format_html("<pre>{}</pre>", json.dumps(entry.changes, indent=2, sort_keys=True))


# --- users: the platform roles a login holds, on the user's page ------------------------------

if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = (*BaseUserAdmin.inlines, MembershipInline)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        save_audited_formset(request, formset)
