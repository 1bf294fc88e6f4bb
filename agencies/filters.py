"""django-filter FilterSets for the agencies API.

Filters narrow a queryset that agencies/queries.py has already scoped to the user; they never
widen it. Filters that take an id (region, agency, member) only accept ids the user can see in
the directory or roster, so an unknown or foreign id is a 400 "select a valid choice", the same
answer for "does not exist" and "not yours".
"""

from __future__ import annotations

import django_filters
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest

from agencies import queries
from agencies.models import (
    Agency,
    AuditEntry,
    Channel,
    ContactPoint,
    Discipline,
    DistributionList,
    EdStatus,
    Hospital,
    Member,
    Region,
    RosterRole,
)
from asim.filters import StrictBooleanFilter


def _user(request: HttpRequest | None) -> AbstractBaseUser | AnonymousUser:
    # No request (schema generation) sees nothing, which is the safe default.
    return getattr(request, "user", None) or AnonymousUser()


def _visible_regions(request: HttpRequest | None) -> QuerySet[Region]:
    return queries.regions_visible(_user(request))


def _visible_agencies(request: HttpRequest | None) -> QuerySet[Agency]:
    return queries.agencies_visible(_user(request))


def _visible_members(request: HttpRequest | None) -> QuerySet[Member]:
    return queries.members_visible(_user(request))


class AgencyFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(queryset=_visible_regions)
    discipline = django_filters.ChoiceFilter(choices=Discipline.choices)
    active = StrictBooleanFilter()

    class Meta:
        model = Agency
        fields = ["region", "discipline", "active"]


class HospitalFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        field_name="agency__region", queryset=_visible_regions
    )
    ed_status = django_filters.ChoiceFilter(choices=EdStatus.choices)
    trauma_level = django_filters.ChoiceFilter(choices=Hospital.TraumaLevel.choices)

    class Meta:
        model = Hospital
        fields = ["region", "ed_status", "trauma_level"]


class MemberFilter(django_filters.FilterSet):
    agency = django_filters.ModelChoiceFilter(queryset=_visible_agencies)
    active = StrictBooleanFilter()
    on_call = StrictBooleanFilter()
    role = django_filters.ChoiceFilter(
        choices=RosterRole.choices, method="filter_role", label="Roster role"
    )

    class Meta:
        model = Member
        fields = ["agency", "active", "on_call", "role"]

    def filter_role(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return queries.members_with_role(queryset, value)


class ContactPointFilter(django_filters.FilterSet):
    member = django_filters.ModelChoiceFilter(queryset=_visible_members)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    failing = StrictBooleanFilter(
        method="filter_failing",
        label="Only contact points whose last delivery failed permanently (or only good ones)",
    )

    class Meta:
        model = ContactPoint
        fields = ["member", "channel", "failing"]

    def filter_failing(
        self, queryset: QuerySet[ContactPoint], name: str, value: bool
    ) -> QuerySet[ContactPoint]:
        return queryset.filter(last_failure_at__isnull=not value)


class DistributionListFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(queryset=_visible_regions)

    class Meta:
        model = DistributionList
        fields = ["region"]


class AuditEntryFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        label="Model name: member, contactpoint, distributionlist, hospital, agency"
    )
    agency = django_filters.ModelChoiceFilter(queryset=_visible_agencies)
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices)

    class Meta:
        model = AuditEntry
        fields = ["object_type", "agency", "action"]
