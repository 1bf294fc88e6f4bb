"""Django admin for regions, agencies, hospitals, rosters, memberships, lists and the record.

Edits made here go on the record like every other change: saving or deleting a Member,
ContactPoint, Hospital, DistributionList, Membership, Agency or Region (also through an
inline) writes an AuditEntry with the operator as actor and `{field: [old, new]}` for what
changed. The forms validate as the services do (E.164 phones, known roles, list members from
the list's region). AuditEntry itself is read-only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
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
from agencies.services import (
    CAPACITY_FIELDS,
    CONTACT_FIELDS,
    HOSPITAL_FIELDS,
    LIST_FIELDS,
    MEMBER_FIELDS,
    audit_record,
    diff,
    snapshot,
)
from agencies.validation import clean_roster_roles, normalize_address, normalize_phone

User = get_user_model()

# --- the audit trail for admin edits ---------------------------------------------------------


def _stamp_hospital_times(hospital: Hospital, before: dict[str, Any]) -> None:
    """As hospital_update_status does: a new status or capacity carries the time it was given,
    so every board shows how old it is."""
    now = timezone.now()
    if before.get("ed_status") != hospital.ed_status:
        hospital.ed_status_at = now
    if any(before.get(name) != getattr(hospital, name) for name in CAPACITY_FIELDS):
        hospital.capacity_reported_at = now


def _reset_changed_contact_point(point: ContactPoint, before: dict[str, Any]) -> None:
    """As contact_point_update does: a new number starts with a clean slate."""
    if before and (before["address"], before["channel"]) != (point.address, point.channel):
        point.last_failure_at = None
        point.last_failure_reason = ""
        if before["verified"] == point.verified:  # not explicitly re-verified in this edit
            point.verified = False


AGENCY_FIELDS = (
    "region", "name", "short_code", "discipline", "address", "latitude", "longitude", "phone",
    "active",
)  # fmt: skip
REGION_FIELDS = (
    "name", "code", "kind", "parent", "hospitals_to_notify", "hospital_radius_km",
    "ack_timeout_seconds", "time_zone",
)  # fmt: skip


@dataclass(frozen=True)
class Audited:
    """How admin edits of one model go on the record."""

    fields: tuple[str, ...]
    agency: Callable[[Any], Agency | None]
    m2m: tuple[str, ...] = ()
    prepare: Callable[[Any, dict[str, Any]], None] | None = None  # runs before the save


AUDITED: dict[type[models.Model], Audited] = {
    Member: Audited(("agency", *MEMBER_FIELDS, "user"), agency=lambda m: m.agency),
    ContactPoint: Audited(
        ("member", *CONTACT_FIELDS),
        agency=lambda p: p.member.agency,
        prepare=_reset_changed_contact_point,
    ),
    Hospital: Audited(
        ("agency", *HOSPITAL_FIELDS), agency=lambda h: h.agency, prepare=_stamp_hospital_times
    ),
    DistributionList: Audited(
        ("region", *LIST_FIELDS), agency=lambda d: None, m2m=("members", "agencies")
    ),
    Membership: Audited(("user", "agency", "roles"), agency=lambda m: m.agency),
    Agency: Audited(AGENCY_FIELDS, agency=lambda a: a),
    Region: Audited(REGION_FIELDS, agency=lambda r: None),
}


def audit_state(obj: models.Model) -> dict[str, Any]:
    """The audited fields of `obj` as JSON-able values; many-to-many fields as sorted ids."""
    spec = AUDITED[type(obj)]
    state = snapshot(obj, spec.fields)
    for name in spec.m2m:
        state[name] = sorted(getattr(obj, name).values_list("id", flat=True))
    return state


def stored_state(obj: models.Model) -> dict[str, Any]:
    """The audited state as the database has it, before the form's values are saved."""
    if obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return audit_state(stored) if stored is not None else {}


def record_save(
    *, request: HttpRequest, obj: models.Model, before: dict[str, Any], created: bool
) -> None:
    """Record a create, or an update that changed something (a save without changes is no
    event)."""
    changes = diff(before, audit_state(obj))
    if not created and not changes:
        return
    if created:
        action = AuditEntry.Action.CREATE
    elif changes.get("active") == [True, False]:
        action = AuditEntry.Action.DEACTIVATE
    else:
        action = AuditEntry.Action.UPDATE
    audit_record(
        actor=request.user,
        action=action,
        instance=obj,
        agency=AUDITED[type(obj)].agency(obj),
        changes=changes,
    )


