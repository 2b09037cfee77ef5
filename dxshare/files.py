"""Sending back a stored upload (a request's attachment, an event's material, a library file)."""

from django.http import FileResponse


def stored_file_response(stored) -> FileResponse:
    """`stored` has `file`, `original_name` and `content_type` (the checked upload's). It is always an attachment,
    never shown inline (an HTML or SVG file cannot run in the portal's origin), and kept by no cache."""
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
