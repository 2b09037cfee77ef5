import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from consultations.enums import Status
from consultations.models import Consultation
from consultations.selectors import consultations_visible_to
from demo.services import demo_seed
from municipalities.models import Programme

pytestmark = pytest.mark.django_db


def test_demo_builds_two_separate_programmes_and_is_idempotent():
    logins = demo_seed()
    counts = (User.objects.count(), Consultation.objects.count(), Programme.objects.count())
    assert demo_seed() == logins
    assert (User.objects.count(), Consultation.objects.count(), Programme.objects.count()) == counts

    ehime = Programme.objects.get(slug="ehime")
    assert ehime.members.count() == 20
    domains = set(User.objects.filter(programme=ehime, role="specialist").values_list("specialist__domain", flat=True))
    assert domains == {"design", "security", "data", "cocreation", "pr"}
    roles = {login.role for login in logins}
    assert roles == {"site_admin", "specialist", "centre_head", "coordinator", "prefecture", "municipal"}
    # Requests in every state, over the previous and the current fiscal year, all numbered by the service.
    statuses = set(Consultation.objects.values_list("status", flat=True))
    assert {Status.SUBMITTED, Status.ROUTED, Status.WAITING, Status.ANSWERED, Status.CLOSED} <= statuses
    assert len(set(Consultation.objects.values_list("fiscal_year", flat=True))) == 2
    assert not Consultation.objects.filter(reference="").exists()
    # The second programme sees none of Ehime's requests.
    kochi_coordinator = User.objects.get(email="coordinator@centre.kochi.example")
    assert not consultations_visible_to(kochi_coordinator).exists()


def test_the_command_refuses_production_without_the_flag(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_demo_requests_are_filed_by_the_municipality_they_speak_for():
    """「今治市環境政策課です」 is filed by Imabari's staff, not Matsuyama's; the demo login of Matsuyama has a question
    and an answer waiting for it, and the design specialist a reply from a municipality."""
    demo_seed()
    ehime = Programme.objects.get(slug="ehime")
    for consultation in Consultation.objects.filter(programme=ehime).select_related("organisation"):
        named = [
            lg.name
            for lg in ehime.members.all()
            if lg.name in consultation.description[:20] and lg.name != consultation.organisation.name
        ]
        longer = [name for name in named if consultation.organisation.name not in name]
        assert consultation.organisation.name in consultation.description[:20] or not longer, consultation.title
    matsuyama = set(
        Consultation.objects.filter(requester__email="staff1@matsuyama.ehime.example").values_list("status", flat=True)
    ) | set(Consultation.objects.filter(organisation__name="松山市").values_list("status", flat=True))
    assert {Status.WAITING, Status.ANSWERED} <= matsuyama
    assert Consultation.objects.filter(
        specialist__user__email="design@specialists.ehime.example", status=Status.IN_PROGRESS, last_reply_by="requester"
    ).exists()
    assert ehime.centre_phone and ehime.centre_email


def test_demo_has_a_year_of_visits_camps_with_a_waiting_list_and_workshops():
    from dxshare.fiscal import current_fiscal_year
    from visits.models import Event, Registration, Trip
    from visits.selectors import visit_count

    demo_seed()
    ehime = Programme.objects.get(slug="ehime")
    last_year = current_fiscal_year() - 1
    assert visit_count(ehime, last_year) > 100
    trips = Trip.objects.filter(programme=ehime)
    assert trips.filter(status="cancelled").exists() and trips.filter(mode="online").exists()
    assert any(trip.visits.count() == 2 for trip in trips.prefetch_related("visits"))  # joint visits
    months = {trip.starts_at.month for trip in trips}
    assert months <= {8, 9, 10, 11, 12, 1, 2, 3}
    kinds = set(Event.objects.filter(programme=ehime).values_list("kind", flat=True))
    assert {"summer_camp", "winter_camp", "workshop"} <= kinds
    assert Registration.objects.filter(event__programme=ehime, status="waiting").exists()
    assert Registration.objects.filter(event__programme=ehime, attended=True).exists()


def test_the_demo_centre_signs_in_with_the_published_second_step(client):
    """Coordinators must have a second factor: the demo's have its published key, and the command prints the code."""
    import io

    from allauth.mfa.models import Authenticator

    demo_seed()
    coordinator = User.objects.get(email="coordinator@centre.kochi.example")
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()
    response = client.post("/accounts/login/", {"login": coordinator.email, "password": "dxshare-demo-2026"})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    out = io.StringIO()
    call_command("demo_totp_code", stdout=out)
    assert client.post("/accounts/2fa/authenticate/", {"code": out.getvalue().split()[0]}).status_code == 302
    assert client.get("/").status_code == 200
