"""Communities: membership by rule (region, population, chosen), events opened to a community, announcements told
to members, scoping for every role (404 outside), bad input, and constant queries on the list and a community's page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from municipalities import communities
from municipalities.enums import CommunityRule
from municipalities.models import Announcement, Community
from notifications.models import Notification
from tests import factories
from visits import services as visit_services
from visits.enums import Audience, EventKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(programme, municipality):
    region = factories.RegionFactory(prefecture=programme.prefecture, name="南予")
    municipality.region = region
    municipality.population = 16_000
    municipality.save()
    return region


@pytest.fixture
def big_town(programme, other_municipality):
    other_municipality.population = 50_000
    other_municipality.save()
    return other_municipality


def _community(coordinator, rule, **fields):
    chosen = fields.pop("chosen", [])
    return communities.community_create(
        by=coordinator,
        programme=coordinator.programme,
        fields={"name": fields.pop("name", f"{rule}の会"), "description": "", "rule": rule, **fields},
        chosen=chosen,
    )


def test_membership_follows_the_rule(coordinator, region, municipality, big_town):
    by_region = _community(coordinator, CommunityRule.REGION, region=region)
    small = _community(coordinator, CommunityRule.POPULATION, population_below=50_000)
    chosen = _community(coordinator, CommunityRule.CHOSEN, chosen=[big_town])
    assert list(communities.members_of(by_region)) == [municipality]
    assert list(communities.members_of(small)) == [municipality]  # exactly 50,000 is not under 50,000
    assert list(communities.members_of(chosen)) == [big_town]
    big_town.population = 49_999
    big_town.save()
    assert set(communities.members_of(small)) == {municipality, big_town}


def test_municipal_staff_see_the_communities_they_belong_to(
    login, coordinator, region, municipality, big_town, municipal_user, other_municipal_user, prefecture_user
):
    mine = _community(coordinator, CommunityRule.REGION, region=region)
    theirs = _community(coordinator, CommunityRule.CHOSEN, chosen=[big_town])
    assert list(communities.communities_visible_to(municipal_user)) == [mine]
    assert list(communities.communities_visible_to(other_municipal_user)) == [theirs]
    assert set(communities.communities_visible_to(prefecture_user)) == {mine, theirs}
    client = login(municipal_user)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    page = client.get(reverse("municipalities:communities")).content.decode()
    assert mine.name in page and theirs.name not in page


@pytest.mark.parametrize(
    ("reader", "status"),
    [
        ("municipal_user", 200),
        ("specialist_user", 200),
        ("prefecture_user", 200),
        ("coordinator", 200),
        ("site_admin", 200),
        ("outsider", 404),
        ("other_coordinator", 404),
    ],
)
def test_a_community_page_for_every_role(request, login, coordinator, region, reader, status):
    community = _community(coordinator, CommunityRule.REGION, region=region)
    client = login(request.getfixturevalue(reader))
    assert client.get(community.get_absolute_url()).status_code == status


@pytest.mark.parametrize(
    ("writer", "status"),
    [
        ("municipal_user", 403),
        ("specialist_user", 403),
        ("prefecture_user", 403),
        ("other_coordinator", 404),
    ],
)
def test_only_the_centre_edits_and_announces(request, login, coordinator, region, writer, status):
    community = _community(coordinator, CommunityRule.REGION, region=region)
    client = login(request.getfixturevalue(writer))
    assert client.get(reverse("municipalities:community_edit", args=[community.pk])).status_code == status
    response = client.post(
        reverse("municipalities:announcement_post", args=[community.pk]), {"title": "お知らせ", "body": "本文"}
    )
    assert response.status_code == status
    assert not Announcement.objects.exists()
    if writer != "other_coordinator":
        assert client.get(reverse("municipalities:community_create")).status_code == 403


def test_an_announcement_is_posted_and_told_to_the_members_staff(
    login, coordinator, region, municipal_user, other_municipal_user
):
    community = _community(coordinator, CommunityRule.REGION, region=region)
    response = login(coordinator).post(
        reverse("municipalities:announcement_post", args=[community.pk]),
        {"title": "南予DX勉強会のお知らせ", "body": "<b>来月</b>開催します。"},
    )
    assert response.status_code == 302
    told = Notification.objects.filter(kind=communities.ANNOUNCEMENT)
    assert [n.recipient_id for n in told] == [municipal_user.pk]
    page = login(municipal_user).get(community.get_absolute_url()).content.decode()
    assert "南予DX勉強会のお知らせ" in page and "&lt;b&gt;来月&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rule": CommunityRule.REGION}, "region"),
        ({"rule": CommunityRule.POPULATION, "population_below": "0"}, "population_below"),
        ({"rule": CommunityRule.POPULATION, "population_below": "-5"}, "population_below"),
        ({"rule": CommunityRule.POPULATION, "population_below": "many"}, "population_below"),
        ({"rule": CommunityRule.CHOSEN}, "chosen"),
        ({"rule": "everyone"}, "rule"),
        ({"rule": CommunityRule.CHOSEN, "name": ""}, "name"),
    ],
)
def test_bad_input_is_refused_with_a_message(login, coordinator, region, fields, field):
    data = {"name": "南予の町", "description": "", **fields}
    response = login(coordinator).post(reverse("municipalities:community_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Community.objects.exists()


def test_a_region_of_another_prefecture_or_a_foreign_municipality_is_refused(coordinator, outside_municipality):
    elsewhere = factories.RegionFactory()
    with pytest.raises(ValidationError) as refused:
        _community(coordinator, CommunityRule.REGION, region=elsewhere)
    assert "region" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _community(coordinator, CommunityRule.CHOSEN, chosen=[outside_municipality])
    assert "chosen" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        communities.community_create(
            by=factories.UserFactory(role=Role.SPECIALIST, programme=coordinator.programme),
            programme=coordinator.programme,
            fields={"name": "x", "rule": CommunityRule.CHOSEN},
            chosen=[],
        )
    assert not Community.objects.exists()


def test_markup_in_a_name_is_shown_as_text(login, coordinator, region, municipal_user):
    community = _community(coordinator, CommunityRule.REGION, region=region, name="<script>x</script>南予")
    page = login(municipal_user).get(community.get_absolute_url()).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


# --- Events opened to a community -------------------------------------------------------------------------------


def _event(coordinator, community, **fields):
    starts_at = timezone.now() + dt.timedelta(days=20)
    return visit_services.event_create(
        by=coordinator,
        programme=coordinator.programme,
        fields={
            "kind": EventKind.WORKSHOP,
            "title": "南予DX勉強会",
            "description": "",
            "venue": "宇和島市役所",
            "online_url": "",
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=2),
            "capacity": None,
            "audience": Audience.COMMUNITY,
            "community": community,
            **fields,
        },
    )


def test_an_event_for_a_community_is_open_to_its_members_only(
    login, coordinator, region, municipal_user, other_municipal_user
):
    community = _community(coordinator, CommunityRule.REGION, region=region)
    event = _event(coordinator, community)
    assert login(municipal_user).get(event.get_absolute_url()).status_code == 200
    assert login(other_municipal_user).get(event.get_absolute_url()).status_code == 404
    visit_services.event_register(by=municipal_user, event=event, person=municipal_user)
    with pytest.raises((PermissionDenied, ValidationError)):
        visit_services.event_register(by=other_municipal_user, event=event, person=other_municipal_user)
    page = login(municipal_user).get(community.get_absolute_url()).content.decode()
    assert event.title in page and event.get_absolute_url() in page


def test_an_event_needs_a_community_of_its_programme(coordinator, other_coordinator, region):
    foreign = communities.community_create(
        by=other_coordinator,
        programme=other_coordinator.programme,
        fields={"name": "他県の会", "rule": CommunityRule.POPULATION, "population_below": 10_000},
    )
    with pytest.raises(ValidationError) as refused:
        _event(coordinator, None)
    assert "community" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _event(coordinator, foreign)
    assert "community" in refused.value.message_dict


def test_the_community_follows_the_rule_when_it_changes(
    coordinator, region, municipal_user, other_municipal_user, big_town
):
    from visits.selectors import events_visible_to

    community = _community(coordinator, CommunityRule.CHOSEN, chosen=[big_town])
    event = _event(coordinator, community)
    assert not events_visible_to(municipal_user).filter(pk=event.pk).exists()
    assert events_visible_to(other_municipal_user).filter(pk=event.pk).exists()
    communities.community_update(
        by=coordinator,
        community=community,
        fields={"name": community.name, "rule": CommunityRule.REGION, "region": region},
    )
    assert events_visible_to(municipal_user).filter(pk=event.pk).exists()
    assert not events_visible_to(other_municipal_user).filter(pk=event.pk).exists()


# --- Queries --------------------------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_and_a_page_run_the_same_queries_with_few_and_many_rows(
    login, coordinator, programme, region, municipal_user
):
    community = _community(coordinator, CommunityRule.REGION, region=region)
    for user in (coordinator, municipal_user):
        client = login(user)
        few_list = _count(client, reverse("municipalities:communities"))
        few_page = _count(client, community.get_absolute_url())
        for n in range(6):
            member = factories.MembershipFactory(programme=programme).municipality
            member.region = region
            member.save()
            _community(coordinator, CommunityRule.REGION, region=region, name=f"会{n}-{user.pk}")
            communities.announcement_post(by=coordinator, community=community, title=f"お知らせ{n}", body="本文")
            _event(coordinator, community, title=f"勉強会{n}")
        assert _count(client, reverse("municipalities:communities")) == few_list
        assert _count(client, community.get_absolute_url()) == few_page


# --- More roles and bad input -----------------------------------------------------------------------------------


def test_the_list_for_each_role(login, coordinator, other_coordinator, region, site_admin, specialist_user):
    mine = _community(coordinator, CommunityRule.REGION, region=region)
    foreign = communities.community_create(
        by=other_coordinator,
        programme=other_coordinator.programme,
        fields={"name": "他県の会", "rule": CommunityRule.POPULATION, "population_below": 10_000},
    )
    url = reverse("municipalities:communities")
    for reader, seen, unseen in [
        (specialist_user, mine, foreign),
        (coordinator, mine, foreign),
        (other_coordinator, foreign, mine),
    ]:
        page = login(reader).get(url).content.decode()
        assert seen.name in page and unseen.name not in page
    page = login(site_admin).get(url).content.decode()
    assert mine.name in page and foreign.name in page
    assert login(other_coordinator).get(mine.get_absolute_url()).status_code == 404


def test_the_centre_head_and_a_site_admin_manage_communities(login, centre_head, site_admin, programme, region):
    client = login(centre_head)
    response = client.post(
        reverse("municipalities:community_create"),
        {"name": "南予の町", "description": "", "rule": CommunityRule.REGION, "region": region.pk},
    )
    community = Community.objects.get()
    assert response.status_code == 302 and community.created_by == centre_head
    response = client.post(
        reverse("municipalities:announcement_post", args=[community.pk]), {"title": "お知らせ", "body": "本文"}
    )
    assert response.status_code == 302 and community.announcements.count() == 1

    admin = login(site_admin)
    assert admin.get(reverse("municipalities:community_create")).status_code == 403  # which programme?
    url = reverse("municipalities:community_create") + f"?programme={programme.slug}"
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"name": "人口5万人未満", "rule": CommunityRule.POPULATION, "population_below": "50000"})
    assert response.status_code == 302
    assert Community.objects.get(name="人口5万人未満").programme == programme
    response = admin.post(
        reverse("municipalities:community_edit", args=[community.pk]),
        {"name": "南予の市町", "description": "説明", "rule": CommunityRule.REGION, "region": region.pk},
    )
    community.refresh_from_db()
    assert response.status_code == 302 and community.name == "南予の市町" and community.description == "説明"


@pytest.mark.parametrize(
    ("data", "field"),
    [({"title": "", "body": "本文"}, "title"), ({"title": "お知らせ", "body": "  "}, "body")],
)
def test_an_announcement_without_a_title_or_text_is_refused(login, coordinator, region, municipal_user, data, field):
    community = _community(coordinator, CommunityRule.REGION, region=region)
    response = login(coordinator).post(
        reverse("municipalities:announcement_post", args=[community.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and response.context["announcement_form"].errors[field]
    assert not Announcement.objects.exists() and not Notification.objects.exists()
    with pytest.raises(ValidationError) as refused:
        communities.announcement_post(by=coordinator, community=community, title=" ", body=" ")
    assert set(refused.value.message_dict) == {"title", "body"}


def test_an_edit_that_breaks_a_rule_changes_nothing(login, coordinator, region, municipality, outside_municipality):
    community = _community(coordinator, CommunityRule.REGION, region=region, name="南予の町")
    client = login(coordinator)
    url = reverse("municipalities:community_edit", args=[community.pk])
    for data, field in [
        ({"rule": CommunityRule.CHOSEN, "chosen": [outside_municipality.pk]}, "chosen"),  # not a member: not offered
        ({"rule": CommunityRule.POPULATION, "population_below": "0"}, "population_below"),
        ({"rule": CommunityRule.REGION, "region": factories.RegionFactory().pk}, "region"),  # another prefecture
    ]:
        response = client.post(url, {"name": "改名", "description": "", **data}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and response.context["form"].errors[field]
    community.refresh_from_db()
    assert (community.name, community.rule, community.region) == ("南予の町", CommunityRule.REGION, region)
    assert list(communities.members_of(community)) == [municipality]
    with pytest.raises(ValidationError) as refused:
        communities.community_update(
            by=coordinator,
            community=community,
            fields={"name": "南予の町", "rule": CommunityRule.POPULATION, "population_below": -1},
        )
    assert "population_below" in refused.value.message_dict
