"""The visibility matrix: each role × own / other municipality × other programme × confidential × draft, for the lists
and for single objects. The expected table is written out here by hand, independently of permissions.visible_filter
(the one rule the portal has), and every way of reading a request must agree with it."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from consultations import permissions, selectors, services
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db

PEOPLE = [
    "author",  # municipal staff of town A who filed the requests
    "colleague",  # another member of staff of town A
    "neighbour",  # municipal staff of town B, same programme
    "prefecture",  # the programme's prefecture staff
    "assignee",  # the specialist the requests are routed to
    "specialist",  # another specialist of the programme
    "coordinator",
    "centre_head",
    "outsider",  # municipal staff of another programme
    "outside_specialist",
    "outside_coordinator",
    "site_admin",
]

# Which request each person sees. O: submitted, routed; C: confidential, routed to the assignee;
# U: confidential, not yet routed; D: the author's draft; P: the prefecture's own confidential request;
# B: town B's request; X: a request of the other programme.
EXPECTED = {
    "author": "OCUD",
    "colleague": "OCU",
    "neighbour": "B",
    "prefecture": "OPB",
    "assignee": "OCB",
    "specialist": "OB",
    "coordinator": "OCUPB",
    "centre_head": "OCUPB",
    "outsider": "X",
    "outside_specialist": "X",
    "outside_coordinator": "X",
    "site_admin": "OCUPBX",
}


@pytest.fixture
def world(programme, municipality, other_municipality, other_programme, outside_municipality):
    people = {
        "author": factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=municipality),
        "colleague": factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=municipality),
        "neighbour": factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=other_municipality),
        "prefecture": factories.PrefectureUserFactory(programme=programme),
        "coordinator": factories.UserFactory(role=Role.COORDINATOR, programme=programme),
        "centre_head": factories.UserFactory(role=Role.CENTRE_HEAD, programme=programme),
        "outsider": factories.UserFactory(
            role=Role.MUNICIPAL, programme=other_programme, organisation=outside_municipality
        ),
        "outside_coordinator": factories.UserFactory(role=Role.COORDINATOR, programme=other_programme),
        "site_admin": factories.SiteAdminFactory(),
    }
    assignee = factories.SpecialistFactory(user__programme=programme, domain=Domain.COCREATION)
    other = factories.SpecialistFactory(user__programme=programme, domain=Domain.DATA)
    outside = factories.SpecialistFactory(user__programme=other_programme, domain=Domain.DATA)
    people |= {"assignee": assignee.user, "specialist": other.user, "outside_specialist": outside.user}
    coordinator = people["coordinator"]
    requests = {
        "O": make_request(people["author"], title="公開の相談"),
        "C": make_request(people["author"], title="非公開で割当済み", confidential=True),
        "U": make_request(people["author"], title="非公開で未割当", confidential=True),
        "D": make_request(people["author"], title="下書き", submit=False),
        "P": make_request(people["prefecture"], title="県の非公開の相談", confidential=True),
        "B": make_request(people["neighbour"], title="隣町の相談"),
        "X": make_request(people["outsider"], title="他の推進会議の相談"),
    }
    for key in "OC":
        services.consultation_route(consultation=requests[key], specialist=assignee, by=coordinator)
    services.consultation_route(consultation=requests["B"], specialist=other, by=coordinator)
    return people, requests


@pytest.mark.parametrize("person", PEOPLE)
def test_every_way_of_reading_agrees_with_the_matrix(login, world, person):
    people, requests = world
    user = people[person]
    expected = {requests[key].pk for key in EXPECTED[person]}

    assert set(selectors.consultations_visible_to(user).values_list("pk", flat=True)) == expected
    client = login(user)
    for key, consultation in requests.items():
        fresh = type(consultation).objects.get(pk=consultation.pk)  # nothing remembered on the instance
        assert permissions.can_view(user, fresh) == (consultation.pk in expected), (person, key)
        status = client.get(consultation.get_absolute_url()).status_code
        assert status == (200 if consultation.pk in expected else 404), (person, key, status)

    listed = {row.pk for row in client.get(reverse("consultations:list")).context["page"].object_list}
    drafts = {requests["D"].pk}
    if user.role == Role.MUNICIPAL:
        assert listed == expected  # their municipality's list, with their own drafts
    else:
        assert listed == expected - drafts  # the queue shows submitted requests only


@pytest.mark.parametrize("person", ["coordinator", "centre_head", "site_admin"])
def test_the_inbox_lists_the_unrouted_requests_the_centre_may_see(login, world, person):
    people, requests = world
    listed = {row.pk for row in login(people[person]).get(reverse("consultations:inbox")).context["page"]}
    unrouted = {"U", "P"} | ({"X"} if person == "site_admin" else set())
    assert listed == {requests[key].pk for key in unrouted}
