"""Every consultation view against people who must not see the request: 404 (or 403 for a role-only page)."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from consultations import services
from consultations.enums import Status
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import checked_pdf, make_request

pytestmark = pytest.mark.django_db

OBJECT_VIEWS = ["detail", "submitted", "edit", "route", "reply", "change", "accept", "watch", "hand_back"]
POST_ONLY = {"reply", "change", "accept", "watch", "hand_back"}
OUTSIDERS = ["other_municipal_user", "outsider", "other_coordinator"]


def _hit(client, name, pk):
    url = reverse(f"consultations:{name}", args=[pk, "close"] if name == "change" else [pk])
    return (
        client.post(
            url, {"body": "x", "to_status": "closed", "reason": "x", "rating": "5", "watch": "1", "specialist": "1"}
        )
        if name in POST_ONLY
        else client.get(url)
    )


@pytest.mark.parametrize("view", OBJECT_VIEWS)
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_and_nothing_changes(request, login, routed, view, who):
    before = (routed.status, routed.messages.count(), routed.watchers.count(), routed.updated_at)
    response = _hit(login(request.getfixturevalue(who)), view, routed.pk)
    assert response.status_code == 404
    routed.refresh_from_db()
    assert (routed.status, routed.messages.count(), routed.watchers.count(), routed.updated_at) == before


@pytest.mark.parametrize("view", OBJECT_VIEWS)
def test_anonymous_users_go_to_login(client, routed, view):
    response = _hit(client, view, routed.pk)
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_attachments_follow_the_request(
    login, municipal_user, other_municipal_user, outsider, coordinator, five_specialists
):
    consultation = make_request(municipal_user, files=[checked_pdf()])
    attachment = consultation.attachments.get()
    url = attachment.get_absolute_url()
    response = login(municipal_user).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(coordinator).get(url).status_code == 200
    for person in (other_municipal_user, outsider):
        assert login(person).get(url).status_code == 404


def test_internal_note_files_are_hidden_from_the_municipality(login, routed, municipal_user, coordinator):
    services.consultation_reply(
        consultation=routed, author=coordinator, body="内部メモ", internal=True, files=[checked_pdf("内部資料.pdf")]
    )
    attachment = routed.attachments.get()
    assert login(municipal_user).get(attachment.get_absolute_url()).status_code == 404
    assert login(coordinator).get(attachment.get_absolute_url()).status_code == 200
    assert "内部メモ" not in login(municipal_user).get(routed.get_absolute_url()).content.decode()


def test_confidential_requests_stay_with_requester_centre_and_assignee(
    login, municipal_user, prefecture_user, coordinator, five_specialists, other_specialist
):
    secret = make_request(municipal_user, confidential=True, title="企業との共同実証（非公開）")
    services.consultation_route(consultation=secret, specialist=five_specialists[Domain.COCREATION], by=coordinator)
    assert login(municipal_user).get(secret.get_absolute_url()).status_code == 200
    assert login(coordinator).get(secret.get_absolute_url()).status_code == 200
    assert login(five_specialists[Domain.COCREATION].user).get(secret.get_absolute_url()).status_code == 200
    assert login(other_specialist.user).get(secret.get_absolute_url()).status_code == 404
    assert login(prefecture_user).get(secret.get_absolute_url()).status_code == 404
    queue = login(other_specialist.user).get(reverse("consultations:list")).content.decode()
    assert "企業との共同実証" not in queue


def test_drafts_are_visible_to_their_author_only(login, municipal_user, coordinator, five_specialists):
    colleague = factories.UserFactory(
        role=Role.MUNICIPAL, programme=municipal_user.programme, organisation=municipal_user.organisation
    )
    draft = make_request(municipal_user, submit=False)
    assert login(municipal_user).get(draft.get_absolute_url()).status_code == 200
    for person in (colleague, coordinator):
        assert login(person).get(draft.get_absolute_url()).status_code == 404


def test_role_pages(login, municipal_user, specialist_user, coordinator, prefecture_user):
    assert login(municipal_user).get(reverse("consultations:inbox")).status_code == 403
    assert login(specialist_user).get(reverse("consultations:inbox")).status_code == 403
    assert login(coordinator).get(reverse("consultations:inbox")).status_code == 200
    assert login(specialist_user).get(reverse("consultations:create")).status_code == 403
    assert login(coordinator).get(reverse("consultations:create")).status_code == 403
    assert login(prefecture_user).get(reverse("consultations:create")).status_code == 200


def test_prefecture_staff_file_for_the_prefecture(prefecture_user, five_specialists):
    consultation = make_request(prefecture_user)
    assert consultation.organisation == prefecture_user.programme.prefecture
    assert consultation.reference.startswith("EH-")


def test_municipal_staff_cannot_route_or_act_as_specialist(login, routed, municipal_user, other_specialist):
    assert login(municipal_user).get(reverse("consultations:route", args=[routed.pk])).status_code == 403
    client = login(other_specialist.user)
    response = client.post(reverse("consultations:reply", args=[routed.pk]), {"body": "x", "then": "answered"})
    assert response.status_code == 400  # may see it (not confidential), may not act on it: no such button
    response = client.post(reverse("consultations:change", args=[routed.pk, "close"]), {"reason": "x"})
    assert response.status_code == 302  # refused with a message
    routed.refresh_from_db()
    assert routed.status == Status.ROUTED
