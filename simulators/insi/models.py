"""INSi simulator state and operations: the identity base, the registry of homologated software
(IDAM) and the behaviour switches, behind one backend class whose methods are the operations.

Matching follows the spec digest §1.12: exact normalised birth name + sex + birth date, the
requested first name equal to one of the birth first names or to the whole list, an optional COG
filter; 0 identity -> CR 01, 1 -> 00, several -> 02.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from protocols.identifiers import (
    OID_INS_NIA,
    OID_INS_NIA_TEST,
    OID_INS_NIR,
    OID_INS_NIR_TEST,
    is_valid_ins_matricule,
)
from simulators.core.problems import validation_detail

CodeCR = Literal["00", "01", "02"]
LIBELLES_CR: dict[str, str] = {
    "00": "OK",
    "01": "Aucune identite trouvee",
    "02": "Plusieurs identites trouvees",
}
_NIA_OIDS = {OID_INS_NIA, OID_INS_NIA_TEST}
_MATRICULE15 = re.compile(r"^\d{6}[0-9AB]\d{8}$")

# Typographic variants that users and word processors produce for the INS punctuation.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})
_LIGATURES = {"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS"}


def normalise_trait(value: str) -> str:
    """The comparison form of a name or first name: uppercase without diacritics, typographic
    apostrophes and dashes folded to ASCII, whitespace collapsed, no space around ' or -.
    A hyphen stays distinct from a space: the INS traits are compared exactly otherwise."""
    for ligature, letters in _LIGATURES.items():
        value = value.replace(ligature, letters)
    value = value.translate(_APOSTROPHES).translate(_DASHES)
    value = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    value = " ".join(value.upper().split())
    return re.sub(r"\s*([-'])\s*", r"\1", value)


@dataclass(frozen=True)
class InsNumber:
    """One INS (NIR or NIA) as INSi returns it: 13 characters + key, OID kind and validity dates."""

    num: str  # 13 characters (Corsica: 2A / 2B)
    key: str  # 2 digits
    nia: bool = False
    start: str | None = None  # YYYY-MM-DD
    end: str | None = None
    type_matricule: str | None = None

    @property
    def matricule(self) -> str:
        return self.num + self.key

    def oid(self, test: bool) -> str:
        if self.nia:
            return OID_INS_NIA_TEST if test else OID_INS_NIA
        return OID_INS_NIR_TEST if test else OID_INS_NIR


@dataclass(frozen=True)
class Identity:
    """One person of the INSi base: the INS traits in référentiel form, the active INS and history."""

    person_id: str
    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str  # YYYY-MM-DD, lunar dates (00 day or month) allowed
    birth_place: str  # COG, 5 characters
    active: InsNumber
    history: tuple[InsNumber, ...] = ()

    @property
    def first_names_list(self) -> str:
        return " ".join(self.first_names)


@dataclass(frozen=True)
class VitaleBeneficiary:
    person_id: str
    rang: int


@dataclass(frozen=True)
class VitaleCard:
    """The keys a carte Vitale gives to a search: the insured's matricule and the beneficiaries."""

    card_id: str
    insured_person_id: str
    beneficiaries: tuple[VitaleBeneficiary, ...]


@dataclass(frozen=True)
class Software:
    """A homologated LPS (CNDA authorisation number = IDAM)."""

    idam: str
    name: str
    version: str


@dataclass
class Switches:
    cr01_as_fault: bool = False  # qualification quirk: "not found" answered as a SOAP fault (§1.6)
    test_oids: bool = False  # answer test OIDs (.10 / .11) instead of production ones (.8 / .9)


