"""A distribution list's member and agency ids are checked in one query, and bounded: a
long list of ids cannot keep a request (and the database) busy for minutes."""

from __future__ import annotations

import pytest

from agencies.models import DistributionList
from agencies.serializers import ScopedManyRelatedField
from tests.conftest import as_user
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/distribution-lists/"


def test_thousands_of_member_ids_are_checked_in_a_few_queries(
    api, em_a, world, django_assert_max_num_queries
):
    members = MemberFactory.create_batch(3, agency=world.police_a)
    ids = [m.pk for m in members] * 1000
    with django_assert_max_num_queries(25):
        response = as_user(api, em_a).post(
            URL, {"region": world.region_a.pk, "name": "Police", "members": ids}, format="json"
        )
    assert response.status_code == 201, response.content
    assert sorted(response.json()["members"]) == sorted(m.pk for m in members)


def test_an_id_the_user_may_not_see_is_refused_like_a_missing_one(api, em_a, world):
    mine = MemberFactory(agency=world.police_a)
    foreign = MemberFactory(agency=world.police_b)
    response = as_user(api, em_a).post(
        URL,
        {"region": world.region_a.pk, "name": "Mixed", "members": [mine.pk, foreign.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert f'Invalid pk "{foreign.pk}"' in response.json()["members"][0]
    assert not DistributionList.objects.filter(name="Mixed").exists()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([1] * (ScopedManyRelatedField.MAX_IDS + 1), "At most"),
        (["x"], "Expected integer"),
        ([True], "Expected integer"),
        ([[1]], "Expected integer"),
        ("1,2", "Expected array"),
    ],
)
def test_bad_member_lists_get_a_400_with_the_reason(api, em_a, world, members, message):
    response = as_user(api, em_a).post(
        URL, {"region": world.region_a.pk, "name": "Bad", "members": members}, format="json"
    )
    assert response.status_code == 400, response.content
    assert message in str(response.json()["members"])
