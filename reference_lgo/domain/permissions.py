"""Roles and fine-grained permissions.

Each role has a default permission set; a titulaire can adjust a role's set or one account's
(REM W1-INS-07 relies on restricting, for instance, who sees the INS matricule). The permissions
that keep the pharmacy administrable are locked on the titulaire role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# code -> French label (shown in the UI and in the driver API's /roles).
PERMISSIONS: dict[str, str] = {
    "patients.lire": "Consulter les dossiers patients",
    "patients.modifier": "Créer et modifier les dossiers patients",
    "identites.qualifier": "Valider une identité sur justificatif d'identité",
    "ins.voir_matricule": "Voir le matricule INS et son OID",
    "insi.appeler": "Interroger le téléservice INSi",
    "audit.consulter": "Consulter la piste d'audit",
    "audit.exporter": "Exporter la piste d'audit (CSV)",
    "parametres.lire": "Consulter les paramètres de l'officine",
    "parametres.modifier": "Modifier les paramètres de l'officine",
    "comptes.gerer": "Créer, modifier et désactiver les comptes",
    "droits.gerer": "Ajuster les droits des rôles et des comptes",
}

ROLES: dict[str, str] = {
    "titulaire": "Pharmacien titulaire",
    "adjoint": "Pharmacien adjoint",
    "preparateur": "Préparateur en pharmacie",
    "etudiant": "Étudiant en pharmacie",
    "administrateur": "Administrateur",
}

_PATIENT_CARE = frozenset(
    {"patients.lire", "patients.modifier", "identites.qualifier", "ins.voir_matricule", "insi.appeler"}
)

DEFAULT_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "titulaire": frozenset(PERMISSIONS),
    "adjoint": _PATIENT_CARE | {"audit.consulter", "parametres.lire"},
    "preparateur": _PATIENT_CARE,
    "etudiant": frozenset({"patients.lire"}),
    # Technical administration: accounts and settings, no access to patients' data.
    "administrateur": frozenset({"comptes.gerer", "parametres.lire", "parametres.modifier"}),
}

# Never removable from a titulaire: otherwise the pharmacy could lock itself out of its own audit
# trail and rights management.
LOCKED: dict[str, frozenset[str]] = {
    "titulaire": frozenset({"audit.consulter", "audit.exporter", "comptes.gerer", "droits.gerer"}),
}


class PermissionRuleError(ValueError):
    """A permission change the rules forbid (French message)."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise PermissionRuleError(f"rôle inconnu « {role} » (attendus : {', '.join(ROLES)})")
    return role


def check_permissions(codes: Iterable[str]) -> list[str]:
    unknown = sorted(set(codes) - set(PERMISSIONS))
    if unknown:
        raise PermissionRuleError(f"permission inconnue : {', '.join(unknown)}")
    return sorted(set(codes))


@dataclass(frozen=True)
class Adjustments:
    """Grants and removals applied on top of a set (a code is never in both)."""

    granted: frozenset[str] = frozenset()
    revoked: frozenset[str] = frozenset()

    @classmethod
    def from_map(cls, flags: Mapping[str, bool]) -> Adjustments:
        return cls(
            frozenset(code for code, on in flags.items() if on),
            frozenset(code for code, on in flags.items() if not on),
        )

    def apply(self, base: frozenset[str]) -> frozenset[str]:
        return (base | self.granted) - self.revoked


def role_permissions(role: str, role_adjustments: Adjustments = Adjustments()) -> frozenset[str]:
    check_role(role)
    return role_adjustments.apply(DEFAULT_ROLE_PERMISSIONS[role]) | LOCKED.get(role, frozenset())


def effective_permissions(
    role: str, role_adjustments: Adjustments = Adjustments(), account_adjustments: Adjustments = Adjustments()
) -> frozenset[str]:
    """Role defaults, then the role's adjustments, then the account's; locked ones always stay."""
    base = role_permissions(role, role_adjustments)
    return account_adjustments.apply(base) | LOCKED.get(role, frozenset())


def check_not_locked(role: str, removed: Iterable[str]) -> None:
    locked = sorted(set(removed) & LOCKED.get(role, frozenset()))
    if locked:
        raise PermissionRuleError(
            f"impossible de retirer au rôle {ROLES[role].lower()} : {', '.join(locked)} "
            "(droits indispensables à l'administration de l'officine)"
        )


def can_assign_role(actor_role: str, target_role: str) -> bool:
    """Only a titulaire creates or changes titulaire accounts (no escalation through comptes.gerer)."""
    return target_role != "titulaire" or actor_role == "titulaire"
