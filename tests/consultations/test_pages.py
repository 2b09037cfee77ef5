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
