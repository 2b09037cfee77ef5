"""Attachment checks: size, and type by content as well as by name (an executable renamed .pdf is refused)."""

from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension on the name → the kinds its content may be detected as (filetype's extension names)
ALLOWED = {
    ".pdf": {"pdf"},
    ".doc": {"doc"},
    ".xls": {"xls", "doc"},
    ".ppt": {"ppt", "doc"},  # OLE2 files look alike to a sniffer
    ".docx": {"docx", "zip"},
    ".xlsx": {"xlsx", "zip"},
    ".pptx": {"pptx", "zip"},
    ".png": {"png"},
    ".jpg": {"jpg"},
    ".jpeg": {"jpg"},
    ".gif": {"gif"},
    ".webp": {"webp"},
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
OOXML_MARKERS = {".docx": b"word/", ".xlsx": b"xl/", ".pptx": b"ppt/"}


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    content_type: str
    size: int


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def check_upload(upload) -> CheckedFile:
    """Raise ValidationError (in the user's language) unless the file is an allowed type and size."""
    name = PurePath(upload.name or "").name[:200]
    suffix = PurePath(name).suffix.lower()
    if upload.size > max_bytes():
        raise ValidationError(
            _("%(name)s is too large (%(size)s). Files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes())},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if suffix not in ALLOWED:
        raise ValidationError(
            _("%(name)s: this type of file is not accepted. Attach PDF, Word, Excel, PowerPoint or image files.")
            % {"name": name},
            code="type",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    detected = kind.extension if kind else None
    ooxml_ok = detected == "zip" and _ooxml_part_present(upload, OOXML_MARKERS.get(suffix))
    if detected not in ALLOWED[suffix] or (detected == "zip" and not ooxml_ok):
        raise ValidationError(
            _("%(name)s does not contain what its name says (%(suffix)s). The file was not attached.")
            % {"name": name, "suffix": suffix},
            code="disguised",
        )
    upload.seek(0)
    return CheckedFile(upload=upload, name=name, content_type=CONTENT_TYPES[_family(suffix)], size=upload.size)


def _family(suffix: str) -> str:
    return {".jpeg": "jpg"}.get(suffix, suffix.lstrip("."))


def _ooxml_part_present(upload, marker: bytes | None) -> bool:
    """A .docx/.xlsx/.pptx the sniffer saw only as a zip: accept it if the zip has the matching part."""
    import zipfile

    if marker is None:
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return any(info.filename.encode().startswith(marker) for info in archive.infolist())
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
