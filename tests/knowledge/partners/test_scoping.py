"""Who sees and does what, for every role: a programme-only partner is invisible outside its programme (404), a public
one is listed to every programme; agreements to the centre, prefecture staff, site administrators and the
municipality concerned; needs to the programme (municipal staff: their own municipality's). Forbidden actions on
what one may see are 403."""

import pytest
from django.urls import reverse

from knowledge.partners import services
from knowledge.partners.models import Introduction, Need, Partner
from knowledge.partners.selectors import proposals_for
from tests.knowledge.partners.conftest import make_partner

pytestmark = pytest.mark.django_db

ROLES = [
    "municipal_user",
    "other_municipal_user",
    "outsider",
    "specialist_user",
    "prefecture_user",
    "coordinator",
    "other_coordinator",
    "site_admin",
]
IN_PROGRAMME = {"municipal_user", "other_municipal_user", "specialist_user", "prefecture_user", "coordinator"}
OUTSIDE = {"outsider", "other_coordinator"}


def _status(request, login, who, url, method="get", data=None):
    client = login(request.getfixturevalue(who))
    return getattr(client, method)(url, data or {}).status_code


@pytest.mark.parametrize("who", ROLES)
def test_partner_detail(request, login, who, own_partner, public_partner, hidden_partner):
    expected = {
        own_partner: 200 if who in IN_PROGRAMME or who == "site_admin" else 404,
        public_partner: 200,
        hidden_partner: 200 if who in OUTSIDE or who == "site_admin" else 404,
    }
    for partner, status in expected.items():
        assert _status(request, login, who, partner.get_absolute_url()) == status, (who, partner.name)


@pytest.mark.parametrize("who", ROLES)
def test_directory_lists_own_and_public_partners(request, login, who, own_partner, public_partner, hidden_partner):
    response = login(request.getfixturevalue(who)).get(reverse("knowledge:partner_list"))
    assert response.status_code == 200
    listed = {partner.pk for partner in response.context["page"].object_list}
    if who == "site_admin":
        assert listed == {own_partner.pk, public_partner.pk, hidden_partner.pk}
    elif who in OUTSIDE:
        assert listed == {public_partner.pk, hidden_partner.pk}
    else:
        assert listed == {own_partner.pk, public_partner.pk}
    assert ("非公開コンサル" in response.text) == (who in OUTSIDE or who == "site_admin")


def test_inactive_partner_is_seen_only_by_its_centre(login, coordinator, municipal_user, own_partner, centre_head):
    services.partner_update(
        by=coordinator,
        partner=own_partner,
        fields={"active": False, "kind": own_partner.kind, "name": own_partner.name, "visibility": "public"},
        domains=["data"],
        skills=[],
        regions=[],
    )
    assert login(municipal_user).get(own_partner.get_absolute_url()).status_code == 404
    assert login(coordinator).get(own_partner.get_absolute_url()).status_code == 200
    listed = login(municipal_user).get(reverse("knowledge:partner_list")).context["page"].object_list
    assert own_partner not in listed
    inactive = login(centre_head).get(reverse("knowledge:partner_list") + "?inactive=on").context["page"]
    assert [p.pk for p in inactive] == [own_partner.pk]
    # Municipal staff cannot ask for the inactive ones: the filter is not theirs.
    assert (
        own_partner
        not in login(municipal_user).get(reverse("knowledge:partner_list") + "?inactive=on").context["page"].object_list
    )


@pytest.mark.parametrize("who", ROLES)
def test_agreement_visibility(request, login, who, agreement):
    allowed = {"municipal_user", "prefecture_user", "coordinator", "site_admin"}
    assert _status(request, login, who, agreement.get_absolute_url()) == (200 if who in allowed else 404)
    partner_page = login(request.getfixturevalue(who)).get(agreement.partner.get_absolute_url())
    if partner_page.status_code == 200:
        assert (agreement.get_absolute_url() in partner_page.text) == (who in allowed)


@pytest.mark.parametrize("who", ROLES)
def test_need_visibility(request, login, who, need):
    allowed = {"municipal_user", "specialist_user", "prefecture_user", "coordinator", "site_admin"}
    assert _status(request, login, who, need.get_absolute_url()) == (200 if who in allowed else 404)
    listed = login(request.getfixturevalue(who)).get(reverse("knowledge:need_list")).context["page"].object_list
    assert (need in listed) == (who in allowed)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("municipal_user", 403),
        ("specialist_user", 403),
        ("prefecture_user", 403),
        ("coordinator", 200),
        ("other_coordinator", 200),
        ("site_admin", 403),  # a site administrator names the programme (?programme=slug)
    ],
)
def test_who_may_add_partners(request, login, who, status):
    assert _status(request, login, who, reverse("knowledge:partner_create")) == status


def test_site_admin_adds_a_partner_to_a_named_programme(login, site_admin, programme):
    client = login(site_admin)
    url = reverse("knowledge:partner_create") + f"?programme={programme.slug}"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "company", "name": "管理者登録", "domains": ["data"], "visibility": "programme", "active": "on"}
    )
    assert response.status_code == 302
    assert Partner.objects.get().programme == programme


