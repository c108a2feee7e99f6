"""HTTP headers of the files the LGO hands out (PDF sheets, ID-document copies)."""

from __future__ import annotations

from urllib.parse import quote


def content_disposition(kind: str, filename: str) -> str:
    """`inline` or `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
