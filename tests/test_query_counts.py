"""List pages run the same number of SQL queries with few and with many rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(programme, n):
    for _ in range(n):
        membership = factories.MembershipFactory(programme=programme)
        factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=membership.municipality)
        factories.SpecialistFactory(user__programme=programme)
        factories.InvitationFactory(user__programme=programme)
        factories.ProgrammeTargetFactory(programme=programme)


@pytest.mark.parametrize("page", ["programme", "specialists", "people", "programmes"])
def test_list_pages_do_not_grow_with_data(login, programme, coordinator, site_admin, page):
    user = site_admin if page == "programmes" else coordinator
    url = {
        "programme": reverse("municipalities:programme", args=[programme.slug]),
        "specialists": reverse("specialists:list"),
        "people": reverse("specialists:people"),
        "programmes": reverse("municipalities:programme_list"),
    }[page]
    client = login(user)
    _grow(programme, 3)
    factories.ProgrammeFactory()
    few = _count(client, url)
    _grow(programme, 30)
    for _ in range(5):
        factories.ProgrammeFactory()
    many = _count(client, url)
    assert few == many, f"{page}: {few} queries with few rows, {many} with many"
