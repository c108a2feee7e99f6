"""Copies of identity documents (W1-INS-24, conditional): optional, encrypted at rest with the LGO's
key file (services.crypto_store), every write, read and purge audited, and purged automatically
once the retention (5 years by default) has passed since the last activity on the patient.

"Last activity" is the latest change of the identity or the latest copy recorded for it; later
features (dispensing...) extend `last_activity`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reference_lgo.models import IdDocument, IdDocumentPurge, Patient
from reference_lgo.services import audit, identities
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.crypto_store import ALGORITHM, DecryptionFailed, KeyRing, KeyStoreError, Sealed
from reference_lgo.services.errors import Conflict, InvalidInput, LgoError, NotFound

if TYPE_CHECKING:
    from reference_lgo.runtime import Runtime

MAX_BYTES = 10 * 1024 * 1024
# Only what a scanner or a phone produces; the type is read from the bytes, never from the client.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
TRIGGERS = {
    "demarrage": "au démarrage du LGO",
    "quotidien": "contrôle quotidien",
    "pilotage": "demande de l'API de pilotage",
    "interface": "demande d'un utilisateur",
}


class StorageFailure(LgoError):
    """The copy cannot be read back (key missing, wrong key, altered data)."""

    status = 500
    code = "dechiffrement_impossible"
    title = "Copie de pièce d'identité illisible"


def keyring(runtime: Runtime) -> KeyRing:
    return KeyRing.for_home(runtime.config.home)


def add_years(moment: datetime, years: int) -> datetime:
    """Same day and time `years` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _associated(ref: str, patient_id: int) -> bytes:
    return f"segur-bench/id-document/{ref}/patient/{patient_id}".encode("ascii")


def sniff(data: bytes) -> tuple[str, str]:
    for magic, media_type, extension in SIGNATURES:
        if data.startswith(magic):
            return media_type, extension
    raise InvalidInput(
        "Format de fichier refusé : seules les copies en PDF, JPEG ou PNG sont conservées.",
        code="format_refuse",
    )


