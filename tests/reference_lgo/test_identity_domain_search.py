"""INS traits normalisation and the local search rules (W1-INS-01, 08, 09, 10)."""

from __future__ import annotations

import pytest

from protocols.identifiers import OID_INS_NIR, nir_key, parse_ins
from reference_lgo.domain.identity import Identity, IdentityRuleError
from reference_lgo.domain.identity_search import (
    IdentityQuery,
    first_name_matches,
    name_matches,
    parse_matricule_query,
    parse_search_date,
    search,
    search_by_birth_date,
    search_by_matricule,
)
from reference_lgo.domain.identity_traits import (
    StrictTraits,
    TraitsError,
    card_birth_date,
    check_birth_date,
    fold,
    ins_birth_name,
    ins_first_name,
    ins_first_names,
    is_lunar,
    search_key,
)

NUM = "2770431555407"
MATRICULE = NUM + nir_key(NUM)


def person(
    name: str,
    first: tuple[str, ...],
    born: str,
    *,
    used_name: str | None = None,
    used_first: str | None = None,
) -> Identity:
    return Identity(
        StrictTraits(name, first, "F", born, None), used_name=used_name, used_first_name=used_first
    )


BOYER = Identity(
    StrictTraits("BOYER", ("MARIE", "CLAIRE", "LOUISE"), "F", "1977-04-26", "31555"),
    used_first_name="CLAIRE",
    ins=parse_ins(MATRICULE, OID_INS_NIR),
)
FERRIERE = person("DE LA FERRIERE", ("CHARLES", "HENRI"), "1955-10-11")
DHALLUIN = person("D'HALLUIN", ("CLEMENCE",), "1996-01-30")
LAMBERT = person("LAMBERT-DUVAL", ("MARIE-CLAIRE", "ODILE"), "1963-02-17", used_name="MARTIN")
SAME_DAY = person("BERNARD", ("ANNE",), "1977-04-26")
PEOPLE = [BOYER, FERRIERE, DHALLUIN, LAMBERT, SAME_DAY]


# --- INS form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "ins_form"),
    [
        ("Béranger", "BERANGER"),
        ("d’Halluin", "D'HALLUIN"),
        ("de  la   Ferrière", "DE LA FERRIERE"),
        ("Lambert – Duval", "LAMBERT-DUVAL"),
        ("Mercier--Lagarde", "MERCIER--LAGARDE"),
        ("Françon", "FRANCON"),
        ("Lætitia", "LAETITIA"),
        ("Cœur", "COEUR"),
        ("Gwénaël", "GWENAEL"),
    ],
)
def test_fold_gives_the_ins_character_set(typed: str, ins_form: str) -> None:
    assert fold(typed) == ins_form


def test_birth_name_character_set() -> None:
    assert ins_birth_name("n'diaye") == "N'DIAYE"
    for bad in ("O'", "GARNIER2", "SMITH & CO", "-GARNIER", "A---B"):
        with pytest.raises(TraitsError) as err:
            ins_birth_name(bad)
        assert "non autorisés" in str(err.value)
    with pytest.raises(TraitsError, match="obligatoire"):
        ins_birth_name("   ")


def test_a_first_name_has_no_space_and_lists_are_split() -> None:
    assert ins_first_name("Jean-Baptiste") == "JEAN-BAPTISTE"
    with pytest.raises(TraitsError):
        ins_first_name("Jean Baptiste")
    assert ins_first_names("Yann Gwénaël  Loïc") == ("YANN", "GWENAEL", "LOIC")
    assert ins_first_names(["Marie Claire", "Odile"]) == ("MARIE", "CLAIRE", "ODILE")
    with pytest.raises(TraitsError, match="Au moins un prénom"):
        ins_first_names([])


@pytest.mark.parametrize("value", ["1984-06-12", "2000-02-29", "1948-00-00", "1952-06-00"])
def test_valid_birth_dates(value: str) -> None:
    assert check_birth_date(value) == value


@pytest.mark.parametrize(
    "value",
    ["1984-02-30", "1900-02-29", "1984-13-01", "0000-01-01", "1984-6-12", "12/06/1984", "1952-00-12", ""],
)
def test_invalid_birth_dates(value: str) -> None:
    with pytest.raises(TraitsError):
        check_birth_date(value)


def test_lunar_dates_and_card_dates() -> None:
    assert is_lunar("1948-00-00") and is_lunar("1952-06-00") and not is_lunar("1952-06-01")
    assert card_birth_date("19480000") == "1948-00-00"
    assert card_birth_date("1984-06-12") == "1984-06-12"
    with pytest.raises(TraitsError):
        card_birth_date("19840230")


