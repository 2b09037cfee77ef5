"""Fixtures for the partner directory: regions of the programme's prefecture, partners, agreements and needs made
through the services (the coordinator of each programme keeps its directory)."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone, translation

from accounts.enums import Role
from knowledge.partners import services
from knowledge.partners.models import PartnerKind, Visibility
from specialists.enums import Domain
from tests import factories
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (the Japanese ones are the translators' to change)."""
    with translation.override("en"):
        yield


@pytest.fixture
def login():
    """A client signed in as the user, whose account speaks English."""

    def sign_in(user):
        if user is not None:
            type(user).objects.filter(pk=user.pk).update(language="en")
            user.language = "en"
        client = client_for(user)
        # Signing in through the form would set this cookie from the account's language; force_login does not.
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


PARTNER = {
    "kind": PartnerKind.COMPANY,
    "name": "株式会社データ工房",
    "organisation": "",
    "description": "自治体のオープンデータ公開を支援します。",
    "contact_name": "山田 一郎",
    "contact_email": "yamada@datakobo.example",
    "contact_phone": "089-000-0000",
    "visibility": Visibility.PROGRAMME,
    "active": True,
}


def make_partner(by, *, programme=None, domains=(Domain.DATA,), skills=(), regions=(), **fields):
    return services.partner_create(
        by=by,
        programme=programme or by.programme,
        fields={**PARTNER, **fields},
        domains=list(domains),
        skills=list(skills),
        regions=list(regions),
    )


def agreement_fields(**overrides):
    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    fields = {
        "signed_on": start - dt.timedelta(days=10),
        "purpose": "観光DXの推進",
        "scope": "観光データの分析と発信",
        "starts_on": start,
        "ends_on": services.term_end(start, 12),
        "yearly_cost": 5_000_000,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def region(programme, municipality):
    region = factories.RegionFactory(prefecture=programme.prefecture, name="東予", name_en="Toyo")
    municipality.region = region
    municipality.save(update_fields=["region"])
    return region


@pytest.fixture
def other_region(programme):
    return factories.RegionFactory(prefecture=programme.prefecture, name="南予", name_en="Nanyo")


@pytest.fixture
def own_partner(coordinator):
    """Programme only: invisible outside the programme."""
    return make_partner(coordinator, name="株式会社データ工房", skills=["オープンデータ", "RPA"])


@pytest.fixture
def public_partner(other_coordinator):
    """Kept by the other programme, listed to every programme."""
    return make_partner(other_coordinator, name="公開デザイン合同会社", domains=[Domain.DESIGN], visibility="public")


@pytest.fixture
def hidden_partner(other_coordinator):
    """The other programme's programme-only partner."""
    return make_partner(other_coordinator, name="非公開コンサル株式会社")


@pytest.fixture
def agreement(coordinator, own_partner, municipality):
    return services.agreement_create(
        by=coordinator,
        programme=coordinator.programme,
        partner=own_partner,
        municipality=municipality,
        fields=agreement_fields(),
    )


@pytest.fixture
def need(municipal_user, region):
    return services.need_post(
        by=municipal_user,
        fields={
            "title": "オープンデータを公開できる人",
            "description": "データカタログを作りたい。",
            "domain": Domain.DATA,
            "region": None,
        },
        skills=["オープンデータ"],
    )


@pytest.fixture
def specialist_in(programme):
    return factories.SpecialistFactory(user__programme=programme, user__role=Role.SPECIALIST).user
