"""factory_boy factories for the whole suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from agencies.models import (
    Agency,
    Channel,
    ContactPoint,
    Discipline,
    DistributionList,
    Hospital,
    Member,
    Membership,
    Region,
)

User = get_user_model()
PASSWORD = "correct-horse-battery"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"County {n}")
    code = factory.Sequence(lambda n: f"county-{n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Agency {n}")
    short_code = factory.Sequence(lambda n: f"AG{n}")
    discipline = Discipline.LAW
    latitude = 39.76
    longitude = -84.19


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital

    agency = factory.SubFactory(
        AgencyFactory,
        discipline=Discipline.HOSPITAL,
        name=factory.Sequence(lambda n: f"Hospital {n}"),
    )
    trauma_level = 2


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    roles: list[str] = factory.LazyFunction(list)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    agency = factory.SubFactory(AgencyFactory)
    full_name = factory.Sequence(lambda n: f"Member {n}")
    title = "Officer"
    roles: list[str] = factory.LazyFunction(list)


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    member = factory.SubFactory(MemberFactory)
    channel = Channel.SMS
    address = factory.Sequence(lambda n: f"+1937555{n % 10000:04d}")


class DistributionListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistributionList

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"List {n}")


def user_with_roles(agency: Agency, *roles: str, **user_fields: object) -> User:
    """A login that is a member of `agency` with the given platform roles."""
    membership = MembershipFactory(
        agency=agency, roles=list(roles), **{f"user__{k}": v for k, v in user_fields.items()}
    )
    return membership.user
