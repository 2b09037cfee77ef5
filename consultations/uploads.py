"""Attachment checks: size, and type by content as well as by name (an executable renamed .pdf is refused)."""

import unicodedata
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


def safe_name(raw: str | None) -> str:
    """The name to keep and give back: the last part of a path written with / or \\, without control or formatting
    characters (a right-to-left override can make "report.exe.pdf" read as something else; a line break could
    split a header), at most 200 characters."""
    name = PurePath((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[-200:] if len(name) > 200 else name


def check_upload(upload) -> CheckedFile:
    """Raise ValidationError (in the user's language) unless the file is an allowed type and size."""
    name = safe_name(upload.name)
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
    if detected in ("zip", "docx", "xlsx", "pptx") and _unpacks_too_large(upload):
        raise ValidationError(
            _("%(name)s would unpack to far more than its size (a compressed bomb). The file was not attached.")
            % {"name": name},
            code="bomb",
        )
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


# An Office file is a zip: what the people who open it (and any viewer or virus scanner after us) unpack must stay
# within reason. Read from the zip's directory, nothing is unpacked here.
UNPACKED_MAX_BYTES = 300 * 1024 * 1024
UNPACK_RATIO_MAX = 200  # real documents' XML packs 5–30 times; a bomb of zeros about 1,000 times


def _unpacks_too_large(upload) -> bool:
    import zipfile

    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            total = sum(info.file_size for info in members)
            packed = sum(info.compress_size for info in members)
            worst = max((info.file_size / max(info.compress_size, 1) for info in members), default=0)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # not a readable zip: the type check refuses it
    finally:
        upload.seek(0)
    return total > UNPACKED_MAX_BYTES or (total > 1024 * 1024 and (worst > UNPACK_RATIO_MAX or total > 100 * packed))


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
