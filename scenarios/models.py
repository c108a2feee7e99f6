"""Pydantic models of a bench world (CONVENTIONS "World data"): persons with INS traits, Vitale and
CPS cards, professionals, pharmacies, the reference LGO's seed and the INSi simulator's settings.

Field-level checks live here (formats, identifier keys through protocols.identifiers); checks that
need the whole world (references between sections) live in scenarios.world. Every message is French
because world authors read them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from protocols import identifiers


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _checker(pattern: str, what: str) -> AfterValidator:
    regexp = re.compile(pattern)

    def check(value: str) -> str:
        if not regexp.fullmatch(value):
            raise ValueError(f"{what} invalide « {value} »")
        return value

    return AfterValidator(check)


def _lunar_date(value: str) -> str:
    """INSi "DateLunaire": YYYY-MM-DD where day or month may be 00 (unknown)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        raise ValueError(
            f"date de naissance invalide « {value} » (format AAAA-MM-JJ, 00 permis pour jour ou mois)"
        )
    year, month, day = (int(part) for part in match.groups())
    if year < 1850 or month > 12 or day > 31:
        raise ValueError(f"date de naissance invalide « {value} »")
    if month and day:
        try:
            date(year, month, day)
        except ValueError:
            raise ValueError(f"date de naissance inexistante au calendrier « {value} »") from None
    return value


def _matricule(value: str) -> str:
    # Shape only (13 chars + 2-digit key, 7th char A/B for Corsica); keys are checked by Person
    # (which allows a deliberate wrong key) and HistoricalIns.
    if not re.fullmatch(r"[1-8]\d{4}(?:\d{2}|2[AB])\d{6}\d{2}", value):
        raise ValueError(f"matricule INS invalide « {value} » (15 caractères : 13 + clé de 2 chiffres)")
    return value


def _ins_oid(value: str) -> str:
    if not identifiers.is_ins_oid(value):
        raise ValueError(f"OID INS inconnu « {value} » (attendu : {', '.join(sorted(identifiers.INS_OIDS))})")
    return value


def _rpps(value: str) -> str:
    return identifiers.validate_rpps(value)  # IdentifierError is a ValueError with a French message


def _finess(value: str) -> str:
    return identifiers.validate_finess(value)


