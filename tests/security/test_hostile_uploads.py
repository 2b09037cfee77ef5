"""Hostile uploads: names that try to climb out of the upload folder, hide their type or break headers; a zip bomb
dressed as a Word file; empty files. Refused files change nothing; accepted names are stored under a random name and
given back harmlessly."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consultations.models import Attachment, Consultation
from consultations.uploads import check_upload
from tests.conftest import client_for
from tests.consultations.conftest import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def zip_bomb(unpacked_mb: int = 400) -> bytes:
    """A .docx-shaped zip whose document unpacks to `unpacked_mb` megabytes of zeros (a few hundred KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(block)
    return buffer.getvalue()


def small_bomb() -> bytes:
    """Under the size limit but packed a thousand to one: 20 MB of zeros in about 20 KB."""
    return zip_bomb(20)


@pytest.mark.parametrize("content", [zip_bomb, small_bomb], ids=["400 MB unpacked", "ratio 1000:1"])
def test_a_zip_bomb_dressed_as_a_word_file_is_refused(content):
    data = content()
    assert len(data) < 2 * 1024 * 1024  # small enough to pass the size limit
    with pytest.raises(ValidationError) as error:
        check_upload(upload("議事録.docx", data))
    assert error.value.code == "bomb"


def test_a_real_word_file_is_no_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:p>議事録の本文です。</w:p>" * 5000)  # repetitive, as XML is
    assert check_upload(upload("議事録.docx", buffer.getvalue())).name == "議事録.docx"


@pytest.mark.parametrize("name", ["empty.pdf", "空.docx", ".pdf"])
def test_empty_files_are_refused(name):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, b""))
    assert error.value.code in ("empty", "type")


HOSTILE_NAMES = [
    "../../../../etc/passwd.pdf",
    "..\\..\\windows\\system.ini.pdf",
    "/etc/shadow.pdf",
    "report\u202efdp.exe.pdf",  # right-to-left override: shows as "report.exe.pdf" reversed
    "CON.pdf",
    'quote"; filename="evil.html.pdf',
    "line\r\nSet-Cookie: x=1.pdf",
    "<img src=x onerror=alert(1)>.pdf",
    "あ" * 300 + ".pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_are_stored_harmlessly(name, municipal_user, five_specialists, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(municipal_user)
    response = client.post(
        reverse("consultations:create"),
        {
            "title": "添付名の試験",
            "description": "名前に注意。",
            "urgency": "normal",
            "help_format": "written",
            "attachments": [upload(name, PDF_BYTES)],
            "submit": "",
        },
    )
    assert response.status_code in (200, 302)
    attachment = Attachment.objects.first()
    if attachment is None:  # refused with a message: nothing saved
        assert not Consultation.objects.exists()
        return
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(tmp_path).resolve()) and stored.read_bytes() == PDF_BYTES
    kept = attachment.original_name
    assert not any(c in kept for c in "/\\\r\n\u202e") and kept.endswith(".pdf")
    page = client.get(attachment.consultation.get_absolute_url())
    assert "<img src=x" not in page.content.decode()  # shown escaped
    download = client.get(reverse("consultations:attachment", args=[attachment.pk]))
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    assert download["X-Content-Type-Options"] == "nosniff"
