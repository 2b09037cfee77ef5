"""Attachments are checked by size and by content; a rejected upload changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consultations.models import Attachment, Consultation
from consultations.uploads import check_upload
from tests.consultations.conftest import PDF_BYTES, PNG_BYTES, docx_bytes, upload

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("報告書.pdf", PDF_BYTES, "application/pdf"),
        ("スクリーンショット.PNG", PNG_BYTES, "image/png"),
        ("議事録.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_real_files_are_accepted(name, content, content_type):
    checked = check_upload(upload(name, content))
    assert (checked.name, checked.content_type, checked.size) == (name, content_type, len(content))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("invoice.pdf", EXE, "disguised"),  # a Windows executable renamed .pdf
        ("photo.png", ELF, "disguised"),
        ("report.docx", PDF_BYTES, "disguised"),
        ("notes.xlsx", docx_bytes(), "disguised"),  # a Word file named as Excel
        ("tool.exe", EXE, "type"),
        ("script.js", b"alert(1)", "type"),
        ("no-extension", PDF_BYTES, "type"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_files_are_refused(name, content, code):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert error.value.code == code


def test_oversized_files_are_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        check_upload(upload("big.pdf", PDF_BYTES + b"0" * 2000))
    assert error.value.code == "too_large"


def test_a_disguised_file_in_the_form_saves_nothing(login, municipal_user, five_specialists):
    response = login(municipal_user).post(
        reverse("consultations:create"),
        {
            "title": "添付あり",
            "description": "資料を見てください。",
            "urgency": "normal",
            "help_format": "written",
            "attachments": [upload("資料.pdf", PDF_BYTES), upload("請求書.pdf", EXE)],
            "submit": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "請求書.pdf" in html and "名前と中身が一致しません" in html
    assert not Consultation.objects.exists() and not Attachment.objects.exists()


def test_too_many_files_are_refused(login, municipal_user, settings, five_specialists):
    settings.ATTACHMENT_MAX_FILES = 2
    response = login(municipal_user).post(
        reverse("consultations:create"),
        {
            "title": "添付多数",
            "description": "資料",
            "urgency": "normal",
            "help_format": "written",
            "attachments": [upload(f"{i}.pdf", PDF_BYTES) for i in range(3)],
            "submit": "",
        },
    )
    assert response.status_code == 200 and not Consultation.objects.exists()


def test_an_empty_description_is_refused(login, municipal_user, five_specialists):
    response = login(municipal_user).post(
        reverse("consultations:create"),
        {
            "title": "説明なし",
            "description": "   ",
            "urgency": "normal",
            "help_format": "written",
            "submit": "",
        },
    )
    assert response.status_code == 200
    assert "この項目は必須です" in response.content.decode() or "説明" in response.content.decode()
    assert not Consultation.objects.exists()
