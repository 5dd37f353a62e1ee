"""A response that the browser saves as a file (exports: CSV, xlsx, docx)."""

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv; charset=utf-8"


def attachment(content_type: str, filename: str) -> HttpResponse:
    """An empty response to write the file into. The name is percent-encoded (RFC 5987), so a plan code or a
    Chinese name cannot break the header, with a plain ASCII fallback for old clients."""
    response = HttpResponse(content_type=content_type)
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in filename)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return response
