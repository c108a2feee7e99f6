"""INS identity steps, copies of ID documents (W1-INS-24, conditional): a copy the pharmacy keeps is
stored encrypted and deleted automatically once the retention (5 years after the patient's last
activity) has passed. The bench uploads a specimen scan, proves the stored bytes are not the plain
file (`…/storage`), reads it back, moves the LGO's clock and runs the purge
(`POST /maintenance/purge-id-documents`, bench level).
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from typing import Any

from PIL import Image, ImageDraw

from bench.steps_lib import evidence, ins, ins_part2
from bench.steps_lib.state import ScenarioBench

RETENTION = "/settings/id-document-retention"
PURGE = "/maintenance/purge-id-documents"
SCAN_NAME = "copie-piece-identite-specimen.png"


def offered(bench: ScenarioBench) -> bool:
    """The LGO keeps copies at all (the action exists); when the pharmacy's switch says no, the
    titulaire turns it on: the requirement is about what happens to copies once kept."""
    answer = bench.target.call("GET", RETENTION, session=ins.reader(bench), ok=False)
    if answer.status in ins_part2.NOT_OFFERED:
        return False
    if answer.status >= 400:
        raise AssertionError(
            f"Paramètre de conservation des copies illisible ({answer.status}) : {answer.text[:300]}"
        )
    if answer.json_object().get("enabled") is False:
        session = ins.acting(bench, ins.READER_LOGIN)
        outcome = ins.act(
            bench, session, "PUT", RETENTION, "Conservation des copies permise", json={"enabled": True}
        )
        ins.require_ok(outcome)
    return True


def check_retention(bench: ScenarioBench, years: int) -> None:
    data = bench.target.call("GET", RETENTION, session=ins.reader(bench)).json_object()
    if data.get("years") != years:
        raise AssertionError(f"Conservation des copies de {data.get('years')!r} an(s) et non {years}")


def specimen_scan() -> bytes:
    """A fictitious scan (PNG) marked as a bench specimen: no real identity document ever."""
    image = Image.new("L", (480, 300), color=235)
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 471, 291), outline=40, width=3)
    for line, text in enumerate(
        ("SPECIMEN BANC SEGUR", "Copie fictive de piece d'identite", "Aucune valeur")
    ):
        draw.text((30, 40 + 50 * line), text, fill=20)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


# --- upload, read, storage ---------------------------------------------------------------------------


def upload(bench: ScenarioBench, login: str, ref: str, kind: str) -> None:
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    scan = specimen_scan()
    answer = bench.target.fetch(
        "POST",
        f"/patients/{pid}/id-documents",
        session=session,
        files={"file": (SCAN_NAME, scan, "image/png")},
        data={"type": kind},
        accept="application/json",
    )
    data = answer.json_object()
    if answer.status >= 400 or not data.get("id"):
        raise AssertionError(
            f"Copie de la pièce « {kind} » de « {ref} » refusée ({answer.status}, code « {data.get('code')} ») : "
            f"{data.get('detail') or answer.text[:300]}"
        )
    bench.remember("ins.copy", {"ref": ref, "pid": pid, "plain": scan, "answer": data})


def _copy(bench: ScenarioBench) -> dict[str, Any]:
    copy: dict[str, Any] = bench.recall("ins.copy")
    return copy


def _path(copy: dict[str, Any]) -> str:
    return f"/patients/{copy['pid']}/id-documents/{copy['answer']['id']}"


def check_stored_encrypted(bench: ScenarioBench) -> None:
    """The answer names the plain file (its sha256) and says it is encrypted; the storage view proves
    it: the stored bytes have another digest, an algorithm and a key id (the key itself never shown)."""
    copy = _copy(bench)
    plain_sha = hashlib.sha256(copy["plain"]).hexdigest()
    answer = copy["answer"]
    if answer.get("sha256") != plain_sha or answer.get("stored_encrypted") is not True:
        raise AssertionError(
            f"Copie enregistrée sans preuve de chiffrement : sha256 {answer.get('sha256')} (fichier {plain_sha}), "
            f"stored_encrypted = {answer.get('stored_encrypted')!r}"
        )
    storage_answer = bench.target.call("GET", _path(copy) + "/storage", session=ins.reader(bench))
    storage = storage_answer.json_object()
    stored_sha = str(storage.get("ciphertext_sha256") or "")
    if (
        not storage.get("algorithm")
        or not storage.get("key_id")
        or len(stored_sha) != 64
        or stored_sha == plain_sha
    ):
        raise AssertionError(f"Stockage de la copie non chiffré ou non démontré : {storage}")
    evidence.attach(
        bench,
        "Stockage chiffré de la copie de pièce d'identité (vue du LGO)",
        json.dumps(storage, ensure_ascii=False, indent=2).encode("utf-8"),
        media_type="application/json",
        source=f"GET /driver/v1{_path(copy)}/storage",
    )


def check_readable(bench: ScenarioBench, login: str) -> None:
    copy = _copy(bench)
    answer = bench.target.fetch("GET", _path(copy), session=ins.acting(bench, login), accept="image/*")
    if answer.status >= 400 or answer.content != copy["plain"]:
        raise AssertionError(
            f"La copie relue par « {login} » n'est pas le fichier déposé (statut {answer.status}, "
            f"{len(answer.content)} octets au lieu de {len(copy['plain'])})"
        )


def check_purge_date(bench: ScenarioBench, years: int) -> None:
    """`purge_after` is `years` after now (the upload is the patient's last activity), within a day."""
    copy = _copy(bench)
    due = ins_part2.parse_instant(copy["answer"].get("purge_after"), "Date de suppression de la copie")
    expected = ins_part2.add_years(ins_part2.lgo_now(bench), years)
    if abs(due - expected) > timedelta(days=1):
        raise AssertionError(
            f"Copie à supprimer le {due:%d/%m/%Y} et non {years} ans après la dernière activité ({expected:%d/%m/%Y})"
        )


# --- purge -------------------------------------------------------------------------------------------


def purge(bench: ScenarioBench) -> None:
    answer = bench.target.call("POST", PURGE, ok=False)  # bench level: the bench token, no session
    purged = ins.require_ok(ins.Outcome("Purge des copies de pièces d'identité", answer)).get("purged")
    if not isinstance(purged, int) or purged < 0:
        raise AssertionError(f"Purge des copies : nombre de copies supprimées illisible ({purged!r})")


def check_kept(bench: ScenarioBench) -> None:
    check_readable(bench, ins.READER_LOGIN)


def check_purged(bench: ScenarioBench) -> None:
    copy = _copy(bench)
    answer = bench.target.fetch("GET", _path(copy), session=ins.reader(bench), accept="image/*")
    if answer.status != 404:
        raise AssertionError(
            f"La copie de « {copy['ref']} » est toujours lisible après la purge (statut {answer.status}, "
            f"{len(answer.content)} octets)"
        )
