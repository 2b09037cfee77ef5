"""A specialist hands a request back to the centre with a reason: it returns to the routing inbox with its history.
Handing back a request that is not yours, or twice, is refused with a message and changes nothing."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from consultations import services
from consultations.enums import EventKind, Status
from consultations.models import Consultation, Event, Routing
from specialists.enums import Domain

pytestmark = pytest.mark.django_db


def _state(consultation):
    consultation.refresh_from_db()
    return (
        consultation.status,
        consultation.specialist_id,
        consultation.updated_at,
        list(consultation.routings.values_list("pk", "is_current", "handed_back_at")),
        consultation.events.count(),
    )


def test_handing_back_returns_the_request_to_the_inbox(
    login, routed, coordinator, five_specialists, django_capture_on_commit_callbacks
):
    specialist = five_specialists[Domain.DESIGN]
    services.consultation_reply(consultation=routed, author=specialist.user, body="確認します。")
    mail.outbox.clear()
    client = login(specialist.user)
    assert "支援センターに差し戻す" in client.get(routed.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("consultations:hand_back", args=[routed.pk]), {"reason": "データ利活用の案件です。"}
        )
    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.status == Status.SUBMITTED and routed.specialist is None
    routing = Routing.objects.get(consultation=routed)
    assert not routing.is_current and routing.handed_back_at and routing.hand_back_reason == "データ利活用の案件です。"
    event = Event.objects.get(consultation=routed, kind=EventKind.HANDED_BACK)
    assert event.internal and event.actor == specialist.user and event.data["reason"] == "データ利活用の案件です。"
    # The centre sees it back in the inbox, marked, and hears why at once.
    inbox = login(coordinator).get(reverse("consultations:inbox"))
    row = next(row for row in inbox.context["page"] if row.pk == routed.pk)
    assert row.was_handed_back and "差し戻し" in inbox.content.decode()
    notice = next(m for m in mail.outbox if coordinator.email in m.to)
    assert routed.reference in notice.subject and "データ利活用の案件です。" in notice.body
    # Its history stays: the conversation, the first routing; and it can be routed again.
    assert routed.messages.count() == 1
    services.consultation_route(
        consultation=routed, specialist=five_specialists[Domain.DATA], by=coordinator, expected_specialist_id=None
    )
    routed.refresh_from_db()
    assert routed.status == Status.ROUTED and routed.specialist == five_specialists[Domain.DATA]
    assert routed.routings.count() == 2


def test_the_municipality_does_not_read_the_reason(login, routed, municipal_user, five_specialists):
    services.consultation_hand_back(
        consultation=routed, by=five_specialists[Domain.DESIGN].user, reason="社内事情による差し戻し"
    )
    page = login(municipal_user).get(routed.get_absolute_url()).content.decode()
    assert "社内事情による差し戻し" not in page


@pytest.mark.parametrize("who", ["other_specialist", "coordinator", "municipal_user"])
def test_only_the_assigned_specialist_hands_back(login, request, routed, who):
    before = _state(routed)
    person = request.getfixturevalue(who)
    person = getattr(person, "user", person)
    response = login(person).post(reverse("consultations:hand_back", args=[routed.pk]), {"reason": "違う"})
    assert response.status_code == 400
    assert "担当の専門官だけ" in response.content.decode()
    assert _state(routed) == before


def test_handing_back_twice_is_refused_and_changes_nothing(login, routed, five_specialists):
    client = login(five_specialists[Domain.DESIGN].user)
    url = reverse("consultations:hand_back", args=[routed.pk])
    assert client.post(url, {"reason": "担当外です。"}).status_code == 302
    before = _state(routed)
    response = client.post(url, {"reason": "担当外です。"})
    assert response.status_code in (400, 404)  # no longer theirs: a confidential one would not even be visible
    assert _state(routed) == before


def test_a_reason_is_required(login, routed, five_specialists):
    before = _state(routed)
    response = login(five_specialists[Domain.DESIGN].user).post(
        reverse("consultations:hand_back", args=[routed.pk]), {"reason": "  "}
    )
    assert response.status_code == 400 and response.context["hand_back_form"].errors["reason"]
    assert _state(routed) == before


@pytest.mark.parametrize("status", [Status.ANSWERED, Status.CLOSED])
def test_an_answered_or_closed_request_cannot_be_handed_back(routed, five_specialists, status):
    Consultation.objects.filter(pk=routed.pk).update(status=status)
    before = _state(routed)
    with pytest.raises(ValidationError, match="差し戻せません"):
        services.consultation_hand_back(consultation=routed, by=five_specialists[Domain.DESIGN].user, reason="x")
    assert _state(routed) == before


def test_hand_back_is_not_a_generic_status_change(login, routed, five_specialists):
    before = _state(routed)
    for kind in ("submitted", "hand_back", "close"):
        response = login(five_specialists[Domain.DESIGN].user).post(
            reverse("consultations:change", args=[routed.pk, kind]), {"reason": "x"}
        )
        assert response.status_code in (302, 404)
    assert _state(routed) == before