def clean_filename(name: str | None, extension: str) -> str:
    """A display name without path, control or shell-hostile characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")[:150]
    # The extension follows the real content (a PNG named .pdf is shown as .png).
    base = re.sub(r"\.(pdf|jpe?g|png)$", "", base, flags=re.IGNORECASE).strip(" .") or "piece-identite"
    return f"{base}.{extension}"


# --- last activity and purge date -----------------------------------------------------------------


def last_activities(session: Session, patient_ids: Iterable[int]) -> dict[int, datetime]:
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    activity = {
        pid: at
        for pid, at in session.execute(select(Patient.id, Patient.updated_at).where(Patient.id.in_(ids)))
    }
    uploads = session.execute(
        select(IdDocument.patient_id, func.max(IdDocument.uploaded_at))
        .where(IdDocument.patient_id.in_(ids))
        .group_by(IdDocument.patient_id)
    )
    # max() keeps the column's type (UtcDateTime): aware datetimes on every backend.
    for pid, at in uploads:
        if at is not None and at > activity[pid]:
            activity[pid] = at
    return activity


def last_activity(session: Session, patient_id: int) -> datetime:
    return last_activities(session, [patient_id])[patient_id]


def view(row: IdDocument, purge_after: datetime) -> dict[str, Any]:
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "type": row.type_code,
        "label": row.type_label,
        "filename": row.filename,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "stored_encrypted": True,
        "uploaded_at": row.uploaded_at.isoformat(),
        "uploaded_by": row.uploaded_by_login or row.uploaded_by_name,
        "purge_after": purge_after.isoformat(),
    }


# --- use cases ------------------------------------------------------------------------------------


def store(
    session: Session,
    actor: Actor,
    at: datetime,
    keys: KeyRing,
    settings: pharmacy_settings.PharmacySettings,
    patient_id: int,
    *,
    type_code: str,
    filename: str | None,
    data: bytes,
) -> dict[str, Any]:
    """Encrypts and keeps a copy; answers its view (purge date included)."""
    actor.require("identites.qualifier")
    if not settings.id_document_copies:
        raise Conflict(
            "La conservation des copies de pièces d'identité est désactivée dans les paramètres de l'officine.",
            code="copies_desactivees",
        )
    types = {t.code: t for t in settings.evidence_types if t.active}
    kind = types.get(type_code)
    if kind is None:
        raise InvalidInput(
            f"Type de pièce « {type_code[:40]} » inconnu (types : {', '.join(types)}).",
            code="justificatif_inconnu",
        )
    patient = identities.load(session, patient_id)
    if not data:
        raise InvalidInput("Fichier vide : aucune copie enregistrée.", code="fichier_vide")
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            f"Fichier trop volumineux ({len(data) // 1024} Kio) : 10 Mio au plus.",
            code="fichier_trop_volumineux",
        )
    media_type, extension = sniff(data)
    ref = str(uuid.uuid4())
    try:
        sealed = keys.seal(data, _associated(ref, patient.id))
    except KeyStoreError as error:
        raise StorageFailure(str(error), code="cle_indisponible") from None
    row = IdDocument(
        ref=ref,
        patient_id=patient.id,
        type_code=kind.code,
        type_label=kind.label,
        filename=clean_filename(filename, extension),
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        algorithm=ALGORITHM,
        key_id=sealed.key_id,
        nonce=sealed.nonce,
        ciphertext=sealed.ciphertext,
        uploaded_at=at,
        uploaded_by_login=actor.login,
        uploaded_by_name=actor.display_name[:200],
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        at,
        "piece_identite.enregistrer",
        f"Copie de pièce d'identité n° {row.id} ({kind.label}) enregistrée chiffrée pour l'identité n° {patient.id}",
        object_type="patient",
        object_id=str(patient.id),
        details={
            "document": row.id,
            "type": kind.code,
            "taille": row.size,
            "sha256": row.sha256,
            "cle": row.key_id,
        },
    )
    return view(row, add_years(last_activity(session, patient.id), settings.id_document_retention_years))


def _row(session: Session, patient_id: int, document_id: int) -> IdDocument:
    row = session.get(IdDocument, document_id)
    if row is None or row.patient_id != patient_id:
        raise NotFound(
            f"Aucune copie de pièce d'identité n° {document_id} pour le patient n° {patient_id} "
            "(jamais enregistrée, ou supprimée à l'échéance de sa conservation).",
            code="piece_introuvable",
        )
    return row


def listing(
    session: Session, actor: Actor, patient_id: int, settings: pharmacy_settings.PharmacySettings
) -> list[dict[str, Any]]:
    actor.require("patients.lire")
    identities.load(session, patient_id)
    rows = list(
        session.scalars(select(IdDocument).where(IdDocument.patient_id == patient_id).order_by(IdDocument.id))
    )
    if not rows:
        return []
    purge_after = add_years(last_activity(session, patient_id), settings.id_document_retention_years)
    return [view(row, purge_after) for row in rows]


@dataclass(frozen=True)
class OpenedDocument:
    filename: str
    media_type: str
    data: bytes


def read(runtime: Runtime, actor: Actor, patient_id: int, document_id: int) -> OpenedDocument:
    """The decrypted copy (patients.lire), audited; a copy that does not decrypt is audited as a
    failure (in its own unit of work) and refused."""
    actor.require("patients.lire")
    failure: StorageFailure | None = None
    with runtime.db.session() as session:
        now = runtime.clock.now()
        row = _row(session, patient_id, document_id)
        sealed = Sealed(row.key_id, row.nonce, row.ciphertext)
        try:
            data = keyring(runtime).open(sealed, _associated(row.ref, row.patient_id))
            if hashlib.sha256(data).hexdigest() != row.sha256:
                raise DecryptionFailed("Empreinte de la copie déchiffrée différente de celle enregistrée.")
        except KeyStoreError as error:
            failure = StorageFailure(str(error))
        summary = f"Copie de pièce d'identité n° {row.id} ({row.type_label}) de l'identité n° {patient_id}"
        if failure is None:
            audit.record(
                session,
                actor,
                now,
                "piece_identite.consulter",
                f"Consultation de la {summary[0].lower()}{summary[1:]}",
                object_type="patient",
                object_id=str(patient_id),
                details={"document": row.id, "type": row.type_code},
            )
            return OpenedDocument(row.filename, row.media_type, data)
        audit.record(
            session,
            actor,
            now,
            "piece_identite.consulter",
            f"{summary} illisible : {failure.message}"[:500],
            outcome="echec",
            object_type="patient",
            object_id=str(patient_id),
            details={"document": row.id, "cle": row.key_id},
        )
    raise failure


def storage(session: Session, actor: Actor, patient_id: int, document_id: int) -> dict[str, Any]:
    """How the copy is kept: enough to prove the stored bytes are not the plain file."""
    actor.require("patients.lire")
    row = _row(session, patient_id, document_id)
    return {
        "algorithm": row.algorithm,
        "key_id": row.key_id,
        "nonce_hex": row.nonce.hex(),
        "ciphertext_sha256": hashlib.sha256(row.ciphertext).hexdigest(),
        "ciphertext_size": len(row.ciphertext),
        "plaintext_sha256": row.sha256,
        "key_location": "fichier de clés du LGO (jamais dans la base)",
    }


# --- purge ----------------------------------------------------------------------------------------


def purge(
    session: Session,
    actor: Actor,
    at: datetime,
    settings: pharmacy_settings.PharmacySettings,
    trigger: str,
) -> int:
    """Deletes every copy whose retention has passed; each deletion is audited, the run logged."""
    if trigger not in TRIGGERS:
        raise ValueError(f"déclencheur de purge inconnu : {trigger}")
    years = settings.id_document_retention_years
    rows = list(session.scalars(select(IdDocument).order_by(IdDocument.patient_id, IdDocument.id)))
    activity = last_activities(session, (row.patient_id for row in rows))
    purged = 0
    for row in rows:
        due = add_years(activity[row.patient_id], years)
        if at < due:
            continue
        audit.record(
            session,
            actor,
            at,
            "piece_identite.purger",
            f"Copie de pièce d'identité n° {row.id} ({row.type_label}) de l'identité n° {row.patient_id} "
            f"supprimée : conservation de {years} an(s) échue ({TRIGGERS[trigger]})",
            object_type="patient",
            object_id=str(row.patient_id),
            details={
                "document": row.id,
                "type": row.type_code,
                "derniere_activite": activity[row.patient_id].isoformat(),
                "echeance": due.isoformat(),
                "conservation_ans": years,
                "declencheur": trigger,
            },
        )
        session.delete(row)
        purged += 1
    session.add(IdDocumentPurge(at=at, trigger=trigger, purged=purged, account_login=actor.login))
    session.flush()
    return purged


def last_purge(session: Session) -> IdDocumentPurge | None:
    return session.scalar(
        select(IdDocumentPurge).order_by(IdDocumentPurge.at.desc(), IdDocumentPurge.id.desc())
    )
