"""Events opened to a community, through the pages: the centre picks the community on the event form, its members'
staff find the event in their list and can register, the others neither see it nor open it (404), and the
community's page lists its upcoming events (not the past, cancelled or other communities' ones)."""

import datetime as dt

import pytest
from django.utils import timezone

from municipalities import communities
from municipalities.enums import CommunityRule
from tests import factories
from visits import services
from visits.enums import Audience
from visits.models import Event, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def nanyo(coordinator, programme, municipality):
    region = factories.RegionFactory(prefecture=programme.prefecture, name="南予")
    municipality.region = region
    municipality.save()
    return communities.community_create(
        by=coordinator, programme=programme, fields={"name": "南予の町", "rule": CommunityRule.REGION, "region": region}
    )


def _form(community_pk, organiser, **extra):
    day = timezone.localdate() + dt.timedelta(days=20)
    return {
        "kind": "workshop",
        "title": "南予DX勉強会",
        "day": day.isoformat(),
        "start_time": "13:00",
        "end_time": "15:00",
        "audience": "community",
        "community": community_pk,
        "organisers": [organiser.pk],
        **extra,
    }


def test_the_centre_opens_an_event_to_a_community_on_the_form(
    login, coordinator, nanyo, municipal_user, other_municipal_user
):
    client = login(coordinator)
    assert nanyo.name in client.get("/events/new/").content.decode()  # offered on the form
    response = client.post("/events/new/", _form("", coordinator), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.context["form"].errors["community"]
    assert not Event.objects.exists()

    response = client.post("/events/new/", _form(nanyo.pk, coordinator))
    event = Event.objects.get()
    assert response.status_code == 302 and event.audience == Audience.COMMUNITY and event.community == nanyo

    member = login(municipal_user)
    assert event.title in member.get("/events/").content.decode()
    page = member.get(event.get_absolute_url()).content.decode()
    assert nanyo.get_absolute_url() in page  # "Open to" links to the community
    services.event_register(by=municipal_user, event=event, person=municipal_user)
    assert Registration.objects.filter(event=event, user=municipal_user).exists()

    other = login(other_municipal_user)
    assert event.title not in other.get("/events/").content.decode()
    assert other.get(event.get_absolute_url()).status_code == 404


def test_a_community_of_another_programme_is_not_offered(login, coordinator, other_coordinator):
    foreign = communities.community_create(
        by=other_coordinator,
        programme=other_coordinator.programme,
        fields={"name": "他県の会", "rule": CommunityRule.POPULATION, "population_below": 10_000},
    )
    client = login(coordinator)
    assert foreign.name not in client.get("/events/new/").content.decode()
    response = client.post("/events/new/", _form(foreign.pk, coordinator))
    assert response.status_code == 400 and response.context["form"].errors["community"]
    assert not Event.objects.exists()


def test_the_community_page_lists_only_its_upcoming_events(login, make_event, nanyo, coordinator, municipal_user):
    other = communities.community_create(
        by=coordinator,
        programme=coordinator.programme,
        fields={"name": "小さな町", "rule": CommunityRule.POPULATION, "population_below": 10_000},
    )
    coming = make_event(title="来月の勉強会", audience=Audience.COMMUNITY, community=nanyo)
    make_event(title="別の会の勉強会", audience=Audience.COMMUNITY, community=other)
    make_event(title="全体の合宿", audience=Audience.PROGRAMME)
    cancelled = make_event(title="中止の勉強会", audience=Audience.COMMUNITY, community=nanyo)
    services.event_cancel(by=coordinator, event=cancelled)
    past = make_event(title="先月の勉強会", audience=Audience.COMMUNITY, community=nanyo)
    Event.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=30), ends_at=timezone.now() - dt.timedelta(days=30, hours=-2)
    )
    page = login(municipal_user).get(nanyo.get_absolute_url()).content.decode()
    assert coming.title in page and coming.get_absolute_url() in page
    for title in ("別の会の勉強会", "全体の合宿", "中止の勉強会", "先月の勉強会"):
        assert title not in page
