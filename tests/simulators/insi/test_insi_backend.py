"""INSi backend: the matching rules of digest §1.12, the Vitale resolution, verification, seeding."""

from __future__ import annotations

import pytest
from insi_testkit import PERSONS, VITALE_CARDS, m15, num, seed_payload

from protocols.identifiers import OID_INS_NIA, OID_INS_NIA_TEST, OID_INS_NIR, OID_INS_NIR_TEST
from simulators.insi.models import InsiBackend, SeedError, TraitsQuery, VitaleQuery, normalise_trait


@pytest.fixture()
def backend() -> InsiBackend:
    b = InsiBackend()
    b.seed(seed_payload())
    return b


def q(name: str, first: str | tuple[str, ...], sex: str, born: str, cog: str | None = None) -> TraitsQuery:
    return TraitsQuery(name, (first,) if isinstance(first, str) else first, sex, born, cog)


def test_one_identity_is_cr00_with_traits_in_referential_form(backend: InsiBackend) -> None:
    r = backend.search_traits(q("MARTINEAU", "LUCIE", "F", "1985-04-12"))
    assert r.code == "00" and r.label == "OK"
    assert r.identity is not None and r.identity.person_id == "lucie"
    assert r.identity.first_names_list == "LUCIE ANNE MARIE"
    assert r.matricule == num("lucie")


@pytest.mark.parametrize("first", ["ANNE", "MARIE", "LUCIE ANNE MARIE", ("LUCIE", "ANNE", "MARIE")])
def test_any_birth_first_name_or_the_full_list_matches(
    backend: InsiBackend, first: str | tuple[str, ...]
) -> None:
    assert backend.search_traits(q("MARTINEAU", first, "F", "1985-04-12")).code == "00"


@pytest.mark.parametrize(
    "query",
    [
        q("MARTINEAU", "LUCIE ANNE", "F", "1985-04-12"),  # a partial list is not the list
        q("MARTINEAU", "LUCIA", "F", "1985-04-12"),
        q("MARTINEAU", "LUCIE", "M", "1985-04-12"),
        q("MARTINEAU", "LUCIE", "F", "1985-04-13"),
        q("MARTINOT", "LUCIE", "F", "1985-04-12"),
        q("MARTINEAU", "LUCIE", "F", "1985-04-12", "69123"),  # COG filter excludes
        q("FANTOME", "CASPER", "M", "1990-01-01"),  # person without INS
    ],
)
def test_no_identity_is_cr01(backend: InsiBackend, query: TraitsQuery) -> None:
    r = backend.search_traits(query)
    assert (r.code, r.label, r.identity) == ("01", "Aucune identite trouvee", None)


def test_homonyms_02_resolved_by_adding_the_other_first_names(backend: InsiBackend) -> None:
    first = backend.search_traits(q("BERNARDIN", "LEA", "F", "2001-06-03"))
    assert (first.code, first.label, first.candidates) == ("02", "Plusieurs identites trouvees", 2)
    second = backend.search_traits(q("BERNARDIN", "LEA CLAIRE", "F", "2001-06-03"))
    assert second.code == "00" and second.identity is not None and second.identity.person_id == "lea-claire"


def test_full_homonyms_02_resolved_by_the_birth_place(backend: InsiBackend) -> None:
    assert backend.search_traits(q("LEGRAND", "PAUL", "M", "1970-01-01")).code == "02"
    r = backend.search_traits(q("LEGRAND", "PAUL", "M", "1970-01-01", "13055"))
    assert r.code == "00" and r.identity is not None and r.identity.person_id == "paul-mrs"


def test_inshisto_is_kept_with_its_dates(backend: InsiBackend) -> None:
    r = backend.search_traits(q("VERGNAUD", "ETIENNE", "M", "1958-11-20"))
    assert r.identity is not None
    (old,) = r.identity.history
    assert old.matricule == m15("1581199999111")
    assert (old.start, old.end) == ("1980-01-01", "2015-06-30")


