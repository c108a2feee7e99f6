"""Evidence for the report: screenshots (the target takes them or says why not) and documents a
scenario keeps (a homologation the LGO presents, a printout it produced), filed by the runner."""

from __future__ import annotations

import hashlib
import mimetypes

from bench.steps_lib.state import ScenarioBench
from bench.targets.base import slug
from reports.model import Attachment, Screenshot

ATTACHMENTS_DIR = "pieces"
_EXTENSIONS = {"application/pdf": ".pdf", "text/plain": ".txt", "image/png": ".png", "image/jpeg": ".jpg"}


def capture(bench: ScenarioBench, screen: str, name: str | None = None) -> Screenshot:
    """A capture of `screen` as the account the scenario acts as; kept for the report either way."""
    shot = bench.target.capture(screen, name or f"Écran « {screen} »", bench.session)
    bench.current.screenshots.append(shot)
    return shot


def extension(media_type: str | None, filename: str | None = None) -> str:
    """File extension for a document: from its media type, else its own name, else .bin."""
    base = (media_type or "").split(";", 1)[0].strip().lower()
    known = _EXTENSIONS.get(base) or mimetypes.guess_extension(base or "")
    if known:
        return known
    if filename and "." in filename:
        suffix = "." + filename.rsplit(".", 1)[1].lower()
        if suffix[1:].isalnum() and len(suffix) <= 6:
            return suffix
    return ".bin"


def attach(
    bench: ScenarioBench,
    name: str,
    content: bytes,
    *,
    media_type: str | None = None,
    filename: str | None = None,
    version: str | None = None,
    source: str | None = None,
    specimen: bool = False,
    note: str | None = None,
) -> Attachment:
    """Keeps a document for the report (written under pieces/ of the run directory with the other
    evidence); its sha256 is the bench's own computation of the bytes it received."""
    count = len(bench.current.attachments) + 1
    file = f"{ATTACHMENTS_DIR}/{bench.scenario_id}-{count:02d}-{slug(name)}{extension(media_type, filename)}"
    attachment = Attachment(
        name=name,
        file=file,
        media_type=media_type,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        version=version,
        source=source,
        specimen=specimen,
        note=note,
        content=content,
    )
    bench.current.attachments.append(attachment)
    return attachment
