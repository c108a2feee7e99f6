"""Roles and permissions: pure rules of reference_lgo.domain.permissions."""

from __future__ import annotations

import pytest

from reference_lgo.domain import permissions as rules


def test_every_role_has_a_known_default_set() -> None:
    assert set(rules.DEFAULT_ROLE_PERMISSIONS) == set(rules.ROLES)
    for role, codes in rules.DEFAULT_ROLE_PERMISSIONS.items():
        assert codes <= set(rules.PERMISSIONS), role


def test_titulaire_has_everything_and_others_do_not_manage_rights() -> None:
    assert rules.role_permissions("titulaire") == frozenset(rules.PERMISSIONS)
    for role in ("adjoint", "preparateur", "etudiant", "administrateur"):
        assert "droits.gerer" not in rules.role_permissions(role)
        assert "audit.exporter" not in rules.role_permissions(role)


def test_administrateur_has_no_access_to_patients() -> None:
    codes = rules.role_permissions("administrateur")
    assert "comptes.gerer" in codes and "parametres.modifier" in codes
    assert not {"patients.lire", "ins.voir_matricule", "insi.appeler"} & codes


def test_adjustments_apply_in_order_role_then_account() -> None:
    role = rules.Adjustments.from_map({"audit.consulter": True, "insi.appeler": False})
    account = rules.Adjustments.from_map({"insi.appeler": True, "ins.voir_matricule": False})
    codes = rules.effective_permissions("preparateur", role, account)
    assert "audit.consulter" in codes  # granted to the role
    assert "insi.appeler" in codes  # removed from the role, granted back to the account
    assert "ins.voir_matricule" not in codes  # removed from the account only
    assert "patients.lire" in codes


def test_locked_permissions_stay_with_the_titulaire() -> None:
    account = rules.Adjustments.from_map({"audit.exporter": False, "patients.lire": False})
    codes = rules.effective_permissions("titulaire", account_adjustments=account)
    assert "audit.exporter" in codes
    assert "patients.lire" not in codes
    with pytest.raises(rules.PermissionRuleError, match=r"audit\.exporter"):
        rules.check_not_locked("titulaire", {"audit.exporter"})
    rules.check_not_locked("adjoint", {"audit.consulter"})


def test_unknown_role_and_permission_are_refused_in_french() -> None:
    with pytest.raises(rules.PermissionRuleError, match="rôle inconnu « pharmacien »"):
        rules.check_role("pharmacien")
    with pytest.raises(rules.PermissionRuleError, match=r"permission inconnue : tout\.faire"):
        rules.check_permissions(["patients.lire", "tout.faire"])


def test_only_a_titulaire_assigns_the_titulaire_role() -> None:
    assert rules.can_assign_role("titulaire", "titulaire")
    assert not rules.can_assign_role("administrateur", "titulaire")
    assert rules.can_assign_role("administrateur", "preparateur")