def test_oids_production_by_default_and_test_on_request(backend: InsiBackend) -> None:
    nia = backend.search_traits(q("PROVENCAL", "MATHIS", "M", "2009-07-01"))
    nir = backend.search_traits(q("MARTINEAU", "LUCIE", "F", "1985-04-12"))
    assert nia.identity is not None and nir.identity is not None
    assert nia.identity.active.oid(nia.test_oids) == OID_INS_NIA
    assert nir.identity.active.oid(nir.test_oids) == OID_INS_NIR
    summary = backend.seed({"switches": {"test_oids": True}})
    assert summary["switches"]["test_oids"] is True
    nia = backend.search_traits(q("PROVENCAL", "MATHIS", "M", "2009-07-01"))
    nir = backend.search_traits(q("MARTINEAU", "LUCIE", "F", "1985-04-12"))
    assert nia.identity is not None and nir.identity is not None
    assert nia.identity.active.oid(nia.test_oids) == OID_INS_NIA_TEST
    assert nir.identity.active.oid(nir.test_oids) == OID_INS_NIR_TEST


def test_corsica_matricule_and_cog(backend: InsiBackend) -> None:
    r = backend.search_traits(q("CASANOVA", "ORSO", "M", "1980-03-15", "2a004"))
    assert r.identity is not None
    assert r.identity.active.num == "180032A004123" and r.identity.active.key == "75"
    assert r.identity.birth_place == "2A004"


@pytest.mark.parametrize(
    ("name", "first", "sex", "born"),
    [("BENALI", "FATIMA", "F", "1950-00-00"), ("OKOYE", "CHIDI", "M", "1962-03-00")],
)
def test_lunar_dates_match_as_given(backend: InsiBackend, name: str, first: str, sex: str, born: str) -> None:
    r = backend.search_traits(q(name, first, sex, born))
    assert r.code == "00" and r.identity is not None and r.identity.birth_date == born


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("d’Alembert - Vigny", "Jean–Baptiste"),  # typographic apostrophe and dashes, spaces around
        ("D'ALEMBERT-VIGNY", "JEAN-BAPTISTE LOUIS"),
        ("  d'alembert-vigny ", "louis"),
    ],
)
def test_apostrophes_hyphens_case_and_spacing_are_normalised(
    backend: InsiBackend, name: str, first: str
) -> None:
    r = backend.search_traits(q(name, first, "M", "1977-09-09"))
    assert r.code == "00" and r.identity is not None and r.identity.person_id == "apostrophe"


def test_a_hyphen_is_not_a_space(backend: InsiBackend) -> None:
    assert backend.search_traits(q("D'ALEMBERT VIGNY", "LOUIS", "M", "1977-09-09")).code == "01"
    assert backend.search_traits(q("D'ALEMBERT-VIGNY", "JEAN BAPTISTE", "M", "1977-09-09")).code == "01"


def test_accents_and_ligatures_are_folded(backend: InsiBackend) -> None:
    assert normalise_trait("Cœur-Zoé") == "COEUR-ZOE"
    assert backend.search_traits(q("Le Goff", "Cœur", "F", "1999-02-28")).code == "00"
    assert backend.search_traits(q("LE GOFF", "Zoé", "F", "1999-02-28")).code == "00"


# ---- carte Vitale ------------------------------------------------------------------------------


def test_vitale_with_the_beneficiary_own_nir_answers_the_beneficiary(backend: InsiBackend) -> None:
    r = backend.search_vitale(
        VitaleQuery(num("parent")[:13], "2012-08-08", 1, beneficiary_num=num("enfant")[:13])
    )
    assert r.code == "00" and r.matricule == num("enfant")


def test_vitale_with_the_insured_matricule_date_and_rang(backend: InsiBackend) -> None:
    child = backend.search_vitale(VitaleQuery(num("parent")[:13], "2012-08-08", 1))
    assert child.identity is not None and child.identity.person_id == "enfant"
    twin2 = backend.search_vitale(VitaleQuery(num("parent")[:13], "2015-10-10", 2))
    assert twin2.identity is not None and twin2.identity.person_id == "jumeau2"
    insured = backend.search_vitale(VitaleQuery(num("parent"), "1980-05-05", 1))  # 15 chars accepted
    assert insured.identity is not None and insured.identity.person_id == "parent"


@pytest.mark.parametrize(
    "query",
    [
        VitaleQuery("2800559350099", "2012-08-08", 1),  # unknown insured
        VitaleQuery(num("parent")[:13], "2012-08-09", 1),  # no beneficiary born that day
        VitaleQuery(num("parent")[:13], "2015-10-10", 3),  # no such rang
        VitaleQuery(num("lucie")[:13], "1985-04-12", 1),  # an INS but no card known for it
    ],
)
def test_vitale_not_found_is_cr01(backend: InsiBackend, query: VitaleQuery) -> None:
    assert backend.search_vitale(query).code == "01"