def record_delete(*, request: HttpRequest, obj: models.Model) -> None:
    before = audit_state(obj)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.DELETE,
        instance=obj,
        agency=AUDITED[type(obj)].agency(obj),
        changes=diff(before, dict.fromkeys(before)),
    )


def save_audited_formset(request: HttpRequest, formset: BaseInlineFormSet) -> None:
    """Save an inline formset, recording every created, changed and deleted row."""
    if formset.model not in AUDITED:
        formset.save()
        return
    prepare = AUDITED[formset.model].prepare
    formset.save(commit=False)
    for obj in formset.deleted_objects:
        record_delete(request=request, obj=obj)
        obj.delete()
    for obj in formset.new_objects:
        if prepare:
            prepare(obj, {})
        obj.save()
        record_save(request=request, obj=obj, before={}, created=True)
    for obj, _fields in formset.changed_objects:
        before = stored_state(obj)
        if prepare:
            prepare(obj, before)
        obj.save()
        record_save(request=request, obj=obj, before=before, created=False)
    formset.save_m2m()


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes (and its inlines') write AuditEntry rows."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        # The form has put the new values on `obj`; the database still holds the old ones.
        before = stored_state(obj) if change else {}
        spec = AUDITED[type(obj)]
        if spec.prepare:
            spec.prepare(obj, before)
        super().save_model(request, obj, form, change)
        if spec.m2m:  # recorded in save_related, once the many-to-many fields are saved
            obj._audit_before = before
        else:
            record_save(request=request, obj=obj, before=before, created=not change)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if AUDITED[type(obj)].m2m:
            before = getattr(obj, "_audit_before", {})
            record_save(request=request, obj=obj, before=before, created=not change)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        save_audited_formset(request, formset)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_delete(request=request, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            record_delete(request=request, obj=obj)
        super().delete_queryset(request, queryset)


# --- forms: the services' validation ---------------------------------------------------------


def _choices_field(choices: list[tuple[str, str]]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class MemberAdminForm(forms.ModelForm):
    roles = _choices_field(RosterRole.choices)

    def clean_roles(self) -> list[str]:
        return clean_roster_roles(self.cleaned_data["roles"])


class ContactPointAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        channel, address = cleaned.get("channel"), cleaned.get("address")
        if channel and address:
            try:
                cleaned["address"] = normalize_address(channel, address)
            except ValidationError as exc:
                self.add_error("address", exc.messages)
                return cleaned
            # The member field is read-only on a saved point, so Django's own unique check
            # would skip it; without this a duplicate would surface as a database error.
            member_id = getattr(cleaned.get("member"), "pk", None) or self.instance.member_id
            clash = ContactPoint.objects.filter(
                member_id=member_id, channel=channel, address=cleaned["address"]
            )
            if member_id and clash.exclude(pk=self.instance.pk).exists():
                self.add_error("address", f"This person already has this {channel} address.")
        return cleaned


class AgencyAdminForm(forms.ModelForm):
    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        return normalize_phone(phone) if phone else ""


class MembershipAdminForm(forms.ModelForm):
    roles = _choices_field(Role.choices)


class DistributionListAdminForm(forms.ModelForm):
    disciplines = _choices_field(Discipline.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        region, name = cleaned.get("region"), cleaned.get("name")
        if region and name:
            clash = DistributionList.objects.filter(region=region, name__iexact=name.strip())
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("name", f"{region} already has a list called {name!r}.")
            members = cleaned.get("members") or []
            if any(m.agency.region_id != region.pk for m in members):
                self.add_error("members", "Every member must belong to an agency of the region.")
            if any(a.region_id != region.pk for a in cleaned.get("agencies") or []):
                self.add_error("agencies", "Every agency must be in the list's region.")
        return cleaned


# --- inlines ----------------------------------------------------------------------------------


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    form = ContactPointAdminForm
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
    form = AgencyAdminForm
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
    form = ContactPointAdminForm
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
