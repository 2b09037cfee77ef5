"""Needs, proposals and introductions: the ranking on a small labelled set, the fixed number of queries, recording
an introduction and its outcome (agreed marks the need matched)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dxshare import textsearch
from knowledge.partners import selectors, services
from knowledge.partners.models import Introduction, NeedStatus, Outcome
from specialists.enums import Domain
from tests.knowledge.partners.conftest import make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(coordinator, region, other_region):
    """Partners whose order against `need` (data, オープンデータ + RPA, region 東予) is known."""
    make = lambda name, **kw: make_partner(coordinator, name=name, **kw)  # noqa: E731
    return {
        # domain 3 + two skills 4 + region 1 = 8
        "best": make("D最適", domains=[Domain.DATA], skills=["オープンデータ", "rpa"], regions=[region]),
        # domain 3 + one skill 2 + anywhere 1 = 6
        "good": make("C良い", domains=[Domain.DATA, Domain.PR], skills=["ＲＰＡ"]),
        # domain 3 + other region 0 = 3
        "domain_only_far": make("B遠い", domains=[Domain.DATA], regions=[other_region]),
        # two skills 4, no domain, anywhere 1 = 5
        "skills_only": make("A技能", domains=[Domain.DESIGN], skills=["オープンデータ", "RPA"]),
        # nothing shared: not proposed
        "unrelated": make("E無関係", domains=[Domain.SECURITY], skills=["ネットワーク"]),
        # would be best but inactive: not proposed
        "inactive": make("F休止", domains=[Domain.DATA], skills=["オープンデータ", "RPA"], active=False),
    }


@pytest.fixture
def data_need(municipal_user, region):
    return services.need_post(
        by=municipal_user,
        fields={"title": "データ公開", "description": "カタログ", "domain": Domain.DATA, "region": None},
        skills=["オープンデータ", "RPA"],
    )


def test_the_need_takes_the_municipalitys_region(data_need, region):
    assert data_need.region == region


def test_proposals_are_ranked_by_domain_skills_and_region(data_need, labelled):
    found = selectors.proposals_for(data_need)
    assert [p.name for p in found] == ["D最適", "C良い", "A技能", "B遠い"]
    assert [p.score for p in found] == [8, 6, 5, 3]
    best = found[0]
    assert (best.domain_hit, best.skill_hits, best.region_hit) == (True, 2, True)
    assert {s.key for s in best.shared_skills} == {textsearch.normalise("オープンデータ"), "rpa"}
    assert found[1].shared_skills[0].key == "rpa"  # ＲＰＡ and RPA are one skill


def test_proposals_stop_at_ten_in_a_fixed_number_of_queries(coordinator, data_need):
    for i in range(3):
        make_partner(coordinator, name=f"候補{i}", skills=["オープンデータ"])
    with CaptureQueriesContext(connection) as few:
        selectors.proposals_for(data_need)
    for i in range(3, 15):
        make_partner(coordinator, name=f"候補{i}", skills=["オープンデータ"])
    with CaptureQueriesContext(connection) as many:
        found = selectors.proposals_for(data_need)
    assert len(found) == 10
    assert len(few.captured_queries) == len(many.captured_queries) <= 3


def test_recording_an_introduction_and_its_outcome(login, coordinator, data_need, labelled, municipal_user):
    client = login(coordinator)
    page = client.get(data_need.get_absolute_url())
    assert [p.name for p in page.context["proposals"]][:1] == ["D最適"]
    best = labelled["best"]
    response = client.post(
        reverse("knowledge:need_introduce", args=[data_need.pk]),
        {"partner": best.pk, "introduced_on": "2027-01-29", "note": "先方に連絡済み"},
    )
    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert (introduction.partner, introduction.introduced_by, introduction.outcome) == (best, coordinator, "pending")
    assert introduction.introduced_on == dt.date(2027, 1, 29)

    # Introduced once: the second time is refused, and the proposal says so.
    again = client.post(
        reverse("knowledge:need_introduce", args=[data_need.pk]), {"partner": best.pk, "introduced_on": "2027-01-30"}
    )
    assert again.status_code == 400 and Introduction.objects.count() == 1
    assert next(p for p in selectors.proposals_for(data_need) if p.pk == best.pk).introduced

    prefix = f"i{introduction.pk}"
    client.post(
        reverse("knowledge:need_outcome", args=[introduction.pk]),
        {f"{prefix}-outcome": Outcome.MEETING, f"{prefix}-outcome_note": "2月3日に面談"},
    )
    introduction.refresh_from_db()
    data_need.refresh_from_db()
    assert (introduction.outcome, data_need.status) == (Outcome.MEETING, NeedStatus.OPEN)
    client.post(reverse("knowledge:need_outcome", args=[introduction.pk]), {f"{prefix}-outcome": Outcome.AGREED})
    data_need.refresh_from_db()
    assert data_need.status == NeedStatus.MATCHED

    # The municipality reads the introduction and its outcome on its need's page, without the centre's forms.
    seen = login(municipal_user).get(data_need.get_absolute_url())
    assert "D最適" in seen.text and seen.context["introduction_form"] is None
    assert seen.context["introductions"][0].form is None


def test_bad_outcome_changes_nothing(login, coordinator, data_need, labelled):
    introduction = services.introduction_record(by=coordinator, need=data_need, partner=labelled["good"])
    response = login(coordinator).post(
        reverse("knowledge:need_outcome", args=[introduction.pk]), {f"i{introduction.pk}-outcome": "<b>won</b>"}
    )
    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.outcome == Outcome.PENDING


def test_an_inactive_partner_cannot_be_introduced(coordinator, data_need, labelled):
    with pytest.raises(ValidationError):
        services.introduction_record(by=coordinator, need=data_need, partner=labelled["inactive"])


def test_posting_a_need_through_the_form(login, municipal_user, region):
    client = login(municipal_user)
    response = client.post(
        reverse("knowledge:need_create"),
        {"title": "SNSの運用を手伝える人", "description": "発信を強化したい。", "domain": "pr", "skills": "SNS、広報"},
    )
    assert response.status_code == 302
    need = selectors.needs_visible_to(municipal_user).get()
    assert [s.name for s in need.skills.order_by("key")] == ["SNS", "広報"]
    assert need.municipality == municipal_user.organisation and need.region == region


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"domain": "nonsense"}, "domain"),
        ({"skills": "<script>alert(1)</script>"}, "skills"),
        ({"skills": "x" * 31}, "skills"),
        ({"region": "999999"}, "region"),
    ],
)
def test_bad_needs_are_refused_without_markup(login, municipal_user, region, data, field):
    post = {"title": "t", "description": "d", "domain": "data", "skills": "", **data}
    response = login(municipal_user).post(reverse("knowledge:need_create"), post)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "<script>" not in response.text
    assert not selectors.needs_visible_to(municipal_user).exists()