# ---- verification -------------------------------------------------------------------------------


def test_verification_statuses(backend: InsiBackend) -> None:
    traits = q("VERGNAUD", "ETIENNE", "M", "1958-11-20")
    assert backend.verify(traits, num("histo")).status == "conforme"
    assert backend.verify(traits, m15("1581199999111")).status == "historique"
    assert backend.verify(traits, num("lucie")).status == "discordante"
    assert backend.verify(traits, None).status == "non_evaluee"
    assert backend.verify(q("LEGRAND", "PAUL", "M", "1970-01-01"), num("paul-bdx")).status == "non_trouvee"


# ---- state ----------------------------------------------------------------------------------------


def test_software_registry_seed_and_reset() -> None:
    b = InsiBackend(config={"software": [{"idam": "CONF-1", "name": "conf", "version": "1"}]})
    assert b.software("CONF-1") is not None and b.software("EDITEUR-9") is None
    b.seed({"software": [{"idam": "EDITEUR-9", "name": "mon-lgo", "version": "4.2"}]})
    registered = b.software("EDITEUR-9")
    assert registered is not None and registered.version == "4.2"
    b.reset()
    assert b.software("EDITEUR-9") is None and b.software("CONF-1") is not None


def test_config_switches_are_the_reset_baseline() -> None:
    b = InsiBackend(config={"switches": {"cr01_as_fault": True}})
    b.seed({"switches": {"cr01_as_fault": False}})
    assert b.switches.cr01_as_fault is False
    b.reset()
    assert b.switches.cr01_as_fault is True


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"persons": [{**PERSONS[0], "matricule": PERSONS[0]["matricule"][:13] + "00"}]}, "clé de contrôle"),
        ({"persons": [{**PERSONS[0], "sex": "X"}]}, "persons.0.sex"),
        ({"switches": {"cr01_as_fault": True, "typo": 1}}, "switches.typo"),
        ({"unknown": []}, "unknown"),
    ],
)
def test_bad_seed_is_refused_in_french_and_leaves_state(payload: dict, fragment: str) -> None:
    b = InsiBackend()
    b.seed(seed_payload())
    with pytest.raises(SeedError) as info:
        b.seed(payload)
    assert fragment in str(info.value)
    assert b.search_traits(q("MARTINEAU", "LUCIE", "F", "1985-04-12")).code == "00"


def test_invalid_key_allowed_only_when_declared() -> None:
    bad = PERSONS[0]["matricule"][:13] + "00"
    b = InsiBackend()
    b.seed({"persons": [{**PERSONS[0], "matricule": bad, "invalid_key_from_service": True}]})
    assert b.search_traits(q("MARTINEAU", "LUCIE", "F", "1985-04-12")).matricule == bad


def test_vitale_cards_and_persons_of_the_seed(backend: InsiBackend) -> None:
    assert len(VITALE_CARDS[0]["beneficiaries"]) == 4
    removed = backend.seed({"persons": [{**PERSONS[0], "matricule": None, "oid": None}]})
    assert removed["persons"] == 1
    assert backend.search_traits(q("MARTINEAU", "LUCIE", "F", "1985-04-12")).code == "01"


def test_a_person_without_first_name_matches_only_an_empty_first_name(backend: InsiBackend) -> None:
    r = backend.search_traits(q("SUTRISNA", (), "M", "1981-07-14"))
    assert r.code == "00" and r.identity is not None and r.identity.first_names == ()
    assert backend.search_traits(q("SUTRISNA", "BUDI", "M", "1981-07-14")).code == "01"
    assert backend.search_traits(q("MARTINEAU", (), "F", "1985-04-12")).code == "01"


def test_the_default_world_loads_and_every_ins_is_found_by_its_traits() -> None:
    from scenarios import load_world

    world = load_world("default")
    b = InsiBackend(world)
    assert b.software(world.lgo_seed.settings.software.idam) is not None
    with_ins = [p for p in world.persons if p.matricule]
    assert len(with_ins) >= 30
    for p in with_ins:
        r = b.search_traits(q(p.birth_name, tuple(p.first_names), p.sex, p.birth_date, p.birth_place))
        assert (r.code, r.matricule) == ("00", p.matricule), p.id
