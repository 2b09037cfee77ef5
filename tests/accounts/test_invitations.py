import re
import time

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail, signing
from django.urls import reverse

from accounts import invitations
from accounts.enums import Role
from accounts.models import Invitation, User
from specialists.models import Specialist

pytestmark = pytest.mark.django_db
ACCEPT = "/account/invitation/accept/"


def _invite(client, **data):
    return client.post(reverse("specialists:invite"), data, follow=False)


def _link_from(message) -> str:
    return re.search(r"http://\S+/account/invitation/\S+/", message.body).group(0).replace("http://127.0.0.1:8000", "")


def test_a_coordinator_invites_municipal_staff_who_sets_a_password(
    login, coordinator, municipality, django_capture_on_commit_callbacks
):
    client = login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(
            client,
            email="New.Person@Town.example.jp",
            full_name="新 職員",
            role=Role.MUNICIPAL,
            organisation=municipality.pk,
            language="ja",
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@town.example.jp")
    assert (user.role, user.organisation, user.programme) == (Role.MUNICIPAL, municipality, coordinator.programme)
    assert not user.has_usable_password()
    assert Invitation.objects.get(user=user).invited_by == coordinator
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@town.example.jp"]
    assert "招待" in message.subject  # the invitee's language is Japanese

    link = _link_from(message)
    assert "72" in message.body  # how long the link works
    invitee = login(None)
    opened = invitee.get(link)
    # The token leaves the address at once: it is kept in the session, and the form's address carries nothing.
    assert opened.status_code == 302 and opened.url == ACCEPT
    form = invitee.get(ACCEPT)
    assert form.status_code == 200 and link.split("/")[-2] not in form.text
    response = invitee.post(ACCEPT, {"new_password1": "kaigi-2026-matsuyama", "new_password2": "kaigi-2026-matsuyama"})
    assert response.status_code == 302 and response.url == reverse("home")
    user.refresh_from_db()
    assert user.check_password("kaigi-2026-matsuyama")
    assert Invitation.objects.get(user=user).accepted_at is not None
    assert invitee.get(reverse("home")).status_code == 200
    # The link cannot be used twice: a page says the invitation was accepted, and how to sign in.
    again = login(None).get(link)
    assert again.status_code == 410 and again.context["problem"] == "used"
    assert "サインイン" in again.text or "ログイン" in again.text


def test_an_english_speaker_gets_the_invitation_in_english(login, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(
            login(coordinator),
            email="spec@example.jp",
            full_name="Spec",
            role=Role.SPECIALIST,
            domain="security",
            language="en",
        )
    assert mail.outbox[0].subject.startswith("[dxshare] You are invited")
    assert Specialist.objects.get(user__email="spec@example.jp").domain == "security"


def test_inviting_an_existing_address_changes_nothing(
    login, coordinator, municipal_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(
            login(coordinator), email="STAFF@town.example.jp", full_name="X", role=Role.COORDINATOR, language="ja"
        )
    assert response.status_code == 200
    assert "このメールアドレスの利用者は既に登録されています" in response.content.decode()
    assert User.objects.filter(email__iexact="staff@town.example.jp").count() == 1
    assert not Invitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": Role.MUNICIPAL}, "organisation"),
        ({"role": Role.SPECIALIST}, "domain"),
        ({"role": Role.SITE_ADMIN}, "role"),
        ({"role": Role.MUNICIPAL, "email": "not-an-address"}, "email"),
    ],
)
def test_bad_invitations_are_refused_with_a_message(login, coordinator, data, field, outside_municipality):
    payload = {"email": "ok@example.jp", "full_name": "Y", "language": "ja", **data}
    response = _invite(login(coordinator), **payload)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(email__in=["ok@example.jp", "not-an-address"]).exists()


def test_a_municipality_of_another_programme_cannot_be_chosen(login, coordinator, outside_municipality):
    response = _invite(
        login(coordinator),
        email="z@example.jp",
        full_name="Z",
        role=Role.MUNICIPAL,
        organisation=outside_municipality.pk,
        language="ja",
    )
    assert "organisation" in response.context["form"].errors
    assert not User.objects.filter(email="z@example.jp").exists()


def test_only_the_centre_invites(login, municipal_user, specialist_user, prefecture_user):
    for user in (municipal_user, specialist_user, prefecture_user):
        assert login(user).get(reverse("specialists:invite")).status_code == 403
        assert login(user).get(reverse("specialists:people")).status_code == 403


def test_resending_someone_elses_invitation_is_a_404(
    login, coordinator, other_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(login(coordinator), email="w@example.jp", full_name="W", role=Role.COORDINATOR, language="ja")
    invitation = Invitation.objects.get()
    url = reverse("specialists:invitation_resend", args=[invitation.pk])
    assert login(other_coordinator).post(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert login(coordinator).post(url).status_code == 302
    assert len(mail.outbox) == 2


def test_a_forged_or_garbled_link_is_refused(client, municipal_user):
    for token in ("forged-token", "!!", "eyJpIjoxLCJuIjoieCJ9:1abc:xyz"):
        response = client.get(reverse("accounts:invitation", args=[token]))
        assert response.status_code == 404 and response.context["problem"] == "invalid"
    # The accepting page without a link opened first has nothing to accept.
    assert client.get(ACCEPT).status_code == 404
    # A password-reset token (Django's generator) opens no invitation, and an invitation's token resets nothing.
    reset = default_token_generator.make_token(municipal_user)
    assert client.get(reverse("accounts:invitation", args=[reset])).status_code == 404


def _invitation(login, coordinator, capture):
    with capture(execute=True):
        _invite(login(coordinator), email="n@example.jp", full_name="N", role=Role.COORDINATOR, language="ja")
    return Invitation.objects.get(user__email="n@example.jp")


def test_an_invitation_link_works_for_72_hours(login, coordinator, django_capture_on_commit_callbacks, monkeypatch):
    invitation = _invitation(login, coordinator, django_capture_on_commit_callbacks)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 72 * 3600 + 60)  # sent 71 h 59 min ago
    fresh = invitations.token_for(invitation)
    monkeypatch.setattr(signing.time, "time", lambda: now - 72 * 3600 - 1)  # sent 72 h and a second ago
    stale = invitations.token_for(invitation)
    monkeypatch.undo()
    assert login(None).get(reverse("accounts:invitation", args=[fresh])).status_code == 302
    refused = login(None).get(reverse("accounts:invitation", args=[stale]))
    assert refused.status_code == 410 and refused.context["problem"] == "expired"
    assert "72" in refused.text  # the page says how long links work and how to get a new one


def test_an_expiring_link_kept_in_the_session_is_refused_on_submit(
    login, coordinator, django_capture_on_commit_callbacks, settings
):
    invitation = _invitation(login, coordinator, django_capture_on_commit_callbacks)
    invitee = login(None)
    assert invitee.get(reverse("accounts:invitation", args=[invitations.token_for(invitation)])).status_code == 302
    settings.INVITATION_VALID_SECONDS = -1  # the link expires while the form is open
    response = invitee.post(ACCEPT, {"new_password1": "kaigi-2026-matsuyama", "new_password2": "kaigi-2026-matsuyama"})
    assert response.status_code == 410
    invitation.user.refresh_from_db()
    assert not invitation.user.has_usable_password()


def test_sending_again_invalidates_the_earlier_links(login, coordinator, django_capture_on_commit_callbacks):
    invitation = _invitation(login, coordinator, django_capture_on_commit_callbacks)
    first = _link_from(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        login(coordinator).post(reverse("specialists:invitation_resend", args=[invitation.pk]))
    second = _link_from(mail.outbox[-1])
    assert first != second
    refused = login(None).get(first)
    assert refused.status_code == 410 and refused.context["problem"] == "replaced"
    assert login(None).get(second).status_code == 302


def test_password_resets_keep_djangos_three_days(settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 3600
    assert settings.INVITATION_VALID_SECONDS == 72 * 3600


def test_there_is_no_open_sign_up(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "self@example.jp", "password1": "longpassword-1", "password2": "longpassword-1"},
    )
    assert not User.objects.filter(email="self@example.jp").exists()
    assert response.status_code == 200
