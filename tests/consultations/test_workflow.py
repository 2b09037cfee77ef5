"""The whole workflow through the views: 相談 → 振り分け → 助言 → 完了."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from consultations.enums import EventKind, Status
from consultations.models import Attachment, Consultation, Event, Message, Routing
from dxshare.fiscal import current_fiscal_year
from specialists.enums import Domain
from tests.consultations.conftest import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def test_file_route_advise_and_close(
    login, municipal_user, coordinator, five_specialists, django_capture_on_commit_callbacks
):
    requester = login(municipal_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = requester.post(
            reverse("consultations:create"),
            {
                "title": "SNSアカウントが乱立している",
                "description": (
                    "課ごとにSNSアカウントを作った結果、発信がばらばらです。統合と運用ルールについて相談したいです。"
                ),
                "requested_domain": "",
                "urgency": "normal",
                "help_format": "onsite",
                "timing_note": "2月中",
                "attachments": [upload("アカウント一覧.pdf", PDF_BYTES)],
                "submit": "",
            },
        )
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response.url == reverse("consultations:submitted", args=[consultation.pk])
    fiscal_year = current_fiscal_year()
    assert consultation.reference == f"EH-{fiscal_year}-0001"
    assert consultation.status == Status.SUBMITTED
    assert consultation.suggested_domain == Domain.PR
    page = requester.get(response.url).content.decode()
    assert consultation.reference in page and "今後の流れ" in page
    # The centre hears about the new request.
    assert any(consultation.reference in m.subject for m in mail.outbox if coordinator.email in m.to)

    centre = login(coordinator)
    inbox = centre.get(reverse("consultations:inbox")).content.decode()
    assert consultation.reference in inbox
    route_page = centre.get(reverse("consultations:route", args=[consultation.pk]))
    assert route_page.status_code == 200
    assert "SNS" in route_page.content.decode()  # the keyword evidence is shown
    assert [s.open_count for s in route_page.context["workloads"]] == [0] * 5
    specialist = five_specialists[Domain.PR]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = centre.post(
            reverse("consultations:route", args=[consultation.pk]),
            {"specialist": specialist.pk, "expected_specialist": ""},
        )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.status, consultation.specialist) == (Status.ROUTED, specialist)
    assert Routing.objects.get().followed_suggestion
    assert {tuple(m.to) for m in mail.outbox} == {(specialist.user.email,), (municipal_user.email,)}
    assert not centre.get(reverse("consultations:inbox")).context["page"].object_list

    adviser = login(specialist.user)
    queue = adviser.get(reverse("consultations:list") + "?mine=true").content.decode()
    assert consultation.title in queue
    with django_capture_on_commit_callbacks(execute=True):
        adviser.post(
            reverse("consultations:reply", args=[consultation.pk]),
            {"body": "現在のアカウント数と担当課を教えてください。", "then": "waiting"},
        )
        adviser.post(
            reverse("consultations:reply", args=[consultation.pk]),
            {"body": "担当者の個人的な印象: 広報課が主導すべき。", "internal": "on"},
        )
    consultation.refresh_from_db()
    assert consultation.status == Status.WAITING

    # The municipality sees the reply but never the internal note.
    detail = requester.get(consultation.get_absolute_url()).content.decode()
    assert "現在のアカウント数" in detail and "個人的な印象" not in detail
    with django_capture_on_commit_callbacks(execute=True):
        requester.post(
            reverse("consultations:reply", args=[consultation.pk]), {"body": "全部で12アカウント、7課です。"}
        )
    consultation.refresh_from_db()
    assert consultation.status == Status.IN_PROGRESS

    with django_capture_on_commit_callbacks(execute=True):
        adviser.post(
            reverse("consultations:reply", args=[consultation.pk]),
            {"body": "統合案を添付します。", "then": "answered", "attachments": [upload("統合案.pdf", PDF_BYTES)]},
        )
    consultation.refresh_from_db()
    assert consultation.status == Status.ANSWERED and consultation.answered_at

    with django_capture_on_commit_callbacks(execute=True):
        response = requester.post(
            reverse("consultations:accept", args=[consultation.pk]),
            {"rating": "4", "comment": "分かりやすかったです。"},
        )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.status, consultation.satisfaction) == (Status.CLOSED, 4)
    assert consultation.closed_at is not None

    # History: every status change, the routing and the rating, with who.
    kinds = list(Event.objects.filter(consultation=consultation).values_list("kind", "to_status"))
    assert (EventKind.ROUTED, "") in kinds and (EventKind.RATED, "") in kinds
    assert [to for kind, to in kinds if kind == EventKind.STATUS] == [
        Status.SUBMITTED,
        Status.ROUTED,
        Status.WAITING,
        Status.IN_PROGRESS,
        Status.ANSWERED,
        Status.CLOSED,
    ]
    timeline = requester.get(consultation.get_absolute_url()).content.decode()
    assert "ステータス" in timeline and "4 / 5" in timeline
    assert Message.objects.filter(consultation=consultation).count() == 4
    assert Attachment.objects.filter(consultation=consultation).count() == 2


def test_draft_is_saved_then_submitted(login, municipal_user, five_specialists):
    client = login(municipal_user)
    response = client.post(
        reverse("consultations:create"),
        {
            "title": "下書き",
            "description": "あとで書き足します。",
            "urgency": "low",
            "help_format": "written",
            "save_draft": "",
        },
    )
    draft = Consultation.objects.get()
    assert response.status_code == 302 and draft.status == Status.DRAFT and draft.reference == ""
    response = client.post(
        reverse("consultations:edit", args=[draft.pk]),
        {
            "title": "下書き（完成）",
            "description": "データの整備方法を相談したいです。",
            "urgency": "low",
            "help_format": "written",
            "submit": "",
        },
    )
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == Status.SUBMITTED and re.fullmatch(r"EH-\d{4}-0001", draft.reference)


def test_rerouting_needs_a_reason_and_keeps_every_decision(login, routed, coordinator, five_specialists):
    client = login(coordinator)
    url = reverse("consultations:route", args=[routed.pk])
    target = five_specialists[Domain.DATA]
    response = client.post(url, {"specialist": target.pk, "expected_specialist": routed.specialist_id})
    assert response.status_code == 400
    assert "理由" in response.content.decode()
    routed.refresh_from_db()
    assert routed.specialist.domain == Domain.DESIGN
    response = client.post(
        url,
        {"specialist": target.pk, "expected_specialist": routed.specialist_id, "reason": "データの整備が中心のため"},
    )
    assert response.status_code == 302
    routings = list(Routing.objects.filter(consultation=routed).order_by("id"))
    assert [(r.specialist.domain, r.is_current) for r in routings] == [(Domain.DESIGN, False), (Domain.DATA, True)]
    assert routings[1].reason == "データの整備が中心のため"


def test_a_stale_routing_form_is_told_who_won(login, submitted, coordinator, centre_head, five_specialists):
    url = reverse("consultations:route", args=[submitted.pk])
    first = login(centre_head).post(url, {"specialist": five_specialists[Domain.DESIGN].pk, "expected_specialist": ""})
    assert first.status_code == 302
    second = login(coordinator).post(
        url, {"specialist": five_specialists[Domain.DATA].pk, "expected_specialist": ""}, follow=True
    )
    assert "振り分けました" in second.content.decode()
    submitted.refresh_from_db()
    assert submitted.specialist.domain == Domain.DESIGN
    assert Routing.objects.filter(consultation=submitted).count() == 1


def test_reopen_after_close(login, routed, municipal_user, five_specialists):
    specialist = login(routed.specialist.user)
    specialist.post(reverse("consultations:reply", args=[routed.pk]), {"body": "回答です。", "then": "answered"})
    requester = login(municipal_user)
    requester.post(reverse("consultations:accept", args=[routed.pk]), {"rating": "2"})
    routed.refresh_from_db()
    assert routed.status == Status.CLOSED
    response = requester.post(reverse("consultations:change", args=[routed.pk, "reopen"]), {"reason": ""})
    assert response.status_code == 400  # a reason is required
    response = requester.post(
        reverse("consultations:change", args=[routed.pk, "reopen"]), {"reason": "追加の質問があります"}
    )
    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.status == Status.IN_PROGRESS and routed.closed_at is None
