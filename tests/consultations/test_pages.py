"""Every consultation page renders in Japanese and in English for the roles that use it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MARKERS = {"ja": "相談", "en": "onsultation"}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(
    ("who", "name", "needs"),
    [
        ("municipal_user", "list", None),
        ("municipal_user", "create", None),
        ("municipal_user", "detail", "routed"),
        ("municipal_user", "submitted", "routed"),
        ("coordinator", "inbox", None),
        ("coordinator", "list", None),
        ("coordinator", "route", "waiting"),
        ("coordinator", "detail", "routed"),
        ("specialist", "detail", "routed"),
        ("specialist", "list", None),
    ],
)
def test_renders(request, login, routed, submitted_second, who, name, needs, language):
    user = routed.specialist.user if who == "specialist" else request.getfixturevalue(who)
    args = {"routed": [routed.pk], "waiting": [submitted_second.pk], None: []}[needs]
    client = login(user)
    client.cookies["django_language"] = language
    response = client.get(reverse(f"consultations:{name}", args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert MARKERS[language] in html


@pytest.fixture
def submitted_second(municipal_user, routed):
    from tests.consultations.conftest import make_request

    return make_request(municipal_user, title="二件目")


def test_the_admin_shows_the_workflow_read_only(login, routed, coordinator, site_admin):
    """One way to write: requests, routings, messages and history are read in the admin, never changed there."""
    from consultations import services
    from consultations.models import Event, Message, Routing

    services.consultation_reply(consultation=routed, author=coordinator, body="回答です。")
    client = login(site_admin)
    routed.refresh_from_db()
    before = (routed.status, routed.specialist_id, routed.reference, Message.objects.count(), Event.objects.count())
    url = reverse("admin:consultations_consultation_change", args=[routed.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"status": "closed", "reference": "X-1", "title": "改ざん"}).status_code == 403
    assert (
        client.post(reverse("admin:consultations_consultation_delete", args=[routed.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse("admin:consultations_consultation_add")).status_code == 403
    for model in (Message, Event, Routing):
        row = model.objects.filter(consultation=routed).first()
        name = f"admin:consultations_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200
        assert client.post(reverse(f"{name}_change", args=[row.pk]), {"body": "x", "kind": "note"}).status_code == 403
        assert client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
        assert client.get(reverse(f"{name}_add")).status_code == 403
    routed.refresh_from_db()
    after = (routed.status, routed.specialist_id, routed.reference, Message.objects.count(), Event.objects.count())
    assert after == before


def test_a_long_conversation_opens_at_its_latest_messages(login, routed, coordinator, municipal_user):
    """The page shows the latest THREAD_PAGE messages, oldest of them first, and pages back from there."""
    from consultations import selectors, services
    from consultations.models import Message

    for number in range(selectors.THREAD_PAGE + 5):
        author = coordinator if number % 2 else municipal_user
        services.consultation_reply(consultation=routed, author=author, body=f"メッセージ{number:03d}")
    client = login(municipal_user)
    response = client.get(routed.get_absolute_url())
    thread = response.context["thread"]
    bodies = [m.body for m in thread]
    assert bodies == [f"メッセージ{n:03d}" for n in range(5, selectors.THREAD_PAGE + 5)]
    assert thread.has_previous and not thread.has_next
    assert "以前のメッセージ" in response.content.decode()
    earlier_page = client.get(routed.get_absolute_url(), {"thread": thread.previous_cursor})
    earlier = earlier_page.context["thread"]
    assert [m.body for m in earlier] == [f"メッセージ{n:03d}" for n in range(5)]
    assert earlier.has_next and not earlier.has_previous
    html = earlier_page.content.decode()
    assert "以前のメッセージ" not in html and "最新のメッセージ" in html
    # Replies are in the conversation, not repeated in the history.
    assert all(event.kind != "replied" for event in response.context["history"])
    assert Message.objects.filter(consultation=routed).count() == selectors.THREAD_PAGE + 5
    assert client.get(routed.get_absolute_url(), {"thread": "garbage"}).status_code == 200
