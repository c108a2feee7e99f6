"""Loading a world (`scenarios/worlds/<name>.yaml`) and checking the references between its sections.

The pydantic models check each record; this module checks what needs the whole world: every id a
card, account or patient points to exists, identifiers are unique, codes exist in the reference
data, roles match professionals, and the LGO's software is registered in the INSi simulator.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from scenarios.datafile import DataError, Loc, Problem, YamlDocument, problems_from_validation, read_yaml
from scenarios.models import World

WORLDS_DIR = Path(__file__).resolve().parent / "worlds"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class WorldError(DataError):
    """A world file is missing or invalid (French message listing every problem with path and line)."""


def list_worlds() -> list[str]:
    return sorted(path.stem for path in WORLDS_DIR.glob("*.yaml"))


def load_world(name: str = "default") -> World:
    """Load and fully validate `scenarios/worlds/<name>.yaml`."""
    if not _NAME.fullmatch(name):
        raise WorldError(
            f"monde « {name} »", [Problem("", "nom de monde invalide (minuscules, chiffres, - et _)")]
        )
    path = WORLDS_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(list_worlds()) or "aucun"
        raise WorldError(f"monde « {name} »", [Problem("", f"monde inconnu (mondes disponibles : {known})")])
    return load_world_file(path)


def load_world_file(path: Path) -> World:
    """Load a world from any YAML file (an editor's own world); its name is the file's stem."""
    name = path.stem
    source = f"monde « {name} » ({path.name})"
    try:
        doc = read_yaml(path, source=source)
    except DataError as exc:
        raise WorldError(source, exc.problems) from None
    return world_from_document(doc, name)


def world_from_document(doc: YamlDocument, name: str) -> World:
    if not isinstance(doc.data, dict):
        raise WorldError(doc.source, [doc.problem((), "le document doit être un objet (clé : valeur)")])
    if doc.data.get("name", name) != name:
        raise WorldError(
            doc.source, [doc.problem(("name",), f"le nom doit être celui du fichier (« {name} »)")]
        )
    try:
        world = World.model_validate({**doc.data, "name": name})
    except ValidationError as exc:
        raise WorldError(doc.source, problems_from_validation(doc, exc)) from None
    problems = [doc.problem(loc, message) for loc, message in check_references(world)]
    if problems:
        raise WorldError(doc.source, problems)
    return world


def check_references(world: World) -> list[tuple[Loc, str]]:
    """Every cross-section problem of a structurally valid world, as (location, French message)."""
    return [
        *_unique_ids(world),
        *_unique_identifiers(world),
        *_persons(world),
        *_vitale_cards(world),
        *_cps_cards(world),
        *_professionals(world),
        *_lgo_seed(world),
        *_default_cards(world),
    ]


def _duplicates(values: Iterable[str]) -> set[str]:
    return {value for value, count in Counter(values).items() if count > 1}


def _unique_ids(world: World) -> Iterator[tuple[Loc, str]]:
    sections: dict[str, list[str]] = {
        "persons": [p.id for p in world.persons],
        "vitale_cards": [c.id for c in world.vitale_cards],
        "cps_cards": [c.id for c in world.cps_cards],
        "professionals": [p.id for p in world.professionals],
        "pharmacies": [p.id for p in world.pharmacies],
    }
    for section, ids in sections.items():
        for value in _duplicates(ids):
            yield (section, ids.index(value), "id"), f"identifiant « {value} » en double dans {section}"
    patient_ids = [p.id for p in world.lgo_seed.local_patients]
    for value in _duplicates(patient_ids):
        yield (
            ("lgo_seed", "local_patients", patient_ids.index(value), "id"),
            f"identifiant « {value} » en double",
        )
    logins = [a.login for a in world.lgo_seed.accounts]
    for value in _duplicates(logins):
        yield (
            ("lgo_seed", "accounts", logins.index(value), "login"),
            f"identifiant de connexion « {value} » en double",
        )


def _unique_identifiers(world: World) -> Iterator[tuple[Loc, str]]:
    seen: dict[str, Loc] = {}
    for index, person in enumerate(world.persons):
        owned: list[tuple[Loc, str]] = []
        if person.matricule:
            owned.append((("persons", index, "matricule"), person.matricule))
        owned += [
            (("persons", index, "history", h, "matricule"), old.matricule)
            for h, old in enumerate(person.history)
        ]
        for loc, matricule in owned:
            if matricule in seen:
                yield loc, f"matricule « {matricule} » déjà attribué ({_dotted(seen[matricule])})"
            seen[matricule] = loc
    checks = [
        ("professionals", "rpps", [p.rpps for p in world.professionals], "numéro RPPS"),
        ("pharmacies", "finess", [p.finess for p in world.pharmacies], "numéro FINESS"),
        ("vitale_cards", "serial", [c.serial for c in world.vitale_cards], "numéro de série"),
        ("cps_cards", "serial", [c.serial for c in world.cps_cards], "numéro de série"),
    ]
    for section, field, values, what in checks:
        for value in _duplicates(values):
            yield (section, values.index(value), field), f"{what} « {value} » en double"


def _dotted(loc: Loc) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in loc).lstrip(".")


def _comparable(lunar: str) -> str:
    # An unknown day or month (00) sorts as the first possible one.
    year, month, day = lunar.split("-")
    return f"{year}-{month if month != '00' else '01'}-{day if day != '00' else '01'}"


def _persons(world: World) -> Iterator[tuple[Loc, str]]:
    limit = world.reference_date.isoformat()
    for index, person in enumerate(world.persons):
        if _comparable(person.birth_date) > limit:
            yield ("persons", index, "birth_date"), f"naissance après la date de référence du monde ({limit})"


def _vitale_cards(world: World) -> Iterator[tuple[Loc, str]]:
    persons = {p.id: p for p in world.persons}
    reference = world.reference
    organismes = {(o.regime, o.caisse, o.centre) for o in reference.organismes}
    for index, card in enumerate(world.vitale_cards):
        here: Loc = ("vitale_cards", index)
        insured = persons.get(card.insured_person_id)
        if insured is None:
            yield (*here, "insured_person_id"), f"personne « {card.insured_person_id} » inconnue"
        elif insured.matricule is None:
            yield (*here, "insured_person_id"), "l'assuré d'une carte Vitale doit avoir un matricule (NIR)"
        if card.regime not in reference.regimes:
            yield (*here, "regime"), f"régime « {card.regime} » absent de reference.regimes"
        if (card.regime, card.caisse, card.centre) not in organismes:
            yield (
                (*here, "caisse"),
                (f"organisme {card.regime}/{card.caisse}/{card.centre} absent de reference.organismes"),
            )
        keys: set[tuple[str, int]] = set()
        for b_index, beneficiary in enumerate(card.beneficiaries):
            b_here: Loc = (*here, "beneficiaries", b_index)
            if beneficiary.qualite not in reference.qualites:
                yield (*b_here, "qualite"), f"qualité « {beneficiary.qualite} » absente de reference.qualites"
            person = persons.get(beneficiary.person_id)
            if person is None:
                yield (*b_here, "person_id"), f"personne « {beneficiary.person_id} » inconnue"
                continue
            if beneficiary.nir_on_card and person.matricule is None:
                yield (*b_here, "nir_on_card"), "nir_on_card demande que la personne ait un matricule"
            # INSi's Vitale search tells beneficiaries apart by birth date and rang.
            key = (person.birth_date, beneficiary.rang)
            if key in keys:
                yield (*b_here, "rang"), "deux bénéficiaires avec la même date de naissance et le même rang"
            keys.add(key)


def _cps_cards(world: World) -> Iterator[tuple[Loc, str]]:
    professionals = {p.id: p for p in world.professionals}
    for index, card in enumerate(world.cps_cards):
        professional = professionals.get(card.professional_id)
        if professional is None:
            yield ("cps_cards", index, "professional_id"), f"professionnel « {card.professional_id} » inconnu"
        elif professional.card_type != card.card_type:
            yield (
                ("cps_cards", index, "card_type"),
                (
                    f"type de carte {card.card_type} différent de celui du professionnel ({professional.card_type})"
                ),
            )


def _professionals(world: World) -> Iterator[tuple[Loc, str]]:
    pharmacies = {p.id for p in world.pharmacies}
    for index, professional in enumerate(world.professionals):
        if professional.pharmacy_id is not None and professional.pharmacy_id not in pharmacies:
            yield ("professionals", index, "pharmacy_id"), f"officine « {professional.pharmacy_id} » inconnue"


def _role_problem(role: str, profession: str | None, section: str | None, card_type: str) -> str | None:
    expected = {
        "titulaire": (profession == "21" and section == "A", "un pharmacien de section A"),
        "adjoint": (profession == "21" and section == "D", "un pharmacien de section D"),
        "preparateur": (card_type == "CPE", "un porteur de carte CPE"),
        "etudiant": (card_type == "CPF", "un porteur de carte CPF"),
    }
    ok, what = expected.get(role, (True, ""))
    return None if ok else f"le rôle {role} demande {what}"


def _lgo_seed(world: World) -> Iterator[tuple[Loc, str]]:
    seed = world.lgo_seed
    professionals = {p.id: p for p in world.professionals}
    for index, account in enumerate(seed.accounts):
        here: Loc = ("lgo_seed", "accounts", index)
        if account.role == "administrateur":
            if account.professional_id is not None:
                yield (*here, "professional_id"), "un compte administrateur n'est pas lié à un professionnel"
            continue
        professional = professionals.get(account.professional_id or "")
        if professional is None:
            yield (*here, "professional_id"), f"professionnel « {account.professional_id} » inconnu"
            continue
        problem = _role_problem(
            account.role, professional.profession, professional.section, professional.card_type
        )
        if problem:
            yield (*here, "role"), problem
    if seed.settings.pharmacy_id not in {p.id for p in world.pharmacies}:
        yield ("lgo_seed", "settings", "pharmacy_id"), f"officine « {seed.settings.pharmacy_id} » inconnue"
    software = seed.settings.software
    registered = {s.idam: s for s in world.insi.software}
    entry = registered.get(software.idam)
    if entry is None:
        yield (
            ("lgo_seed", "settings", "software", "idam"),
            (f"IDAM « {software.idam} » absent du registre insi.software : l'INSi refuserait le LGO"),
        )
    elif (entry.name, entry.version) != (software.name, software.version):
        yield (
            ("lgo_seed", "settings", "software"),
            (
                f"nom/version différents de ceux enregistrés pour l'IDAM « {software.idam} » dans insi.software"
            ),
        )
    persons = {p.id: p for p in world.persons}
    for index, patient in enumerate(seed.local_patients):
        here = ("lgo_seed", "local_patients", index)
        if patient.person_id is None:
            continue
        person = persons.get(patient.person_id)
        if person is None:
            yield (*here, "person_id"), f"personne « {patient.person_id} » inconnue"
        elif patient.matricule is not None and patient.matricule != person.matricule:
            yield (*here, "matricule"), f"matricule différent de celui de la personne « {person.id} »"


def _default_cards(world: World) -> Iterator[tuple[Loc, str]]:
    if world.default_cards.vitale not in {c.id for c in world.vitale_cards}:
        yield ("default_cards", "vitale"), f"carte Vitale « {world.default_cards.vitale} » inconnue"
    if world.default_cards.cps not in {c.id for c in world.cps_cards}:
        yield ("default_cards", "cps"), f"carte CPS « {world.default_cards.cps} » inconnue"