@pytest.mark.parametrize(
    ("who", "own", "public"),
    [
        ("municipal_user", 403, 403),
        ("specialist_user", 403, 403),
        ("prefecture_user", 403, 403),
        ("coordinator", 200, 403),  # the public partner is kept by the other programme
        ("other_coordinator", 404, 200),
        ("outsider", 404, 403),
        ("site_admin", 200, 200),
    ],
)
def test_who_may_edit_a_partner(request, login, who, own, public, own_partner, public_partner):
    assert _status(request, login, who, reverse("knowledge:partner_edit", args=[own_partner.pk])) == own
    assert _status(request, login, who, reverse("knowledge:partner_edit", args=[public_partner.pk])) == public


@pytest.mark.parametrize(
    ("who", "own", "public"),
    [
        ("municipal_user", 403, 403),
        ("specialist_user", 403, 403),
        ("prefecture_user", 403, 403),
        ("coordinator", 200, 200),  # the centre seconds a public partner's staff to its own municipality
        ("other_coordinator", 404, 200),
        ("site_admin", 200, 200),
    ],
)
def test_who_may_record_agreements(request, login, who, own, public, own_partner, public_partner):
    assert _status(request, login, who, reverse("knowledge:agreement_create", args=[own_partner.pk])) == own
    assert _status(request, login, who, reverse("knowledge:agreement_create", args=[public_partner.pk])) == public


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("municipal_user", 403),
        ("other_municipal_user", 404),
        ("specialist_user", 404),
        ("prefecture_user", 403),
        ("coordinator", 200),
        ("other_coordinator", 404),
        ("site_admin", 200),
    ],
)
def test_who_may_edit_an_agreement(request, login, who, status, agreement):
    assert _status(request, login, who, reverse("knowledge:agreement_edit", args=[agreement.pk])) == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("municipal_user", 200),
        ("specialist_user", 200),
        ("prefecture_user", 403),
        ("coordinator", 403),
        ("outsider", 200),
        ("site_admin", 403),
    ],
)
def test_who_may_post_a_need(request, login, who, status):
    assert _status(request, login, who, reverse("knowledge:need_create")) == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("municipal_user", 403),
        ("other_municipal_user", 404),
        ("specialist_user", 403),
        ("prefecture_user", 403),
        ("coordinator", 302),
        ("other_coordinator", 404),
        ("site_admin", 302),
    ],
)
def test_who_may_record_introductions_and_outcomes(request, login, who, status, need, own_partner):
    url = reverse("knowledge:need_introduce", args=[need.pk])
    assert (
        _status(request, login, who, url, "post", {"partner": own_partner.pk, "introduced_on": "2027-01-29"}) == status
    )
    assert Introduction.objects.exists() == (status == 302)
    coordinator = request.getfixturevalue("coordinator")
    introduction = Introduction.objects.first() or services.introduction_record(
        by=coordinator, need=need, partner=own_partner
    )
    outcome_url = reverse("knowledge:need_outcome", args=[introduction.pk])
    data = {f"i{introduction.pk}-outcome": "meeting", f"i{introduction.pk}-outcome_note": ""}
    assert _status(request, login, who, outcome_url, "post", data) == status
    introduction.refresh_from_db()
    assert (introduction.outcome == "meeting") == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("municipal_user", 302),  # posted it
        ("other_municipal_user", 404),
        ("specialist_user", 403),
        ("prefecture_user", 403),
        ("coordinator", 302),
        ("outsider", 404),
        ("site_admin", 302),
    ],
)
def test_who_may_change_a_need_status(request, login, who, status, need):
    url = reverse("knowledge:need_status", args=[need.pk])
    assert _status(request, login, who, url, "post", {"status": "closed"}) == status
    need.refresh_from_db()
    assert (need.status == "closed") == (status == 302)


def test_another_programmes_partner_cannot_be_introduced(coordinator, need, hidden_partner, login):
    response = login(coordinator).post(
        reverse("knowledge:need_introduce", args=[need.pk]),
        {"partner": hidden_partner.pk, "introduced_on": "2027-01-29"},
    )
    assert response.status_code == 400
    assert not Introduction.objects.exists()


def test_a_specialist_posts_for_a_member_municipality_only(login, specialist_user, outside_municipality, municipality):
    client = login(specialist_user)
    data = {"title": "t", "description": "d", "domain": "data", "skills": "", "municipality": outside_municipality.pk}
    assert client.post(reverse("knowledge:need_create"), data).status_code == 400
    data["municipality"] = municipality.pk
    assert client.post(reverse("knowledge:need_create"), data).status_code == 302
    assert Need.objects.get().municipality == municipality


def test_municipal_staff_post_for_their_own_municipality(login, municipal_user, other_municipality):
    client = login(municipal_user)
    data = {"title": "t", "description": "d", "domain": "data", "skills": "", "municipality": other_municipality.pk}
    assert client.post(reverse("knowledge:need_create"), data).status_code == 302
    assert Need.objects.get().municipality == municipal_user.organisation


def test_public_partner_of_another_programme_is_in_the_proposals(need, public_partner, hidden_partner):
    public = make_partner(
        public_partner.created_by, name="公開データ会社", visibility="public", skills=["オープンデータ"]
    )
    hidden = make_partner(hidden_partner.created_by, name="非公開データ会社", skills=["オープンデータ"])
    found = proposals_for(need)
    assert public in found and hidden not in found
