"""The default world: it loads, its references resolve, its identifiers are valid, and every
situation the bench needs is present (found by data, not by id); broken worlds give French errors
that name the path and the line."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from protocols import identifiers

# Submodule imports: under a bare `pytest`, tests/scenarios/ shadows the package name `scenarios`.
from scenarios.models import Person, World
from scenarios.world import WORLDS_DIR, WorldError, check_references, list_worlds, load_world, load_world_file

# Names of the CNDA test identities visible in public code (digest INSi §1.8): never reused.
CNDA_NAMES = {
    "ADRUN",
    "CORSE",
    "AEION",
    "ARTAGNAN",
    "VINCI",
    "ECETINSI",
    "HERMAN",
    "HERMANN",
    "HOUILLES",
    "NESSI",
    "TCHITCHI",
    "ADRTROIS",
    "PROVISOIRE",
}


@pytest.fixture(scope="module")
def world() -> World:
    return load_world("default")


def _age_days(person: Person, today: date) -> int:
    year, month, day = (int(part) for part in person.birth_date.split("-"))
    return (today - date(year, month or 1, day or 1)).days


def _ins_form(written: str) -> str:
    """What the INS referential makes of a written name: uppercase, no diacritics, ligatures split."""
    text = (
        written.replace("æ", "ae").replace("Æ", "AE").replace("œ", "oe").replace("Œ", "OE").replace("’", "'")
    )
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


# --- loading and references ----------------------------------------------------------------------


def test_default_world_loads_with_enough_persons(world: World) -> None:
    assert world.name == "default"
    assert "default" in list_worlds()
    assert len(world.persons) >= 30


def test_every_reference_resolves(world: World) -> None:
    assert check_references(world) == []
    person_ids = {p.id for p in world.persons}
    for card in world.vitale_cards:
        assert card.insured_person_id in person_ids
        assert {b.person_id for b in card.beneficiaries} <= person_ids
    professional_ids = {p.id for p in world.professionals}
    for cps in world.cps_cards:
        assert world.professional(cps.professional_id).card_type == cps.card_type
    for account in world.lgo_seed.accounts:
        assert account.professional_id is None or account.professional_id in professional_ids
    for patient in world.lgo_seed.local_patients:
        assert patient.person_id is None or patient.person_id in person_ids
    assert world.vitale_card(world.default_cards.vitale).beneficiaries
    assert world.cps_card(world.default_cards.cps).card_type == "CPS"
    assert world.pharmacy(world.lgo_seed.settings.pharmacy_id).sector == "SA33"


def test_lookup_of_unknown_id_fails_in_french(world: World) -> None:
    with pytest.raises(KeyError, match="introuvable"):
        world.person("personne-inexistante")


def test_matricule_keys_are_valid_except_the_deliberate_one(world: World) -> None:
    flagged = [p for p in world.persons if p.invalid_key_from_service]
    assert len(flagged) == 1
    for person in world.persons:
        if person.matricule is None:
            continue
        assert identifiers.is_valid_ins_matricule(person.matricule) is not person.invalid_key_from_service
        for old in person.history:
            assert identifiers.is_valid_ins_matricule(old.matricule)
    matricules = [m for p in world.persons for m in [p.matricule, *(h.matricule for h in p.history)] if m]
    assert len(matricules) == len(set(matricules))
    assert world.person_by_matricule(world.persons[0].matricule or "") == world.persons[0]


def test_professional_and_pharmacy_identifiers_are_valid(world: World) -> None:
    for professional in world.professionals:
        assert identifiers.rpps_is_valid(professional.rpps)
        assert professional.id_nat_ps == "8" + professional.rpps
    for pharmacy in world.pharmacies:
        assert identifiers.finess_is_valid(pharmacy.finess)
        assert pharmacy.id_nat_struct == "1" + pharmacy.finess


def test_nir_agrees_with_the_traits(world: World) -> None:
    """Sex digit, birth year, month (20+ when unknown) and birth place (COG) are those of the traits."""
    for person in world.persons:
        if person.num13 is None:
            continue
        num13 = person.num13
        assert num13[0] == ("1" if person.sex == "M" else "2"), person.id
        year, month, _ = person.birth_date.split("-")
        assert num13[1:3] == year[2:], person.id
        if month == "00":
            assert 20 <= int(num13[3:5]) <= 42 or int(num13[3:5]) >= 50, person.id
        else:
            assert num13[3:5] == month, person.id
        assert num13[5:10] == person.birth_place, person.id


def test_documents_transliterate_to_the_ins_traits(world: World) -> None:
    for person in world.persons:
        document = person.id_document
        if document is None:
            continue
        assert _ins_form(document.birth_name) == person.birth_name, person.id
        assert [_ins_form(name) for name in document.first_names] == person.first_names, person.id
        if document.used_name:
            assert _ins_form(document.used_name) == person.used_name, person.id


def test_cnda_identities_are_not_reused(world: World) -> None:
    for person in world.persons:
        words = set(person.birth_name.replace("'", " ").replace("-", " ").split())
        assert not words & CNDA_NAMES, person.id
        assert person.situation.strip()


# --- required situations, found by data ----------------------------------------------------------


def test_homonyms_give_cr02_and_can_be_told_apart(world: World) -> None:
    by_traits: dict[tuple[str, str, str, str], list[Person]] = defaultdict(list)
    for person in world.persons:
        if person.in_insi and person.first_name:
            by_traits[(person.birth_name, person.sex, person.birth_date, person.first_name)].append(person)
    groups = [group for group in by_traits.values() if len(group) >= 2]
    assert groups, "aucun homonyme (CR 02)"
    group = max(groups, key=len)
    # Each homonym is unique once every first name and the birth place are sent.
    assert len({(p.list_prenom, p.birth_place) for p in group}) == len(group)
    # One pair is told apart by its other first names, one pair only by birth place.
    assert len({p.list_prenom for p in group}) >= 2
    assert any(
        a.list_prenom == b.list_prenom and a.birth_place != b.birth_place
        for a in group
        for b in group
        if a != b
    )


def test_corsica_births_in_2a_and_2b(world: World) -> None:
    departments = {p.num13[5:7] for p in world.persons if p.num13}
    assert {"2A", "2B"} <= departments
    for person in world.persons:
        if person.num13 and person.num13[5:7] in ("2A", "2B"):
            assert person.birth_place.startswith(person.num13[5:7])


def test_nia_person_and_born_abroad(world: World) -> None:
    assert any(p.oid == identifiers.OID_INS_NIA and p.is_nia for p in world.persons)
    assert any(p.birth_place.startswith("99") and p.oid == identifiers.OID_INS_NIR for p in world.persons)
    assert any(p.birth_place.startswith("97") for p in world.persons)
    assert any(not p.in_insi for p in world.persons), "personne inconnue de l'INSi (CR 01)"


def test_ins_history_with_one_and_two_previous_matricules(world: World) -> None:
    lengths = {len(p.history) for p in world.persons}
    assert {1, 2} <= lengths
    entries = [h for p in world.persons for h in p.history]
    assert any(h.start and h.end for h in entries)
    assert any(h.start is None and h.end is None for h in entries)


def test_names_first_names_and_accents(world: World) -> None:
    assert any(len(p.first_names) >= 3 for p in world.persons)
    names = [p.birth_name for p in world.persons]
    assert any(name.startswith("D'") for name in names)
    assert any(name.startswith("DE LA ") for name in names)
    assert any("--" in name for name in names)
    assert any("-" in name and "--" not in name for name in names)
    assert any(" " in name and not name.startswith("DE ") for name in names)
    assert any("-" in first for p in world.persons for first in p.first_names)
    assert any(p.used_name and p.used_name != p.birth_name for p in world.persons)
    assert any(p.used_first_name and p.used_first_name != p.first_name for p in world.persons)
    documents = [p.id_document for p in world.persons if p.id_document]
    assert any(not (d.birth_name + "".join(d.first_names)).isascii() for d in documents)
    local = world.lgo_seed.local_patients
    assert any(not (lp.birth_name + "".join(lp.first_names)).isascii() for lp in local)


def test_lunar_dates_old_person_and_newborn(world: World) -> None:
    dates = [p.birth_date for p in world.persons]
    assert any(d.endswith("-00") and d[5:7] != "00" for d in dates)
    assert any(d[5:7] == "00" for d in dates)
    ages = [_age_days(p, world.reference_date) for p in world.persons]
    assert max(ages) >= 100 * 365
    assert min(ages) <= 60


def test_empty_first_name_and_invalid_key(world: World) -> None:
    assert any(p.first_names == [] and p.in_insi and p.first_name is None for p in world.persons)
    flagged = next(p for p in world.persons if p.invalid_key_from_service)
    assert flagged.matricule is not None
    assert identifiers.nir_key(flagged.matricule[:13]) != flagged.key


def test_vitale_cards_family_single_and_twins(world: World) -> None:
    family = [
        c
        for c in world.vitale_cards
        if sorted(b.qualite for b in c.beneficiaries) == ["00", "02", "06", "06"]
    ]
    assert family, "carte familiale (assuré, conjoint, deux enfants)"
    assert any(len(c.beneficiaries) == 1 for c in world.vitale_cards)
    twins_found = False
    for card in world.vitale_cards:
        children = [
            b for b in card.beneficiaries if b.qualite == "06" and b.person_id != card.insured_person_id
        ]
        births = defaultdict(set)
        for child in children:
            births[world.person(child.person_id).birth_date].add(child.rang)
        twins_found |= any(ranks == {1, 2} for ranks in births.values())
    assert twins_found
    assert any(not b.nir_on_card for c in world.vitale_cards for b in c.beneficiaries)
    assert len({c.regime for c in world.vitale_cards}) >= 2
    assert world.default_cards.vitale in {c.id for c in family}


def test_cps_cards_for_each_role(world: World) -> None:
    kinds = set()
    for card in world.cps_cards:
        professional = world.professional(card.professional_id)
        kinds.add((card.card_type, professional.profession, professional.section))
        assert len(card.pin) == 4 and len(card.puk) == 8
    assert ("CPS", "21", "A") in kinds
    assert ("CPS", "21", "D") in kinds
    assert ("CPE", None, None) in kinds
    assert any(kind[0] == "CPF" for kind in kinds)


def test_lgo_seed_accounts_patients_and_registered_software(world: World) -> None:
    roles = {a.role for a in world.lgo_seed.accounts}
    assert {"titulaire", "adjoint", "preparateur", "administrateur"} <= roles
    statuses = {lp.status for lp in world.lgo_seed.local_patients}
    assert {"PROV", "VALI", "RECUP", "QUAL"} <= statuses
    typos = [
        lp
        for lp in world.lgo_seed.local_patients
        if lp.person_id
        and (
            _ins_form(lp.birth_name) != world.person(lp.person_id).birth_name
            or lp.birth_date != world.person(lp.person_id).birth_date
        )
    ]
    assert len(typos) >= 2
    software = world.lgo_seed.settings.software
    assert any(
        (s.idam, s.name, s.version) == (software.idam, software.name, software.version)
        for s in world.insi.software
    )
    assert world.insi.switches.cr01_as_fault is False


# --- broken worlds -------------------------------------------------------------------------------

DEFAULT_TEXT = (WORLDS_DIR / "default.yaml").read_text(encoding="utf-8")


def _load_variant(tmp_path: Path, text: str, name: str = "essai") -> World:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_world_file(path)


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(WorldError, match=r"ligne 3 : YAML invalide") as caught:
        _load_variant(tmp_path, "description: x\npersons:\n  - id: a: b\n")
    assert "monde « essai »" in str(caught.value)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace("    sex: M\n", "    sex: M\n    sex: F\n", 1)
    with pytest.raises(WorldError, match="clé « sex » en double"):
        _load_variant(tmp_path, text)


def test_unknown_references_name_path_and_line(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace("{person_id: bellanger-camille,", "{person_id: inconnue-x,").replace(
        "professional_id: pr-adjoint, card_type: CPS", "professional_id: pr-absent, card_type: CPS"
    )
    with pytest.raises(WorldError) as caught:
        _load_variant(tmp_path, text)
    message = str(caught.value)
    assert "2 problèmes" in message  # every problem is reported, not only the first one
    line = _line_of(text, "{person_id: inconnue-x,")
    assert (
        f"vitale_cards[0].beneficiaries[1].person_id (ligne {line}) : personne « inconnue-x » inconnue"
        in message
    )
    line = _line_of(text, "professional_id: pr-absent")
    assert f"cps_cards[1].professional_id (ligne {line}) : professionnel « pr-absent » inconnu" in message


def test_card_without_its_insured_as_beneficiary(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace("insured_person_id: blanchard-isabelle", "insured_person_id: garnier-julien")
    with pytest.raises(WorldError, match=r"vitale_cards\[1\] \(ligne \d+\) : la carte doit avoir un seul"):
        _load_variant(tmp_path, text)


def test_wrong_key_without_flag_is_refused(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace('matricule: "184066938304193"', 'matricule: "184066938304194"')
    with pytest.raises(WorldError) as caught:
        _load_variant(tmp_path, text)
    message = str(caught.value)
    assert "persons[0].matricule" in message
    assert "clé" in message and "invalid_key_from_service" in message


def test_flag_on_a_valid_key_is_refused(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace(
        '    matricule: "184066938304193"\n',
        '    matricule: "184066938304193"\n    invalid_key_from_service: true\n',
    )
    with pytest.raises(WorldError, match=r"persons\[0\]\.matricule .*est valide"):
        _load_variant(tmp_path, text)


def test_type_and_format_errors_are_french(tmp_path: Path) -> None:
    text = (
        DEFAULT_TEXT.replace('pin: "1234"', "pin: 1234")
        .replace('birth_date: "1986-02-03"', 'birth_date: "1986-02-30"')
        .replace("    sex: M\n", "    sex: X\n", 1)
        .replace('    birth_place: "69383"\n', '    birth_place: "69383"\n    couleur: bleu\n', 1)
    )
    with pytest.raises(WorldError) as caught:
        _load_variant(tmp_path, text)
    message = str(caught.value)
    assert "4 problèmes" in message
    assert "cps_cards[0].pin" in message and "doit être un texte" in message
    assert "persons[1].birth_date" in message and "inexistante au calendrier" in message
    assert "persons[0].sex" in message and "valeur « X » non permise" in message
    assert "persons[0].couleur" in message and "champ inconnu" in message


def test_role_software_and_status_rules(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace(
        "role: preparateur, display_name: Lucas Fonteneau, professional_id: pr-preparateur",
        "role: preparateur, display_name: Lucas Fonteneau, professional_id: pr-adjoint",
    ).replace("      idam: SEGURBANC-LGO-REF\n", "      idam: IDAM-NON-ENREGISTRE\n")
    with pytest.raises(WorldError) as caught:
        _load_variant(tmp_path, text)
    message = str(caught.value)
    assert "lgo_seed.accounts[2].role" in message and "carte CPE" in message
    assert "lgo_seed.settings.software.idam" in message and "l'INSi refuserait le LGO" in message

    text = DEFAULT_TEXT.replace(
        '      status: RECUP\n      matricule: "170019913902745"\n', "      status: RECUP\n"
    )
    text = text.replace(
        '      birth_place: "99139"\n      status: RECUP\n      oid: 1.2.250.1.213.1.4.8\n',
        '      birth_place: "99139"\n      status: RECUP\n',
    )
    with pytest.raises(WorldError, match=r"local_patients\[6\] .*RECUP ou QUAL"):
        _load_variant(tmp_path, text)


def test_twins_need_distinct_ranks(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace(
        '{person_id: garnier-ines, qualite: "06", rang: 2}',
        '{person_id: garnier-ines, qualite: "06", rang: 1}',
    )
    with pytest.raises(WorldError, match=r"vitale_cards\[0\]\.beneficiaries\[3\]\.rang .*même rang"):
        _load_variant(tmp_path, text)


def test_unknown_world_and_name_mismatch(tmp_path: Path) -> None:
    with pytest.raises(WorldError, match=r"mondes disponibles : .*default"):
        load_world("nexiste-pas")
    with pytest.raises(WorldError, match="nom de monde invalide"):
        load_world("../etc/passwd")
    with pytest.raises(WorldError, match="le nom doit être celui du fichier"):
        _load_variant(tmp_path, "name: autre\n" + DEFAULT_TEXT)
    with pytest.raises(WorldError, match="doit être un objet"):
        _load_variant(tmp_path, "- 1\n- 2\n")
    with pytest.raises(WorldError, match="fichier introuvable"):
        load_world_file(tmp_path / "absent.yaml")


def test_a_copy_of_the_default_world_loads_under_its_own_name(tmp_path: Path) -> None:
    world = _load_variant(tmp_path, DEFAULT_TEXT, name="officine-editeur")
    assert world.name == "officine-editeur"
    assert len(world.persons) == len(load_world().persons)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a: &x [1, 2]\nb: *x\n", "alias YAML"),
        (b"a: !!python/object/apply:os.system ['true']\n", "YAML invalide"),
        (b"description: \xff\xfe\n", "UTF-8 attendu"),
        (b"a: " + b"x" * 5_000_001, "fichier trop gros"),
    ],
)
def test_hostile_yaml_is_refused(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(raw)
    with pytest.raises(WorldError, match=expected):
        load_world_file(path)
