"""Role fixtures: two programmes; in the first, two municipalities. Every view test uses these people."""

import pytest
from django.test import Client

from accounts.enums import Role
from tests import factories


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's default language: a request with another Accept-Language leaves that language
    active in the test's thread (LocaleMiddleware does not switch back), which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def programme(db):
    return factories.ProgrammeFactory(slug="ehime-test", reference_prefix="EH")


@pytest.fixture
def municipality(programme):
    return factories.MembershipFactory(programme=programme).municipality


@pytest.fixture
def other_municipality(programme):
    """Same programme, another municipality."""
    return factories.MembershipFactory(programme=programme).municipality


@pytest.fixture
def other_programme(db):
    return factories.ProgrammeFactory(slug="other-test", reference_prefix="OT")


@pytest.fixture
def outside_municipality(other_programme):
    return factories.MembershipFactory(programme=other_programme).municipality


@pytest.fixture
def municipal_user(programme, municipality):
    return factories.UserFactory(
        role=Role.MUNICIPAL,
        programme=programme,
        organisation=municipality,
        email="staff@town.example.jp",
        full_name="町 職員",
    )


@pytest.fixture
def other_municipal_user(programme, other_municipality):
    return factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=other_municipality)


@pytest.fixture
def outsider(other_programme, outside_municipality):
    """A municipal user of another programme."""
    return factories.UserFactory(role=Role.MUNICIPAL, programme=other_programme, organisation=outside_municipality)


@pytest.fixture
def other_coordinator(other_programme):
    return factories.UserFactory(role=Role.COORDINATOR, programme=other_programme)


@pytest.fixture
def prefecture_user(programme):
    return factories.PrefectureUserFactory(programme=programme)


@pytest.fixture
def specialist(programme):
    return factories.SpecialistFactory(user__programme=programme, user__full_name="専門 太郎")


@pytest.fixture
def specialist_user(specialist):
    return specialist.user


@pytest.fixture
def coordinator(programme):
    return factories.UserFactory(role=Role.COORDINATOR, programme=programme, full_name="調整 花子")


@pytest.fixture
def centre_head(programme):
    return factories.UserFactory(role=Role.CENTRE_HEAD, programme=programme)


@pytest.fixture
def site_admin(db):
    return factories.SiteAdminFactory()


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def login():
    return client_for
