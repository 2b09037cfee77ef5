"""Fixtures for consultations: the programme's five specialists and requests built through the services."""

import io

import pytest

from consultations import services
from consultations.enums import HelpFormat, Urgency
from consultations.uploads import check_upload
from specialists.enums import Domain
from tests import factories


@pytest.fixture
def five_specialists(programme):
    return {
        domain: factories.SpecialistFactory(
            user__programme=programme, domain=domain, user__full_name=f"専門官 {domain}"
        )
        for domain in Domain.values
    }


@pytest.fixture
def other_specialist(five_specialists):
    """A specialist of the same programme who is not assigned to the requests below."""
    return five_specialists[Domain.PR]


FIELDS = {
    "title": "窓口申請書の見直し",
    "description": "住民から申請書が分かりにくいと苦情があります。UI/UXの観点から助言をお願いします。",
    "requested_domain": "",
    "urgency": Urgency.NORMAL,
    "help_format": HelpFormat.ONLINE,
    "wanted_by": None,
    "timing_note": "",
    "confidential": False,
}


def make_request(user, *, submit=True, files=(), **overrides):
    return services.consultation_file(author=user, fields={**FIELDS, **overrides}, files=list(files), submit=submit)


@pytest.fixture
def submitted(municipal_user, five_specialists):
    return make_request(municipal_user)


@pytest.fixture
def routed(submitted, coordinator, five_specialists):
    services.consultation_route(consultation=submitted, specialist=five_specialists[Domain.DESIGN], by=coordinator)
    submitted.refresh_from_db()
    return submitted


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def docx_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def checked_pdf(name="資料.pdf"):
    return check_upload(upload(name, PDF_BYTES))
