"""Who may see and change the region's governance records:

- The region's emergency managers keep all of them and see all of them.
- Agency admins read the interoperability plan and the agreements their agency is party to.
- Officials read the committee's meetings, the plan's adoptions and the funding lines.
- Superusers may do everything; everyone else sees nothing (404).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import QuerySet

from agencies.models import Role
from agencies.permissions import scope_for
from readiness.models import (
    CommitteeMeeting,
    FundingLine,
    MutualAidAgreement,
    PlanAdoption,
    RadioChannel,
)

User = AbstractBaseUser | AnonymousUser
KEEPERS = frozenset({Role.EMERGENCY_MANAGER})
GOVERNANCE = (CommitteeMeeting, PlanAdoption, FundingLine)


def can_keep(user: User, region_id: int) -> bool:
    scope = scope_for(user)
    return scope.superuser or region_id in scope.regions_with(KEEPERS)


def reads_governance(user: User) -> bool:
    """EMs and officials of some region: the Governance page and its navigation."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.regions_with({Role.EMERGENCY_MANAGER, Role.OFFICIAL}))


def visible(user: User, model: type[models.Model]) -> QuerySet:
    scope = scope_for(user)
    records = model._default_manager.all()
    if scope.superuser:
        return records
    keeper = models.Q(region_id__in=scope.regions_with(KEEPERS))
    admins = scope.agencies_with({Role.AGENCY_ADMIN})
    if model is RadioChannel:
        readers = scope.regions_with({Role.AGENCY_ADMIN})
        return records.filter(keeper | models.Q(region_id__in=readers))
    if model is MutualAidAgreement:
        ids = model.objects.filter(keeper | models.Q(agencies__in=admins)).values("pk")
        return records.filter(pk__in=ids)
    if model in GOVERNANCE:
        return records.filter(region_id__in=scope.regions_with(KEEPERS | {Role.OFFICIAL}))
    return records.none()