def test_in_ins_form_reports_every_problem() -> None:
    traits = StrictTraits("Gar#nier", (), "Z", "1984-02-30", "ABCDE")
    with pytest.raises(TraitsError) as err:
        traits.in_ins_form()
    assert list(err.value.problems) == ["birth_name", "first_names", "sex", "birth_date", "birth_place"]
    ok = StrictTraits("béranger", ("héloïse noémie",), "f", "2001-12-05", "35238").in_ins_form()
    assert ok == StrictTraits("BERANGER", ("HELOISE", "NOEMIE"), "F", "2001-12-05", "35238")
    corsica = StrictTraits("SANTONI", ("PAUL",), "M", "1962-11-05", "2a004").in_ins_form()
    assert corsica.birth_place == "2A004"


# --- search normalisation (W1-INS-09) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Delaferrière", "DE LA FERRIERE"),
        ("de la ferriere", "DE LA FERRIERE"),
        ("Dhalluin", "D'HALLUIN"),
        ("d halluin", "D'HALLUIN"),
        ("lambert duval", "LAMBERT-DUVAL"),
        ("LAMBERTDUVAL", "LAMBERT-DUVAL"),
    ],
)
def test_search_key_ignores_case_accents_hyphens_apostrophes_spaces(typed: str, stored: str) -> None:
    assert search_key(typed) == search_key(stored)


def test_name_matches_birth_and_used_names_by_prefix() -> None:
    assert name_matches(FERRIERE, "delaf")
    assert name_matches(DHALLUIN, "D'Hal")
    assert name_matches(LAMBERT, "martin")  # used name
    assert not name_matches(LAMBERT, "duval")  # not a prefix of the whole name
    assert not name_matches(FERRIERE, "ferriere", prefix=False)
    assert name_matches(FERRIERE, "De La Ferrière", prefix=False)


# --- first names (W1-INS-10) -------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Marie", "claire", "LOUISE", "Marie Claire", "lou"])
def test_every_first_name_is_searched(query: str) -> None:
    assert first_name_matches(BOYER, query)


def test_used_first_name_and_compound_first_names() -> None:
    used_only = person("X", ("ANNE",), "1990-01-01", used_first="Nanou")
    assert first_name_matches(used_only, "nanou")
    assert first_name_matches(LAMBERT, "marie claire")  # compound first name, hyphen ignored
    assert first_name_matches(LAMBERT, "Odile")
    assert not first_name_matches(LAMBERT, "Claire")  # CLAIRE is only part of MARIE-CLAIRE


# --- birth date (W1-INS-01) --------------------------------------------------------------------


def test_birth_date_search_narrowed_by_name_prefixes() -> None:
    assert search_by_birth_date(PEOPLE, "26/04/1977") == [BOYER, SAME_DAY]
    assert search_by_birth_date(PEOPLE, "1977-04-26", name_prefix="bo") == [BOYER]
    assert search_by_birth_date(PEOPLE, "1977-04-26", first_name_prefix="an") == [SAME_DAY]
    assert search_by_birth_date(PEOPLE, "1977-04-26", first_name_prefix="cl") == [BOYER]
    assert search_by_birth_date(PEOPLE, "1977-04-27") == []


def test_lunar_dates_are_searchable_and_bad_dates_are_reported() -> None:
    lunar = person("BENALI", ("AHMED",), "1948-00-00")
    assert search_by_birth_date([lunar, BOYER], "00/00/1948") == [lunar]
    assert parse_search_date(" 1948-00-00 ") == "1948-00-00"
    with pytest.raises(IdentityRuleError) as err:
        search_by_birth_date(PEOPLE, "31/02/1977")
    assert err.value.code == "date_recherche_invalide"


# --- matricule (W1-INS-08) ---------------------------------------------------------------------


def test_search_by_full_matricule() -> None:
    assert search_by_matricule(PEOPLE, MATRICULE) == [BOYER]
    spaced = " ".join([MATRICULE[:1], MATRICULE[1:3], MATRICULE[3:5], MATRICULE[5:13], MATRICULE[13:]])
    assert search_by_matricule(PEOPLE, spaced) == [BOYER]
    assert parse_matricule_query(MATRICULE.lower()) == MATRICULE


def test_wrong_key_is_reported_not_ignored() -> None:
    wrong = NUM + ("00" if nir_key(NUM) != "00" else "01")
    with pytest.raises(IdentityRuleError) as err:
        search_by_matricule(PEOPLE, wrong)
    assert err.value.code == "matricule_invalide"
    assert "clé" in str(err.value)
    with pytest.raises(IdentityRuleError) as err:
        search_by_matricule(PEOPLE, NUM)
    assert err.value.code == "cle_manquante"


def test_combined_query() -> None:
    assert search(PEOPLE, IdentityQuery(name="boy", first_name="claire", sex="f")) == [BOYER]
    assert search(PEOPLE, IdentityQuery(name="boy", sex="M")) == []
    assert search(PEOPLE, IdentityQuery()) == PEOPLE
