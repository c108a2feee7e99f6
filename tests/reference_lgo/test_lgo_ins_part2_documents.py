"""ID-document copies through the driver API (W1-INS-24), on SQLite and PostgreSQL: encrypted at
rest with the key file of the LGO (never in the database), read back decrypted and audited, a wrong
key refused, purged after the retention on the moved LGO clock (driver call, start-up, daily check)."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from _lgo_ins_support import audit_of, login, seeded_id, world_lgo
from fastapi.testclient import TestClient
from sqlalchemy import select

from reference_lgo.models import IdDocument
from reference_lgo.runtime import Runtime
from reference_lgo.services import maintenance

SCAN = b"%PDF-1.4\n% copie de carte d'identite\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def lgo(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    with world_lgo(tmp_path / "home", database_url) as client:
        yield client


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def upload(
    client: TestClient, headers: dict[str, str], patient_id: int, data: bytes = SCAN, kind: str = "cni"
) -> Any:
    return client.post(
        f"/driver/v1/patients/{patient_id}/id-documents",
        files={"file": ("carte identité.pdf", data, "application/octet-stream")},
        data={"type": kind},
        headers=headers,
    )


def move_clock(client: TestClient, now: datetime) -> None:
    answer = client.put("/driver/v1/clock", json={"mode": "frozen", "now": now.isoformat()})
    assert answer.status_code == 200, answer.text


def test_copy_is_encrypted_at_rest_and_read_back(lgo: TestClient, tmp_path: Path) -> None:
    titulaire = login(lgo, "titulaire")
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    answer = upload(lgo, titulaire, blanchard)
    assert answer.status_code == 201, answer.text
    stored = answer.json()
    assert stored["stored_encrypted"] is True and stored["sha256"] == hashlib.sha256(SCAN).hexdigest()
    assert stored["media_type"] == "application/pdf" and stored["filename"] == "carte identité.pdf"
    patient = lgo.get(f"/driver/v1/patients/{blanchard}", headers=titulaire).json()
    updated = datetime.fromisoformat(patient["updated_at"])
    uploaded = datetime.fromisoformat(stored["uploaded_at"])
    assert datetime.fromisoformat(stored["purge_after"]) == max(updated, uploaded).replace(
        year=max(updated, uploaded).year + 5
    )

    storage = lgo.get(
        f"/driver/v1/patients/{blanchard}/id-documents/{stored['id']}/storage", headers=titulaire
    )
    assert storage.status_code == 200
    info = storage.json()
    assert info["algorithm"] == "AES-256-GCM" and info["ciphertext_sha256"] != stored["sha256"]
    key_file = tmp_path / "home" / "lgo" / "keys" / f"{info['key_id']}.key"
    assert key_file.is_file() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    key = key_file.read_bytes().strip()
    with runtime_of(lgo).db.session() as session:
        row = session.scalars(select(IdDocument)).one()
        # The database holds neither the file nor the key: only the key id, the nonce and the ciphertext.
        assert row.ciphertext != SCAN and SCAN[:40] not in row.ciphertext
        assert hashlib.sha256(row.ciphertext).hexdigest() == info["ciphertext_sha256"]
        assert key not in row.ciphertext and base64.b64decode(key) not in row.ciphertext
        assert row.key_id == info["key_id"]

    read = lgo.get(f"/driver/v1/patients/{blanchard}/id-documents/{stored['id']}", headers=titulaire)
    assert read.status_code == 200 and read.content == SCAN
    assert read.headers["content-type"] == "application/pdf" and read.headers["cache-control"] == "no-store"
    listing = lgo.get(f"/driver/v1/patients/{blanchard}/id-documents", headers=titulaire).json()
    assert [item["id"] for item in listing] == [stored["id"]]
    actions = [item["action"] for item in audit_of(lgo, titulaire, blanchard)]
    assert "piece_identite.enregistrer" in actions and "piece_identite.consulter" in actions


def test_a_wrong_key_does_not_decrypt_and_the_failure_is_audited(lgo: TestClient, tmp_path: Path) -> None:
    titulaire = login(lgo, "titulaire")
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    stored = upload(lgo, titulaire, blanchard).json()
    key_id = lgo.get(
        f"/driver/v1/patients/{blanchard}/id-documents/{stored['id']}/storage", headers=titulaire
    ).json()["key_id"]
    (tmp_path / "home" / "lgo" / "keys" / f"{key_id}.key").write_bytes(base64.b64encode(b"\x07" * 32) + b"\n")
    read = lgo.get(f"/driver/v1/patients/{blanchard}/id-documents/{stored['id']}", headers=titulaire)
    assert read.status_code == 500 and read.json()["code"] == "dechiffrement_impossible"
    assert "Déchiffrement impossible" in read.json()["detail"] and SCAN[:20] not in read.content
    failed = [e for e in audit_of(lgo, titulaire, blanchard) if e["action"] == "piece_identite.consulter"]
    assert [e["outcome"] for e in failed] == ["echec"]


def test_only_scans_of_allowed_formats_and_sizes_are_kept(lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    text = upload(lgo, titulaire, garnier, b"<html><script>alert(1)</script></html>")
    assert text.status_code == 422 and text.json()["code"] == "format_refuse"
    huge = upload(lgo, titulaire, garnier, b"%PDF-" + b"0" * (10 * 1024 * 1024))
    assert huge.status_code == 422 and huge.json()["code"] == "fichier_trop_volumineux"
    unknown = upload(lgo, titulaire, garnier, PNG, kind="inconnu")
    assert unknown.status_code == 422 and unknown.json()["code"] == "justificatif_inconnu"
    png = upload(lgo, titulaire, garnier, PNG, kind="passeport")
    assert png.status_code == 201 and png.json()["media_type"] == "image/png"
    assert png.json()["filename"] == "carte identité.png"  # the name follows the real content


def test_rights_and_the_switch_of_the_copies(lgo: TestClient) -> None:
    titulaire, etudiant = login(lgo, "titulaire"), login(lgo, "etudiant")
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    refused = upload(lgo, etudiant, garnier)
    assert refused.status_code == 403 and refused.json()["permission"] == "identites.qualifier"
    stored = upload(lgo, titulaire, garnier).json()
    assert (
        lgo.get(f"/driver/v1/patients/{garnier}/id-documents/{stored['id']}", headers=etudiant).status_code
        == 200
    )
    other = seeded_id(lgo, titulaire, "lp-blanchard")
    wrong_patient = lgo.get(f"/driver/v1/patients/{other}/id-documents/{stored['id']}", headers=titulaire)
    assert wrong_patient.status_code == 404 and wrong_patient.json()["code"] == "piece_introuvable"

    assert lgo.get("/driver/v1/settings/id-document-retention", headers=titulaire).json() == {
        "years": 5,
        "enabled": True,
    }
    off = lgo.put("/driver/v1/settings/id-document-retention", json={"enabled": False}, headers=titulaire)
    assert off.json() == {"years": 5, "enabled": False}
    disabled = upload(lgo, titulaire, garnier)
    assert disabled.status_code == 409 and disabled.json()["code"] == "copies_desactivees"
    bad = lgo.put("/driver/v1/settings/id-document-retention", json={"years": 0}, headers=titulaire)
    assert bad.status_code == 422


def test_purge_after_the_retention_on_the_moved_clock(lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    stored = upload(lgo, titulaire, garnier).json()
    due = datetime.fromisoformat(stored["purge_after"])

    move_clock(lgo, due - timedelta(days=1))
    assert lgo.post("/driver/v1/maintenance/purge-id-documents").json()["purged"] == 0
    titulaire = login(lgo, "titulaire")  # the session expired with the clock's jump
    assert (
        lgo.get(f"/driver/v1/patients/{garnier}/id-documents", headers=titulaire).json()[0]["id"]
        == stored["id"]
    )

    move_clock(lgo, due + timedelta(minutes=1))
    purged = lgo.post("/driver/v1/maintenance/purge-id-documents").json()
    assert purged["purged"] == 1
    titulaire = login(lgo, "titulaire")
    gone = lgo.get(f"/driver/v1/patients/{garnier}/id-documents/{stored['id']}", headers=titulaire)
    assert gone.status_code == 404 and gone.json()["code"] == "piece_introuvable"
    entries = [e for e in audit_of(lgo, titulaire, garnier) if e["action"] == "piece_identite.purger"]
    assert len(entries) == 1 and entries[0]["details"]["conservation_ans"] == 5
    assert entries[0]["channel"] == "driver"


def test_activity_on_the_patient_postpones_the_purge(lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    start = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)
    move_clock(lgo, start)
    titulaire = login(lgo, "titulaire")
    stored = upload(lgo, titulaire, garnier).json()
    assert stored["purge_after"].startswith("2035-01-10")
    move_clock(lgo, start + timedelta(days=400))
    titulaire = login(lgo, "titulaire")
    lgo.patch(f"/driver/v1/patients/{garnier}", json={"changes": {"phone": "0102030405"}}, headers=titulaire)
    listing = lgo.get(f"/driver/v1/patients/{garnier}/id-documents", headers=titulaire).json()
    assert listing[0]["purge_after"].startswith("2036-02-14")
    lgo.put("/driver/v1/settings/id-document-retention", json={"years": 1}, headers=titulaire)
    shorter = lgo.get(f"/driver/v1/patients/{garnier}/id-documents", headers=titulaire).json()
    assert shorter[0]["purge_after"].startswith("2032-02-14")


def test_start_up_and_daily_purge_follow_the_lgo_clock(lgo: TestClient) -> None:
    runtime = runtime_of(lgo)
    # The application ran a purge when it started: the next one is due a day later (LGO clock).
    assert maintenance.purge_if_due(runtime) is None
    titulaire = login(lgo, "titulaire")
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    upload(lgo, titulaire, garnier)
    runtime.clock.advance(timedelta(days=5 * 366).total_seconds())
    ticker = maintenance.DailyMaintenance(runtime, tick_s=0.02)
    ticker.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with runtime.db.session() as session:
                if session.scalar(select(IdDocument.id)) is None:
                    break
            time.sleep(0.05)
    finally:
        ticker.stop()
    with runtime.db.session() as session:
        assert session.scalar(select(IdDocument.id)) is None
    assert maintenance.purge_if_due(runtime) is None  # done for today
    titulaire = login(lgo, "titulaire")
    purges = lgo.get("/driver/v1/audit", params={"action": "piece_identite.purger"}, headers=titulaire).json()
    assert purges["total"] == 1 and purges["items"][0]["channel"] == "systeme"
    assert purges["items"][0]["details"]["declencheur"] == "quotidien"
