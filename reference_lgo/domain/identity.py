"""Identity rules of the RNIV (référentiel national d'identitovigilance) for the reference LGO.

Pure: every operation takes an immutable `Identity` and returns a new one (or raises
`IdentityRuleError` with a French message); the shell maps these objects to its database rows and
journals the returned traces.

Facts: spec digest `insi-dmp-cda-dp.md` §1.11 (four statuses crossing "obtained via INSi" and "checked
on a high-trust document"; douteuse / fictive force PROV; only a qualified identity shares its INS;
INS present <=> RECUP or QUAL), REM W1-INS-02/03 (creation), 11 (reprise of INSi data), 13 (evidence),
14/15 (statuses and their history), 16 (douteuse / fictive block INSi), 17 (strict-trait lock and
downgrade), 18 (no INS unless qualified), 20 (verification KO drops the INS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from protocols.identifiers import IdentifierError, Ins, is_ins_oid, parse_ins
from reference_lgo.domain.identity_traits import (
    STRICT_TRAITS,
    TRAIT_LABELS,
    StrictTraitName,
    StrictTraits,
    TraitsError,
    check_birth_date,
    check_cog,
    fold,
    ins_birth_name,
    ins_first_names,
    ins_sex,
    is_lunar,
    search_key,
    split_first_names,
)


class IdentityStatus(StrEnum):
    PROV = "PROV"
    RECUP = "RECUP"
    VALI = "VALI"
    QUAL = "QUAL"

    @property
    def label_fr(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    IdentityStatus.PROV: "Identité provisoire",
    IdentityStatus.RECUP: "Identité récupérée",
    IdentityStatus.VALI: "Identité validée",
    IdentityStatus.QUAL: "Identité qualifiée",
}
INS_STATUSES = frozenset({IdentityStatus.RECUP, IdentityStatus.QUAL})


def derive_status(
    *, via_insi: bool, high_trust_evidence: bool, douteuse: bool = False, fictive: bool = False
) -> IdentityStatus:
    """§1.11 derivation: douteuse or fictive, or neither criterion -> PROV; INSi only -> RECUP;
    evidence only -> VALI; both -> QUAL."""
    if douteuse or fictive or not (via_insi or high_trust_evidence):
        return IdentityStatus.PROV
    if not high_trust_evidence:
        return IdentityStatus.RECUP
    if not via_insi:
        return IdentityStatus.VALI
    return IdentityStatus.QUAL


class IdentityRuleError(ValueError):
    """A rule refuses the operation; `code` is stable, `str()` is the French message for the user."""

    def __init__(self, code: str, message: str, problems: dict[str, str] | None = None) -> None:
        self.code = code
        self.message = message
        self.problems = problems or {}
        super().__init__(message)


# --- evidence (W1-INS-13) --------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceType:
    """A kind of identity document and its trust level (the LGO's list is configurable)."""

    code: str
    label_fr: str
    high_trust: bool


# §1.11: passport, national identity card, permanent residence permit are high-trust devices; the
# carte Vitale is not. Derogations (minors, EHPAD residents) are configured by the pharmacy.
DEFAULT_EVIDENCE_TYPES: tuple[EvidenceType, ...] = (
    EvidenceType("passeport", "Passeport", True),
    EvidenceType("cni", "Carte nationale d'identité", True),
    EvidenceType("titre_sejour", "Titre de séjour permanent", True),
    EvidenceType("livret_famille", "Livret de famille", False),
    EvidenceType("acte_naissance", "Extrait d'acte de naissance", False),
    EvidenceType("carte_vitale", "Carte Vitale", False),
    EvidenceType("permis_conduire", "Permis de conduire", False),
    EvidenceType("autre", "Autre document", False),
)


@dataclass(frozen=True)
class IdentityEvidence:
    """A document checked by a user (manual validation)."""

    type_code: str
    high_trust: bool
    checked_at: datetime
    checked_by: str
    reference: str | None = None

    @classmethod
    def checked(
        cls,
        type_code: str,
        *,
        at: datetime,
        author: str,
        reference: str | None = None,
        types: Sequence[EvidenceType] = DEFAULT_EVIDENCE_TYPES,
    ) -> IdentityEvidence:
        known = {t.code: t for t in types}
        if type_code not in known:
            raise IdentityRuleError(
                "justificatif_inconnu",
                f"Type de justificatif d'identité inconnu : « {type_code} ».",
            )
        return cls(type_code, known[type_code].high_trust, at, author, reference)


# --- the identity ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChange:
    """One entry of the status history (W1-INS-15)."""

    old: IdentityStatus | None
    new: IdentityStatus
    at: datetime
    author: str
    reason: str


@dataclass(frozen=True)
class Identity:
    """A patient identity. `status` is derived, never stored apart from its inputs, so it cannot
    disagree with them; `history` records each change of it."""

    traits: StrictTraits
    used_name: str | None = None
    used_first_name: str | None = None
    ins: Ins | None = None  # present only when obtained via INSi (RECUP or QUAL)
    evidence: IdentityEvidence | None = None
    douteuse: bool = False
    fictive: bool = False
    homonyme: bool = False  # vigilance only: no effect on the status
    history: tuple[StatusChange, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.ins is not None and (self.douteuse or self.fictive):
            raise IdentityRuleError(
                "ins_incoherent",
                "Une identité douteuse ou fictive ne peut pas porter d'INS.",
            )

    @property
    def via_insi(self) -> bool:
        return self.ins is not None

    @property
    def high_trust_evidence(self) -> bool:
        return self.evidence is not None and self.evidence.high_trust

    @property
    def status(self) -> IdentityStatus:
        return derive_status(
            via_insi=self.via_insi,
            high_trust_evidence=self.high_trust_evidence,
            douteuse=self.douteuse,
            fictive=self.fictive,
        )

    @property
    def matricule(self) -> str | None:
        return self.ins.matricule if self.ins is not None else None

    @property
    def oid(self) -> str | None:
        return self.ins.oid if self.ins is not None else None


def _traced(before: Identity, after: Identity, at: datetime, author: str, reason: str) -> Identity:
    """`after` with a history entry when its status differs from `before`'s."""
    if after.status == before.status:
        return after
    change = StatusChange(before.status, after.status, at, author, reason)
    return replace(after, history=(*after.history, change))


# --- creation (W1-INS-02 / W1-INS-03) --------------------------------------------------------

# Exactly these five traits are required to create an identity; nothing else may be (W1-INS-03).
REQUIRED_TRAITS: tuple[StrictTraitName, ...] = STRICT_TRAITS


def missing_traits(
    *,
    birth_name: str | None,
    first_names: str | Sequence[str] | None,
    sex: str | None,
    birth_date: str | None,
    birth_place: str | None,
) -> list[StrictTraitName]:
    given: dict[StrictTraitName, bool] = {
        "birth_name": bool(birth_name and birth_name.strip()),
        "first_names": bool(first_names and split_first_names(first_names)),
        "sex": bool(sex and sex.strip()),
        "birth_date": bool(birth_date and birth_date.strip()),
        "birth_place": bool(birth_place and birth_place.strip()),
    }
    return [name for name in REQUIRED_TRAITS if not given[name]]


def create_identity(
    *,
    birth_name: str | None,
    first_names: str | Sequence[str] | None,
    sex: str | None,
    birth_date: str | None,
    birth_place: str | None,
    used_name: str | None = None,
    used_first_name: str | None = None,
    at: datetime,
    author: str,
) -> Identity:
    """A new provisional identity. Refused while one of the five traits is missing; the used name
    and first name are optional. Traits are stored in INS form."""
    missing = missing_traits(
        birth_name=birth_name,
        first_names=first_names,
        sex=sex,
        birth_date=birth_date,
        birth_place=birth_place,
    )
    if missing:
        labels = ", ".join(TRAIT_LABELS[m] for m in missing)
        raise IdentityRuleError(
            "traits_manquants",
            f"Création impossible : trait(s) obligatoire(s) manquant(s) : {labels}.",
            {m: f"Le {TRAIT_LABELS[m]} est obligatoire." for m in missing},
        )
    assert birth_name and first_names and sex and birth_date and birth_place
    raw = StrictTraits(birth_name, split_first_names(first_names), sex, birth_date, birth_place)
    try:
        traits = raw.in_ins_form(require_birth_place=True, today=at.date())
        used = _used_name(used_name, "used_name")
        used_first = _used_name(used_first_name, "used_first_name")
    except TraitsError as exc:
        raise IdentityRuleError("traits_invalides", f"Création impossible : {exc}", exc.problems) from None
    identity = Identity(traits, used_name=used, used_first_name=used_first)
    created = StatusChange(None, identity.status, at, author, "Création de l'identité")
    return replace(identity, history=(created,))


def _used_name(value: str | None, field_name: str) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return ins_birth_name(value, TRAIT_LABELS[field_name])
    except TraitsError as exc:
        raise TraitsError({field_name: next(iter(exc.problems.values()))}) from None


# --- reprise of INSi data (W1-INS-11) ---------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why INSi data may not be attached to an identity (`code` stable, `message` French)."""

    code: str
    message: str


def check_reprise(local: StrictTraits, *, matricule: str, oid: str, returned: StrictTraits) -> list[Refusal]:
    """Coherence of an INSi answer (CR 00) with the local identity, before its data is stored.

    Refused: an incomplete date (00 day or month), an empty name, first name or sex, a wrong INS
    key or OID, and traits that disagree with the local ones (first names: the local first birth
    first name must be INSi's first one, and every local first name must be among INSi's)."""
    out: list[Refusal] = []
    date = returned.birth_date.strip()
    if not returned.birth_name.strip():
        out.append(Refusal("nom_vide", "INSi renvoie un nom de naissance vide : reprise refusée."))
    if not split_first_names(returned.first_names):
        out.append(Refusal("prenom_vide", "INSi renvoie une liste de prénoms vide : reprise refusée."))
    if not returned.sex.strip():
        out.append(Refusal("sexe_vide", "INSi renvoie un sexe vide : reprise refusée."))
    elif returned.sex not in ("M", "F"):
        out.append(
            Refusal("sexe_invalide", f"INSi renvoie un sexe invalide (« {returned.sex} ») : reprise refusée.")
        )
    if is_lunar(date):
        out.append(
            Refusal(
                "date_incomplete",
                f"INSi renvoie une date de naissance incomplète ({date}, jour ou mois 00) : "
                "reprise automatique refusée, vérifiez l'identité sur pièce.",
            )
        )
    else:
        try:
            check_birth_date(date)
        except TraitsError:
            out.append(Refusal("date_invalide", f"INSi renvoie une date de naissance invalide ({date})."))
    try:
        parse_ins(matricule, oid)
    except IdentifierError as exc:
        code = "oid_invalide" if not is_ins_oid(oid) else "matricule_invalide"
        out.append(Refusal(code, f"INS renvoyé invalide : {exc}. Il ne sera pas enregistré."))
    codes = {r.code for r in out}
    try:
        returned.in_ins_form()
    except TraitsError as exc:
        # Sex and date have their own refusals above, and so have an empty name or first-name list.
        covered = {"sex", "birth_date"} | {field for code, field in _EMPTY_CODES.items() if code in codes}
        others = [message for field, message in exc.problems.items() if field not in covered]
        if others:
            out.append(Refusal("traits_non_conformes", "Traits INSi non conformes : " + " ; ".join(others)))
    out += _compare(local, returned)
    return out


def _compare(local: StrictTraits, returned: StrictTraits) -> list[Refusal]:
    out: list[Refusal] = []
    if local.birth_name.strip() and search_key(local.birth_name) != search_key(returned.birth_name):
        out.append(
            Refusal(
                "nom_different",
                f"Nom de naissance différent : « {local.birth_name} » (local) / "
                f"« {returned.birth_name} » (INSi).",
            )
        )
    local_first = [fold(f) for f in split_first_names(local.first_names)]
    insi_first = [fold(f) for f in split_first_names(returned.first_names)]
    if (
        local_first
        and insi_first
        and (local_first[0] != insi_first[0] or not set(local_first) <= set(insi_first))
    ):
        out.append(
            Refusal(
                "prenoms_incoherents",
                f"Prénoms incohérents : « {' '.join(local_first)} » (local) / « {' '.join(insi_first)} » "
                "(INSi) ; le premier prénom de naissance doit être le même et chaque prénom local doit "
                "figurer dans la liste INSi.",
            )
        )
    if local.sex.strip() and local.sex.strip().upper() != returned.sex:
        out.append(
            Refusal("sexe_different", f"Sexe différent : {local.sex} (local) / {returned.sex} (INSi).")
        )
    if local.birth_date.strip() and local.birth_date.strip() != returned.birth_date.strip():
        out.append(
            Refusal(
                "date_differente",
                f"Date de naissance différente : {local.birth_date} (local) / {returned.birth_date} (INSi).",
            )
        )
    if (
        local.birth_place
        and local.birth_place.strip()
        and (returned.birth_place or "").upper() != local.birth_place.strip().upper()
    ):
        out.append(
            Refusal(
                "lieu_different",
                f"Lieu de naissance différent : {local.birth_place} (local) / {returned.birth_place} (INSi).",
            )
        )
    return out


_EMPTY_CODES = {"nom_vide": "birth_name", "prenom_vide": "first_names"}


class RepriseRefused(IdentityRuleError):
    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__(
            "reprise_refusee",
            "Données INSi non reprises : " + " ".join(r.message for r in refusals),
            {r.code: r.message for r in refusals},
        )


def attach_insi_identity(
    identity: Identity,
    *,
    matricule: str,
    oid: str,
    returned: StrictTraits,
    at: datetime,
    author: str,
) -> Identity:
    """Stores an INSi answer (CR 00) on the identity: the five traits come from INSi, the INS is
    attached, the status becomes RECUP (or QUAL with a high-trust document)."""
    blocked = may_call_insi(identity)
    if not blocked.allowed:
        raise IdentityRuleError("insi_bloque", blocked.reason or "")
    refusals = check_reprise(identity.traits, matricule=matricule, oid=oid, returned=returned)
    if refusals:
        raise RepriseRefused(refusals)
    traits = returned.in_ins_form()
    updated = replace(identity, traits=traits, ins=parse_ins(matricule, oid))
    return _traced(identity, updated, at, author, "INS récupéré par le téléservice INSi")


# --- evidence, flags -------------------------------------------------------------------------


def record_evidence(identity: Identity, evidence: IdentityEvidence, *, at: datetime, author: str) -> Identity:
    """Manual validation on a document (VALI, or QUAL with an INS, when the document is high-trust)."""
    reason = f"Identité contrôlée sur justificatif ({evidence.type_code})"
    return _traced(identity, replace(identity, evidence=evidence), at, author, reason)


def withdraw_evidence(identity: Identity, *, at: datetime, author: str, reason: str) -> Identity:
    return _traced(identity, replace(identity, evidence=None), at, author, reason)


def set_flags(
    identity: Identity,
    *,
    douteuse: bool | None = None,
    fictive: bool | None = None,
    homonyme: bool | None = None,
    at: datetime,
    author: str,
    reason: str,
) -> Identity:
    """Douteuse or fictive force PROV and drop the INS (an INS only lives on RECUP/QUAL identities)."""
    douteuse = identity.douteuse if douteuse is None else douteuse
    fictive = identity.fictive if fictive is None else fictive
    homonyme = identity.homonyme if homonyme is None else homonyme
    ins = None if (douteuse or fictive) else identity.ins
    updated = replace(identity, douteuse=douteuse, fictive=fictive, homonyme=homonyme, ins=ins)
    return _traced(identity, updated, at, author, reason)


def drop_ins(identity: Identity, *, at: datetime, author: str, reason: str) -> Identity:
    """Verification KO on a known identity (W1-INS-20): matricule and OID dropped, status downgraded."""
    return _traced(identity, replace(identity, ins=None), at, author, reason)


# --- permissions (W1-INS-16 / W1-INS-18) ------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    allowed: bool
    reason: str | None = None


def may_call_insi(identity: Identity) -> Permission:
    """A doubtful or fictitious identity must not be sent to INSi."""
    if identity.fictive:
        return Permission(False, "Identité fictive : l'appel au téléservice INSi est bloqué.")
    if identity.douteuse:
        return Permission(False, "Identité douteuse : l'appel au téléservice INSi est bloqué.")
    return Permission(True)


def may_transmit_ins(identity: Identity) -> bool:
    """Only a qualified identity may share its matricule INS and OID (otherwise traits only)."""
    return identity.status == IdentityStatus.QUAL and identity.ins is not None


def transmissible_ins(identity: Identity) -> Ins | None:
    return identity.ins if may_transmit_ins(identity) else None


# --- strict traits: lock and downgrade (W1-INS-17) --------------------------------------------


def locked_traits(identity: Identity) -> frozenset[StrictTraitName]:
    """The strict traits are locked once the identity is RECUP or QUAL (shown as such in the UI)."""
    return frozenset(STRICT_TRAITS) if identity.status in INS_STATUSES else frozenset()


@dataclass(frozen=True)
class StrictTraitChange:
    """The result of changing a strict trait, for the journal and for the UI."""

    identity: Identity
    trait: StrictTraitName
    old_value: str
    new_value: str
    was_locked: bool
    dropped_ins: Ins | None
    dropped_evidence: bool
    status_before: IdentityStatus
    status_after: IdentityStatus
    reason: str

    @property
    def changed(self) -> bool:
        return self.old_value != self.new_value

    @property
    def downgraded(self) -> bool:
        return self.status_after != self.status_before

    @property
    def needs_propagation(self) -> bool:
        """The INS was dropped: partners who received it must be told (W1-INS-17, W1-INS-23)."""
        return self.dropped_ins is not None


def _trait_value(traits: StrictTraits, trait: StrictTraitName) -> str:
    if trait == "first_names":
        return traits.first_names_list
    value = getattr(traits, trait)
    return value or ""


def change_strict_trait(
    identity: Identity,
    trait: StrictTraitName,
    value: str | Sequence[str],
    *,
    at: datetime,
    author: str,
    reason: str,
    keep_evidence: bool = False,
) -> StrictTraitChange:
    """Changes one strict trait. The INS (matricule + OID) no longer matches and is dropped; the
    document check is dropped too unless the change was made from that document (`keep_evidence`).
    On a locked identity a reason is mandatory."""
    if trait not in STRICT_TRAITS:
        raise IdentityRuleError("trait_inconnu", f"« {trait} » n'est pas un trait strict.")
    was_locked = trait in locked_traits(identity)
    if was_locked and not reason.strip():
        raise IdentityRuleError(
            "motif_obligatoire",
            f"Le {TRAIT_LABELS[trait]} est verrouillé ({identity.status.label_fr}) : "
            "indiquez le motif de la modification.",
        )
    try:
        new_traits = _with_trait(identity.traits, trait, value, at)
    except TraitsError as exc:
        raise IdentityRuleError("trait_invalide", str(exc), exc.problems) from None
    old_value, new_value = _trait_value(identity.traits, trait), _trait_value(new_traits, trait)
    before = identity.status
    if old_value == new_value:
        return StrictTraitChange(
            identity, trait, old_value, new_value, was_locked, None, False, before, before, reason
        )
    dropped_evidence = identity.evidence is not None and not keep_evidence
    updated = replace(
        identity,
        traits=new_traits,
        ins=None,
        evidence=identity.evidence if keep_evidence else None,
    )
    trace = f"Modification du {TRAIT_LABELS[trait]} : {reason}".rstrip(" :")
    updated = _traced(identity, updated, at, author, trace)
    return StrictTraitChange(
        updated,
        trait,
        old_value,
        new_value,
        was_locked,
        identity.ins,
        dropped_evidence,
        before,
        updated.status,
        reason,
    )


def _with_trait(
    traits: StrictTraits, trait: StrictTraitName, value: str | Sequence[str], at: datetime
) -> StrictTraits:
    if trait == "first_names":
        return replace(traits, first_names=ins_first_names(value))
    if not isinstance(value, str):
        raise TraitsError({trait: f"Valeur invalide pour le {TRAIT_LABELS[trait]}."})
    if trait == "birth_name":
        return replace(traits, birth_name=ins_birth_name(value))
    if trait == "sex":
        return replace(traits, sex=ins_sex(value))
    if trait == "birth_date":
        return replace(traits, birth_date=check_birth_date(value, today=at.date()))
    return replace(traits, birth_place=check_cog(value))


ComplementaryTrait = Literal["used_name", "used_first_name"]


def change_complementary_trait(identity: Identity, trait: ComplementaryTrait, value: str | None) -> Identity:
    """Used name and used first name stay editable whatever the status (no downgrade)."""
    if trait not in ("used_name", "used_first_name"):
        raise IdentityRuleError("trait_inconnu", f"« {trait} » n'est pas un trait complémentaire.")
    try:
        normalised = _used_name(value, trait)
    except TraitsError as exc:
        raise IdentityRuleError("trait_invalide", str(exc), exc.problems) from None
    if trait == "used_name":
        return replace(identity, used_name=normalised)
    return replace(identity, used_first_name=normalised)
