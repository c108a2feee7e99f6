"""Pharmacy settings: defaults from the bench home, validation in French, only differences stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from reference_lgo.models import Setting
from reference_lgo.runtime import Runtime
from reference_lgo.services import settings
from reference_lgo.services.context import Actor, Origin
from reference_lgo.services.errors import Forbidden, InvalidInput
from reference_lgo.settings import LgoConfig

NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_defaults_point_at_the_exported_pki(tmp_path: Path) -> None:
    config = LgoConfig(home=tmp_path, database_url="sqlite://", card_mode="bench")
    values = settings.defaults(config, config.card_mode)
    assert values.trust_chain == str(tmp_path / "pki" / "export" / "ca" / "chain.pem")
    assert values.trust_crl_dir == str(tmp_path / "pki" / "export" / "crl")
    assert values.cert_insi_manu == str(tmp_path / "pki" / "export" / "clients" / "insi-manu.chain.pem")
    assert values.key_org_sign == str(tmp_path / "pki" / "export" / "clients" / "org-sign.key")
    assert values.card_reader_mode == "bench"
    assert values.inactivity_minutes == 15


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"finess": "12345"}, "N° FINESS : FINESS invalide (longueur incorrecte)"),
        ({"id_nat_struct": "9123"}, "IdNatStruct : IdNatStruct invalide"),
        ({"idam": "IDAM avec espace"}, "seuls lettres, chiffres"),
        ({"inactivity_minutes": 0}, "Déconnexion après inactivité (minutes) : valeur hors limites"),
        ({"card_reader_mode": "usb"}, "Accès aux lecteurs de cartes : valeur non permise"),
        ({"bench_reader_address": "localhost"}, "hôte:port"),
        ({"couleur": "bleu"}, "couleur : paramètre inconnu"),
    ],
)
def test_invalid_values_are_refused_in_french(
    runtime: Runtime, changes: dict[str, object], message: str
) -> None:
    actor = Actor.bench(Origin("systeme"))
    with runtime.db.session() as session, pytest.raises(InvalidInput) as caught:
        settings.update(session, actor, NOW, runtime.config, changes)
    assert message in caught.value.message
    assert caught.value.extra["fields"] == list(changes)


def test_only_differences_from_defaults_are_stored(runtime: Runtime) -> None:
    actor = Actor.bench(Origin("systeme"))
    with runtime.db.session() as session:
        settings.update(session, actor, NOW, runtime.config, {"idam": "IDAM-1", "inactivity_minutes": 30})
    with runtime.db.session() as session:
        assert {row.key for row in session.query(Setting)} == {"idam", "inactivity_minutes"}
        settings.update(session, actor, NOW, runtime.config, {"inactivity_minutes": 15})
    with runtime.db.session() as session:
        assert {row.key for row in session.query(Setting)} == {"idam"}
        assert runtime.settings(session).inactivity_minutes == 15


def test_changing_settings_needs_the_permission(runtime: Runtime) -> None:
    reader = Actor(display_name="Lecteur", origin=Origin("ui"), permissions=frozenset({"parametres.lire"}))
    with runtime.db.session() as session, pytest.raises(Forbidden):
        settings.update(session, reader, NOW, runtime.config, {"idam": "X"})


def test_path_status_says_whether_files_exist(tmp_path: Path) -> None:
    present = tmp_path / "chain.pem"
    present.write_text("x")
    values = settings.PharmacySettings(trust_chain=str(present), trust_crl_dir=str(tmp_path / "absent"))
    status = settings.path_status(values)
    assert status["trust_chain"] == "présent"
    assert status["trust_crl_dir"] == "introuvable"
    assert status["cert_insi_auto"] == "non renseigné"