@dataclass(frozen=True)
class TraitsQuery:
    """A RECSANSVITALE request, as sent (values are normalised by the matching, not here)."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None = None


@dataclass(frozen=True)
class VitaleQuery:
    """A RECVITALE request: insured matricule (ouvrant droit), optional beneficiary NIR, date, rang."""

    insured_num: str
    birth_date: str
    rang: int
    beneficiary_num: str | None = None
    birth_name: str | None = None


@dataclass(frozen=True)
class SearchResult:
    code: CodeCR
    identity: Identity | None = None
    candidates: int = 0
    test_oids: bool = False

    @property
    def label(self) -> str:
        return LIBELLES_CR[self.code]

    @property
    def matricule(self) -> str | None:
        return self.identity.active.matricule if self.identity else None


VerificationStatus = Literal["conforme", "historique", "discordante", "non_trouvee", "non_evaluee"]


@dataclass(frozen=True)
class VerificationResult:
    """A verification = a traits search whose answer is compared with the INS the LPS holds."""

    search: SearchResult
    status: VerificationStatus
    checked_matricule: str | None

    @property
    def message(self) -> str:
        return _VERIFICATION_MESSAGES[self.status]


_VERIFICATION_MESSAGES: dict[str, str] = {
    "conforme": "L'INS détenu correspond à l'INS actif renvoyé par INSi.",
    "historique": "L'INS détenu est un INS historique : l'INS actif a changé.",
    "discordante": "L'INS détenu ne correspond pas à l'identité renvoyée par INSi.",
    "non_trouvee": "La recherche par traits ne renvoie pas une identité unique : vérification en échec.",
    "non_evaluee": "Aucun INS à vérifier n'a été transmis : seule la recherche a été effectuée.",
}


class SeedError(ValueError):
    """A seed payload or world section the simulator cannot load (message in French)."""


# ---- seed payload schema (control plane) ---------------------------------------------------------


class _HistoryIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    matricule: str
    oid: str | None = None
    start: date | None = None
    end: date | None = None
    type_matricule: str | None = None


class PersonIn(BaseModel):
    """A person as the seed payload and the world describe it (extra world fields ignored)."""

    model_config = ConfigDict(extra="ignore")
    id: str
    birth_name: str
    first_names: list[str] = Field(default_factory=list)  # the referential has persons without one
    sex: Literal["M", "F"]
    birth_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    birth_place: str = Field(pattern=r"^[A-Za-z0-9]{5}$")
    matricule: str | None = None
    oid: str | None = None
    history: list[_HistoryIn] = Field(default_factory=list)
    # CNDA-style fixtures contain keys that do not verify (digest §1.9): allowed only when said so.
    invalid_key_from_service: bool = False


class _BeneficiaryIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    person_id: str
    rang: int = 1


class VitaleCardIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    insured_person_id: str
    beneficiaries: list[_BeneficiaryIn] = Field(default_factory=list)


class SoftwareIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    idam: str = Field(min_length=1, max_length=64)
    name: str = ""
    version: str = ""


class SwitchesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cr01_as_fault: bool | None = None
    test_oids: bool | None = None


class SeedPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    software: list[SoftwareIn] = Field(default_factory=list)
    persons: list[PersonIn] = Field(default_factory=list)
    vitale_cards: list[VitaleCardIn] = Field(default_factory=list)
    switches: SwitchesIn | None = None


def _ins_number(
    matricule: str,
    oid: str | None,
    *,
    key_may_fail: bool = False,
    start: date | None = None,
    end: date | None = None,
    type_matricule: str | None = None,
) -> InsNumber:
    matricule = matricule.strip().upper()
    if not _MATRICULE15.match(matricule):
        raise SeedError(f"matricule INS « {matricule} » : 15 caractères attendus (13 + clé)")
    if not key_may_fail and not is_valid_ins_matricule(matricule):
        raise SeedError(f"matricule INS « {matricule} » : clé de contrôle invalide")
    return InsNumber(
        num=matricule[:13],
        key=matricule[13:],
        nia=oid in _NIA_OIDS,
        start=start.isoformat() if start else None,
        end=end.isoformat() if end else None,
        type_matricule=type_matricule,
    )


def identity_from(person: PersonIn) -> Identity | None:
    """The INSi view of a person; None when the person has no INS (unknown to the service)."""
    if not person.matricule:
        return None
    active = _ins_number(person.matricule, person.oid, key_may_fail=person.invalid_key_from_service)
    history = tuple(
        _ins_number(h.matricule, h.oid, start=h.start, end=h.end, type_matricule=h.type_matricule)
        for h in person.history
    )
    return Identity(
        person_id=person.id,
        birth_name=normalise_trait(person.birth_name),
        first_names=tuple(normalise_trait(f) for f in person.first_names),
        sex=person.sex,
        birth_date=person.birth_date,
        birth_place=person.birth_place.upper(),
        active=active,
        history=history,
    )


def _as_dict(obj: Any) -> dict[str, Any]:
    """World objects are pydantic models; seeds are plain mappings."""
    if isinstance(obj, Mapping):
        return dict(obj)
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        result = dump()
        if isinstance(result, dict):
            return result
    raise SeedError(f"objet de monde illisible : {type(obj).__name__}")


@dataclass
class _State:
    identities: dict[str, Identity] = field(default_factory=dict)
    cards: list[VitaleCard] = field(default_factory=list)
    software: dict[str, Software] = field(default_factory=dict)
    switches: Switches = field(default_factory=Switches)


class InsiBackend:
    """The INSi service: its state and its three operations (search_traits, search_vitale, verify).

    The initial state comes from the world (persons, vitale_cards, its `insi` section) and the
    service configuration (`software`, `switches`); `seed()` adds to it and `reset()` returns to it.
    """

    def __init__(self, world: Any = None, config: Mapping[str, Any] | None = None) -> None:
        self._world = world
        self._config = dict(config or {})
        self._lock = threading.Lock()
        self._state = _State()
        self._baseline: _State | None = None
        self.reset()

    # ---- state --------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the initial state (built once: the world is validated at start, not per scenario)."""
        if self._baseline is None:
            self._baseline = self._initial_state()
        with self._lock:
            self._state = self._copy(self._baseline)

    def _initial_state(self) -> _State:
        state = _State()
        baseline: dict[str, Any] = {"persons": [], "vitale_cards": [], "software": []}
        if self._world is not None:
            baseline["persons"] = [_as_dict(p) for p in getattr(self._world, "persons", None) or []]
            baseline["vitale_cards"] = [_as_dict(c) for c in getattr(self._world, "vitale_cards", None) or []]
            section = getattr(self._world, "insi", None)
            if section is not None:
                section_d = _as_dict(section)
                baseline["software"] += list(section_d.get("software") or [])
                baseline["switches"] = section_d.get("switches")
        baseline["software"] += list(self._config.get("software") or [])
        self._apply(state, baseline)
        if self._config.get("switches"):
            self._apply(state, {"switches": self._config["switches"]})
        return state

    @staticmethod
    def _copy(state: _State) -> _State:
        return replace(
            state,
            identities=dict(state.identities),
            cards=list(state.cards),
            software=dict(state.software),
            switches=replace(state.switches),
        )

    def seed(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Add software, persons, Vitale cards and set switches; returns a summary."""
        with self._lock:
            state = self._copy(self._state)
            counts = self._apply(state, payload)
            self._state = state
        return {
            **counts,
            "switches": {
                "cr01_as_fault": state.switches.cr01_as_fault,
                "test_oids": state.switches.test_oids,
            },
        }

    @staticmethod
    def _apply(state: _State, payload: Mapping[str, Any]) -> dict[str, int]:
        try:
            seed = SeedPayload.model_validate({k: v for k, v in payload.items() if v is not None})
        except ValidationError as exc:
            detail = validation_detail(list(exc.errors())).removeprefix("Requête invalide : ")
            raise SeedError(f"données d'amorçage INSi invalides : {detail}") from None
        for sw in seed.software:
            state.software[sw.idam] = Software(idam=sw.idam, name=sw.name, version=sw.version)
        for person in seed.persons:
            identity = identity_from(person)
            if identity is None:
                state.identities.pop(person.id, None)
            else:
                state.identities[person.id] = identity
        for card in seed.vitale_cards:
            state.cards = [c for c in state.cards if c.card_id != card.id]
            state.cards.append(
                VitaleCard(
                    card_id=card.id,
                    insured_person_id=card.insured_person_id,
                    beneficiaries=tuple(VitaleBeneficiary(b.person_id, b.rang) for b in card.beneficiaries),
                )
            )
        if seed.switches is not None:
            if seed.switches.cr01_as_fault is not None:
                state.switches.cr01_as_fault = seed.switches.cr01_as_fault
            if seed.switches.test_oids is not None:
                state.switches.test_oids = seed.switches.test_oids
        return {
            "software": len(seed.software),
            "persons": len(seed.persons),
            "vitale_cards": len(seed.vitale_cards),
        }

    @property
    def switches(self) -> Switches:
        return self._state.switches

    def software(self, idam: str) -> Software | None:
        return self._state.software.get(idam.strip())

    def identity(self, person_id: str) -> Identity | None:
        return self._state.identities.get(person_id)

    # ---- operations ---------------------------------------------------------------------------

    def search_traits(self, query: TraitsQuery) -> SearchResult:
        """rechercherInsAvecTraitsIdentite."""
        state = self._state
        name = normalise_trait(query.birth_name)
        requested = normalise_trait(" ".join(f for f in query.first_names if f.strip()))
        cog = query.birth_place.strip().upper() if query.birth_place else None
        found = [
            ident
            for ident in state.identities.values()
            if ident.birth_name == name
            and ident.sex == query.sex
            and ident.birth_date == query.birth_date
            and (requested in ident.first_names or requested == ident.first_names_list)
            and (cog is None or ident.birth_place == cog)
        ]
        return self._result(found, state.switches)

    def search_vitale(self, query: VitaleQuery) -> SearchResult:
        """rechercherInsAvecCarteVitale: the card is only a key; the answer is the beneficiary's INS."""
        state = self._state
        found: list[Identity] = []
        if query.beneficiary_num:
            own = self._by_number(state, query.beneficiary_num)
            if own is not None and own.birth_date == query.birth_date:
                found = [own]
        if not found:
            insured = self._by_number(state, query.insured_num)
            if insured is not None:
                for card in state.cards:
                    if card.insured_person_id != insured.person_id:
                        continue
                    for ben in card.beneficiaries:
                        ident = state.identities.get(ben.person_id)
                        if (
                            ident is not None
                            and ben.rang == query.rang
                            and ident.birth_date == query.birth_date
                            and ident not in found
                        ):
                            found.append(ident)
        return self._result(found, state.switches)

    def verify(self, query: TraitsQuery, matricule: str | None) -> VerificationResult:
        """verifierIns (logical operation): a traits search compared with the INS the LPS holds."""
        search = self.search_traits(query)
        checked = matricule.strip().upper() if matricule else None
        status: VerificationStatus
        if checked is None:
            status = "non_evaluee"
        elif search.identity is None:
            status = "non_trouvee"
        elif checked == search.identity.active.matricule:
            status = "conforme"
        elif checked in {h.matricule for h in search.identity.history}:
            status = "historique"
        else:
            status = "discordante"
        return VerificationResult(search=search, status=status, checked_matricule=checked)

    @staticmethod
    def _by_number(state: _State, number: str) -> Identity | None:
        """The person whose active (then historical) INS has these 13 characters (key optional)."""
        num = number.strip().upper()[:13]
        for ident in state.identities.values():
            if ident.active.num == num:
                return ident
        for ident in state.identities.values():
            if any(h.num == num for h in ident.history):
                return ident
        return None

    @staticmethod
    def _result(found: list[Identity], switches: Switches) -> SearchResult:
        if not found:
            return SearchResult(code="01", test_oids=switches.test_oids)
        if len(found) > 1:
            return SearchResult(code="02", candidates=len(found), test_oids=switches.test_oids)
        return SearchResult(code="00", identity=found[0], candidates=1, test_oids=switches.test_oids)