Slug = Annotated[str, _checker(r"[a-z0-9][a-z0-9-]{0,63}", "identifiant (minuscules, chiffres, tirets)")]
# INS traits as the INS referential returns them: uppercase A-Z without diacritics, words joined by
# a space, a hyphen, a double hyphen or an apostrophe.
InsName = Annotated[
    str, _checker(r"[A-Z]+(?:(?: |-|--|')[A-Z]+)*", "nom (trait INS, majuscules sans accent)")
]
InsFirstName = Annotated[
    str, _checker(r"[A-Z]+(?:(?:-|--|')[A-Z]+)*", "prénom (trait INS, majuscules sans accent)")
]
# Names as written on an ID document or typed in an LGO: any letters (accents), same separators.
WrittenName = Annotated[str, _checker(r"[^\W\d_]+(?:(?: |-|--|'|’|\. ?)[^\W\d_]+)*\.?", "nom écrit")]
LunarDate = Annotated[str, AfterValidator(_lunar_date)]
Cog = Annotated[
    str, _checker(r"(?:\d{5}|2[AB]\d{3})", "code COG (5 caractères, commune INSEE ou pays 99xxx)")
]
Matricule = Annotated[str, AfterValidator(_matricule)]
InsOid = Annotated[str, AfterValidator(_ins_oid)]
Rpps = Annotated[str, AfterValidator(_rpps)]
Finess = Annotated[str, AfterValidator(_finess)]
Code2 = Annotated[str, _checker(r"\d{2}", "code à 2 chiffres")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Sex = Literal["M", "F"]
CardType = Literal["CPS", "CPE", "CPF", "CPA"]


def _key_problem(matricule: str) -> str | None:
    try:
        identifiers.validate_ins_matricule(matricule)
    except identifiers.IdentifierError as exc:
        return str(exc)
    return None


def _valid_key(matricule: str) -> str:
    return identifiers.validate_ins_matricule(matricule)


KeyedMatricule = Annotated[str, AfterValidator(_matricule), AfterValidator(_valid_key)]


class HistoricalIns(_Model):
    """A previous matricule (INSi INSHISTO), with optional validity dates."""

    matricule: KeyedMatricule
    oid: InsOid
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _check(self) -> HistoricalIns:
        if self.start and self.end and self.start > self.end:
            raise ValueError("période de validité inversée (start après end)")
        return self

    @property
    def num13(self) -> str:
        return self.matricule[:13]

    @property
    def key(self) -> str:
        return self.matricule[13:]


class IdDocument(_Model):
    """The identity as written on the person's ID document (accents kept)."""

    kind: Literal["cni", "passeport", "titre_sejour", "livret_famille", "acte_naissance"]
    birth_name: WrittenName
    used_name: WrittenName | None = None
    first_names: list[WrittenName]
    number: str | None = Field(default=None, max_length=40)
    valid_until: date | None = None

    @property
    def high_trust(self) -> bool:
        """RNIV high-trust device (passport, identity card, residence permit)."""
        return self.kind in ("cni", "passeport", "titre_sejour")


class Person(_Model):
    """A person of the INSi identity base: INS traits exactly as INSi returns them."""

    id: Slug
    situation: Text
    birth_name: InsName
    used_name: InsName | None = None
    first_names: list[InsFirstName]
    used_first_name: InsFirstName | None = None
    sex: Sex
    birth_date: LunarDate
    birth_place: Cog
    # Declared before `matricule` so that its validator can read it.
    invalid_key_from_service: bool = False  # the stored key is wrong on purpose (what INSi returns)
    matricule: Matricule | None = None
    oid: InsOid | None = None
    history: list[HistoricalIns] = []
    id_document: IdDocument | None = None

    @field_validator("matricule")
    @classmethod
    def _key(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        problem = _key_problem(value)
        if info.data.get("invalid_key_from_service"):
            if problem is None:
                raise ValueError(f"invalid_key_from_service est vrai mais la clé de « {value} » est valide")
        elif problem is not None:
            raise ValueError(f"{problem} (si c'est voulu, ajoutez invalid_key_from_service: true)")
        return value

    @model_validator(mode="after")
    def _check(self) -> Person:
        if (self.matricule is None) != (self.oid is None):
            raise ValueError("matricule et oid vont ensemble : les deux ou aucun")
        if self.matricule is None and (self.history or self.invalid_key_from_service):
            raise ValueError("history et invalid_key_from_service demandent un matricule")
        return self

    @property
    def num13(self) -> str | None:
        return self.matricule[:13] if self.matricule else None

    @property
    def key(self) -> str | None:
        return self.matricule[13:] if self.matricule else None

    @property
    def first_name(self) -> str | None:
        """First birth first name (INSi `Prenom`), None when the INS traits have no first name."""
        return self.first_names[0] if self.first_names else None

    @property
    def list_prenom(self) -> str:
        """INSi `ListePrenom`: birth first names separated by spaces."""
        return " ".join(self.first_names)

    @property
    def is_nia(self) -> bool:
        return self.oid in (identifiers.OID_INS_NIA, identifiers.OID_INS_NIA_TEST)

    @property
    def in_insi(self) -> bool:
        """Known to the INSi simulator (a person without matricule gets CR 01)."""
        return self.matricule is not None


class Beneficiary(_Model):
    """One beneficiary of a Vitale card. `rang` is the rang de naissance (rang gémellaire)."""

    person_id: Slug
    qualite: Code2
    rang: int = Field(default=1, ge=1, le=9)
    nir_on_card: bool = True  # the beneficiary's own NIR is written on the card


class VitaleCard(_Model):
    id: Slug
    serial: Annotated[str, _checker(r"\d{8,20}", "numéro de série de carte Vitale")]
    insured_person_id: Slug
    beneficiaries: list[Beneficiary] = Field(min_length=1)
    regime: Code2
    caisse: Annotated[str, _checker(r"\d{3}", "code caisse (3 chiffres)")]
    centre: Annotated[str, _checker(r"\d{4}", "code centre (4 chiffres)")]
    valid_from: date
    rights_start: date
    rights_end: date | None = None

    @model_validator(mode="after")
    def _check(self) -> VitaleCard:
        insured = [b for b in self.beneficiaries if b.qualite == "00"]
        if len(insured) != 1 or insured[0].person_id != self.insured_person_id:
            raise ValueError(
                "la carte doit avoir un seul bénéficiaire de qualité 00 : l'assuré (insured_person_id)"
            )
        persons = [b.person_id for b in self.beneficiaries]
        if len(set(persons)) != len(persons):
            raise ValueError("une même personne figure deux fois parmi les bénéficiaires")
        if self.rights_end and self.rights_end < self.rights_start:
            raise ValueError("droits : rights_end précède rights_start")
        return self

    def beneficiary(self, person_id: str) -> Beneficiary:
        for item in self.beneficiaries:
            if item.person_id == person_id:
                return item
        raise KeyError(f"« {person_id} » n'est pas bénéficiaire de la carte « {self.id} »")


class Professional(_Model):
    id: Slug
    rpps: Rpps
    first_name: Text
    last_name: Text
    profession: Code2 | None = None  # NOS TRE_G15: 21 pharmacien, 10 médecin; None for a préparateur
    specialty: str | None = Field(default=None, max_length=10)
    section: Literal["A", "B", "C", "D", "E", "G", "H"] | None = None  # pharmacists' roll section
    practice_mode: Literal["L", "S", "B"] | None = None  # TRE_R23: libéral, salarié, bénévole
    card_type: CardType
    pharmacy_id: Slug | None = None
    situation: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> Professional:
        if self.section and self.profession != "21":
            raise ValueError("une section de l'Ordre n'existe que pour la profession 21 (pharmacien)")
        if self.card_type == "CPE" and self.profession is not None:
            raise ValueError("une carte CPE (personnel d'établissement) n'a pas de profession de santé")
        if self.card_type in ("CPS", "CPF") and self.profession is None:
            raise ValueError(f"une carte {self.card_type} demande une profession de santé")
        return self

    @property
    def id_nat_ps(self) -> str:
        return identifiers.id_nat_ps_from_rpps(self.rpps)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CpsCard(_Model):
    id: Slug
    professional_id: Slug
    card_type: CardType
    pin: Annotated[str, _checker(r"\d{4}", "code PIN (4 chiffres)")]
    puk: Annotated[str, _checker(r"\d{8}", "code de déblocage (8 chiffres)")]
    serial: Annotated[str, _checker(r"\d{10}", "numéro de série CPS (10 chiffres)")]


class Address(_Model):
    lines: list[Text] = Field(min_length=1, max_length=4)
    postal_code: Annotated[str, _checker(r"\d{5}", "code postal")]
    city: Text


class Pharmacy(_Model):
    id: Slug
    finess: Finess
    name: Text
    address: Address
    sector: Annotated[str, _checker(r"SA\d{2}", "secteur d'activité (SAnn)")] = "SA33"

    @property
    def id_nat_struct(self) -> str:
        return identifiers.id_nat_struct_from_finess(self.finess)


class Software(_Model):
    """A software product as INSi knows it (ContexteLPS: IDAM, name, version)."""

    idam: Annotated[str, _checker(r"[A-Za-z0-9._-]{1,64}", "IDAM")]
    name: Annotated[str, _checker(r"[A-Za-z0-9._-]{1,64}", "nom de logiciel")]
    version: Annotated[str, _checker(r"[A-Za-z0-9._-]{1,32}", "version de logiciel")]


class LgoSoftware(Software):
    instance: Annotated[str, _checker(r"[A-Za-z0-9.:-]{1,64}", "instance (UUID ou OID)")]


class Account(_Model):
    login: Annotated[str, _checker(r"[a-z0-9._-]{3,32}", "identifiant de connexion")]
    password: str = Field(min_length=8, max_length=128)
    role: Literal["titulaire", "adjoint", "preparateur", "etudiant", "administrateur"]
    display_name: Text
    professional_id: Slug | None = None


class LocalPatient(_Model):
    """A patient already in the LGO's database, as typed there (accents, possibly typos)."""

    id: Slug
    situation: Text
    person_id: Slug | None = None  # the world person this record is about; None = unknown to INSi
    birth_name: WrittenName
    used_name: WrittenName | None = None
    first_names: list[WrittenName]
    sex: Sex
    birth_date: LunarDate
    birth_place: Cog | None = None
    status: Literal["PROV", "RECUP", "VALI", "QUAL"] = "PROV"
    attributes: list[Literal["douteuse", "fictive", "homonyme"]] = []
    matricule: Matricule | None = None
    oid: InsOid | None = None

    @model_validator(mode="after")
    def _check(self) -> LocalPatient:
        has_ins = self.matricule is not None
        if has_ins != (self.oid is not None):
            raise ValueError("matricule et oid vont ensemble : les deux ou aucun")
        if has_ins != (self.status in ("RECUP", "QUAL")):
            raise ValueError(
                "un INS (matricule + oid) est présent si et seulement si le statut est RECUP ou QUAL"
            )
        if {"douteuse", "fictive"} & set(self.attributes) and self.status != "PROV":
            raise ValueError("une identité douteuse ou fictive reste au statut PROV")
        return self


class LgoSettings(_Model):
    pharmacy_id: Slug
    software: LgoSoftware


class LgoSeed(_Model):
    accounts: list[Account] = Field(min_length=1)
    local_patients: list[LocalPatient] = []
    settings: LgoSettings


class InsiSwitches(_Model):
    cr01_as_fault: bool = False  # qualification quirk: "not found" answered as a SOAP fault
    test_oids: bool = False  # answer test OIDs (.10/.11) instead of production ones (.8/.9)


class InsiConfig(_Model):
    software: list[Software] = Field(min_length=1)  # registry of homologated software (IDAM)
    switches: InsiSwitches = InsiSwitches()


class Organisme(_Model):
    regime: Code2
    caisse: Annotated[str, _checker(r"\d{3}", "code caisse (3 chiffres)")]
    centre: Annotated[str, _checker(r"\d{4}", "code centre (4 chiffres)")]
    name: Text


class ReferenceData(_Model):
    """SESAM-Vitale code lists are not public: configurable reference data with plausible defaults."""

    regimes: dict[Code2, Text]
    qualites: dict[Code2, Text]
    organismes: list[Organisme] = Field(min_length=1)


class DefaultCards(_Model):
    vitale: Slug
    cps: Slug


class World(_Model):
    name: Slug
    description: Text
    reference_date: date  # the date at which the situations hold (ages: newborn, very old)
    reference: ReferenceData
    persons: list[Person] = Field(min_length=1)
    vitale_cards: list[VitaleCard] = []
    cps_cards: list[CpsCard] = []
    professionals: list[Professional] = []
    pharmacies: list[Pharmacy] = []
    lgo_seed: LgoSeed
    insi: InsiConfig
    default_cards: DefaultCards

    def person(self, person_id: str) -> Person:
        return _find(self.persons, person_id, "personne")

    def vitale_card(self, card_id: str) -> VitaleCard:
        return _find(self.vitale_cards, card_id, "carte Vitale")

    def cps_card(self, card_id: str) -> CpsCard:
        return _find(self.cps_cards, card_id, "carte CPS")

    def professional(self, professional_id: str) -> Professional:
        return _find(self.professionals, professional_id, "professionnel")

    def pharmacy(self, pharmacy_id: str) -> Pharmacy:
        return _find(self.pharmacies, pharmacy_id, "officine")

    def person_by_matricule(self, matricule: str) -> Person | None:
        """The person whose active matricule (or a previous one) is `matricule`."""
        for person in self.persons:
            if person.matricule == matricule or any(h.matricule == matricule for h in person.history):
                return person
        return None


_Item = TypeVar("_Item", Person, VitaleCard, CpsCard, Professional, Pharmacy)


def _find(items: list[_Item], item_id: str, what: str) -> _Item:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"{what} « {item_id} » introuvable dans le monde")
