"""protocols.identifiers: keys against the public examples of the spec digests, Corsica, OIDs,
RPPS/IdNatPS, FINESS/IdNatStruct, CIP13/GTIN-14, and French error messages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from protocols import identifiers as ids
from protocols.identifiers import Defect, IdentifierError

# INSi digest §1.9: public fixtures of padoa/tlsi-ins, their key and the key we must compute.
INSI_KEY_TABLE = [
    ("160012B020777", "13"),
    ("2360663220836", "56"),
    ("1090763220834", "89"),
    ("180032B020401", "23"),
    ("1090763220888", "35"),
]


def _defect(call: Callable[..., object], *args: object, **kwargs: object) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        call(*args, **kwargs)
    return info.value


# --- INS matricule ---------------------------------------------------------------------------


@pytest.mark.parametrize(("num13", "key"), INSI_KEY_TABLE)
def test_nir_key_matches_public_fixtures(num13: str, key: str) -> None:
    assert ids.nir_key(num13) == key
    assert ids.is_valid_ins_matricule(num13 + key)
    assert ids.validate_ins_matricule(num13 + key) == num13 + key


def test_fixture_with_wrong_key_is_rejected_and_names_the_computed_key() -> None:
    assert ids.nir_key("1810363220456") == "76"
    assert not ids.is_valid_ins_matricule("181036322045660")
    error = _defect(ids.validate_ins_matricule, "181036322045660")
    assert error.defect is Defect.WRONG_KEY
    assert "76" in str(error) and "60" in str(error)
    assert str(error).startswith("matricule INS invalide")


def test_wrong_key_fixture_loads_when_key_check_is_relaxed() -> None:
    parsed = ids.parse_ins("181036322045660", ids.OID_INS_NIR_TEST, strict_key=False)
    assert (parsed.num13, parsed.key, parsed.kind, parsed.test) == ("1810363220456", "60", "NIR", True)
    assert _defect(ids.parse_ins, "181036322045660", ids.OID_INS_NIR_TEST).defect is Defect.WRONG_KEY


def test_corsica_key_uses_19_for_2a_and_18_for_2b() -> None:
    assert ids.nir_key("160012A020777") == f"{97 - int('1600119020777') % 97:02d}"
    assert ids.nir_key("160012B020777") == f"{97 - int('1600118020777') % 97:02d}"
    assert ids.nir_key("160012A020777") != ids.nir_key("160012B020777")


def test_corsica_before_1976_uses_numeric_20() -> None:
    num13 = "1550720004123"
    assert ids.is_valid_num_identifiant(num13)
    assert ids.nir_key(num13) == f"{97 - int(num13) % 97:02d}"


def test_lower_case_corsica_letter_is_accepted_as_the_xsd_does_and_upper_cased() -> None:
    assert re.fullmatch(ids.NUM_IDENTIFIANT_PATTERN, "160012b020777")
    assert ids.validate_num_identifiant("160012b020777") == "160012B020777"
    assert ids.validate_ins_matricule("160012b02077713") == "160012B02077713"


@pytest.mark.parametrize("num13", ["160012C020777", "160013A020777", "160019B020777", "160012z020777"])
def test_letter_outside_2a_2b_is_a_corsica_defect(num13: str) -> None:
    error = _defect(ids.validate_num_identifiant, num13)
    assert error.defect is Defect.BAD_CORSICA
    assert "2A et 2B" in str(error)


@pytest.mark.parametrize(
    "num13",
    [
        "16001 B020777",
        "16001-2020777",
        "1600120207\u066377",
        "160012\u00e9020777",
        "1600120207\x0077",
        "Z600120207777",
    ],
)
def test_bad_characters_are_reported_with_their_position(num13: str) -> None:
    error = _defect(ids.validate_num_identifiant, num13)
    assert error.defect is Defect.BAD_CHARACTERS
    assert "position" in str(error)
    assert str(error).isprintable()


@pytest.mark.parametrize("value", ["", "1", "16001202077", "16001202077712", "1" * 10_000])
def test_wrong_length_of_num_identifiant(value: str) -> None:
    error = _defect(ids.validate_num_identifiant, value)
    assert error.defect is Defect.WRONG_LENGTH
    assert len(str(error)) < 200


def test_non_string_input_is_an_identifier_error() -> None:
    error = _defect(ids.validate_ins_matricule, 181036322045660)
    assert error.defect is Defect.BAD_CHARACTERS
    assert "chaîne" in str(error)
    assert isinstance(error, ValueError)


def test_split_and_join_matricule() -> None:
    assert ids.split_matricule("160012B02077713") == ("160012B020777", "13")
    assert ids.split_matricule("181036322045660") == ("1810363220456", "60")  # shape only
    assert ids.join_matricule("160012B020777") == "160012B02077713"
    assert ids.join_matricule("1810363220456", "60") == "181036322045660"
    assert _defect(ids.split_matricule, "160012B0207771X").defect is Defect.BAD_CHARACTERS
    assert _defect(ids.split_matricule, "160012B0207771").defect is Defect.WRONG_LENGTH
    assert _defect(ids.join_matricule, "160012B020777", "1").defect is Defect.WRONG_LENGTH


# --- INS OIDs --------------------------------------------------------------------------------


def test_the_four_ins_oids_and_their_kinds() -> None:
    assert set(ids.INS_OIDS) == {f"1.2.250.1.213.1.4.{n}" for n in (8, 9, 10, 11)}
    assert ids.INS_OIDS[ids.OID_INS_NIR] == "INS-NIR"
    assert ids.INS_OIDS[ids.OID_INS_NIA] == "INS-NIA"
    assert [ids.ins_oid_kind(o) for o in ids.INS_OIDS] == ["NIR", "NIA", "NIR", "NIA"]
    assert [ids.is_test_ins_oid(o) for o in ids.INS_OIDS] == [False, False, True, True]
    for kind in ("NIR", "NIA"):
        for test in (False, True):
            oid = ids.ins_oid(kind, test=test)
            assert ids.ins_oid_kind(oid) == kind and ids.is_test_ins_oid(oid) is test


@pytest.mark.parametrize(
    ("oid", "label"), [("1.2.250.1.213.1.4.2", "INS-C"), ("1.2.250.1.213.1.4.1", "INS-A")]
)
def test_legacy_oids_are_recognised_but_not_valid_ins(oid: str, label: str) -> None:
    assert not ids.is_ins_oid(oid)
    assert ids.is_legacy_ins_oid(oid)
    error = _defect(ids.ins_oid_kind, oid)
    assert error.defect is Defect.LEGACY_OID
    assert label in str(error)
    assert _defect(ids.parse_ins, "160012B02077713", oid).defect is Defect.LEGACY_OID


@pytest.mark.parametrize(
    "oid", ["1.2.250.1.213.1.4.12", "", "1.2.250.1.71.4.2.1", "urn:oid:1.2.250.1.213.1.4.8"]
)
def test_unknown_oids(oid: str) -> None:
    assert not ids.is_ins_oid(oid)
    assert _defect(ids.ins_oid_kind, oid).defect is Defect.UNKNOWN_OID


def test_parse_ins_reads_nia_from_the_oid() -> None:
    parsed = ids.parse_ins("109076322088835", ids.OID_INS_NIA)
    assert (parsed.kind, parsed.test, parsed.matricule) == ("NIA", False, "109076322088835")


# --- RPPS / IdNatPS --------------------------------------------------------------------------


def test_ans_sample_rpps_fails_luhn_but_loads_when_not_strict() -> None:
    assert not ids.rpps_is_valid("10102727017")
    assert ids.rpps_is_valid("10102727017", strict=False)
    assert _defect(ids.validate_rpps, "10102727017").defect is Defect.WRONG_KEY
    assert ids.id_nat_ps_from_rpps("10102727017", strict=False) == "810102727017"
    assert _defect(ids.id_nat_ps_from_rpps, "10102727017").defect is Defect.WRONG_KEY


def test_rpps_with_key_and_id_nat_ps() -> None:
    rpps = ids.rpps_with_key("1010272701")
    assert rpps == "10102727012"
    assert ids.rpps_is_valid(rpps)
    assert ids.id_nat_ps_from_rpps(rpps) == "810102727012"
    assert ids.rpps_is_valid("99700024450")  # test CPS card 899700024450 (digest §5)


@pytest.mark.parametrize(
    ("value", "defect"),
    [
        ("1010272701", Defect.WRONG_LENGTH),
        ("1010272701a", Defect.BAD_CHARACTERS),
        (" 1010272701", Defect.BAD_CHARACTERS),
    ],
)
def test_rpps_shape_is_checked_even_when_not_strict(value: str, defect: Defect) -> None:
    assert _defect(ids.validate_rpps, value, strict=False).defect is defect
    assert not ids.rpps_is_valid(value, strict=False)


def test_parse_id_nat_ps() -> None:
    assert ids.parse_id_nat_ps("899700024450") == ids.IdNatPs("RPPS", "99700024450")
    assert ids.parse_id_nat_ps("810102727017", strict=False).value == "810102727017"
    assert ids.parse_id_nat_ps("0751234567") == ids.IdNatPs("ADELI", "751234567")
    assert ids.parse_id_nat_ps("02A1234567").kind == "ADELI"
    error = _defect(ids.parse_id_nat_ps, "810102727017")
    assert error.defect is Defect.WRONG_KEY and str(error).startswith("IdNatPS invalide")
    assert _defect(ids.parse_id_nat_ps, "710102727012").defect is Defect.BAD_PREFIX
    assert _defect(ids.parse_id_nat_ps, "8101027270").defect is Defect.WRONG_LENGTH
    assert _defect(ids.parse_id_nat_ps, "07512345X7").defect is Defect.BAD_CHARACTERS
    assert _defect(ids.parse_id_nat_ps, "").defect is Defect.WRONG_LENGTH
    assert not ids.is_valid_id_nat_ps("810102727017")
    assert ids.is_valid_id_nat_ps("810102727017", strict=False)


# --- FINESS / IdNatStruct --------------------------------------------------------------------


@pytest.mark.parametrize(
    "finess",
    ["010000016", "010780195", "590064036", "750803447", "750712184", "970211207", "970421038", "0B0167011"],
)
def test_real_and_test_finess_numbers_are_valid(finess: str) -> None:
    assert ids.finess_is_valid(finess)
    assert ids.finess_key(finess[:8]) == finess[8]


def test_corsican_finess_key_counts_a_as_1_and_b_as_2() -> None:
    from stdnum import luhn

    assert ids.finess_key("2A000001") == luhn.calc_check_digit("21000001")
    assert ids.finess_key("2B000001") == luhn.calc_check_digit("22000001")
    corsican = "2A000001" + ids.finess_key("2A000001")
    assert ids.finess_is_valid(corsican)
    assert ids.id_nat_struct_from_finess(corsican) == "1" + corsican


@pytest.mark.parametrize(
    ("value", "defect"),
    [
        ("750803448", Defect.WRONG_KEY),
        ("75080344", Defect.WRONG_LENGTH),
        ("2C0000010", Defect.BAD_CORSICA),
        ("2a0000014", Defect.BAD_CORSICA),
        ("75080344 ", Defect.BAD_CHARACTERS),
        ("7-0803447", Defect.BAD_CHARACTERS),
        ("A50803447", Defect.BAD_CHARACTERS),
    ],
)
def test_invalid_finess(value: str, defect: Defect) -> None:
    error = _defect(ids.validate_finess, value)
    assert error.defect is defect
    assert str(error).startswith("FINESS invalide")


def test_id_nat_struct_prefixes() -> None:
    assert ids.id_nat_struct_from_finess("750803447") == "1750803447"
    assert ids.parse_id_nat_struct("1750803447") == ids.IdNatStruct(ids.StructKind.FINESS, "750803447")
    assert ids.parse_id_nat_struct("10B0167011").number == "0B0167011"  # DMP kit test structure
    assert ids.parse_id_nat_struct("2732829320").kind is ids.StructKind.SIREN
    assert ids.parse_id_nat_struct("373282932000074").kind is ids.StructKind.SIRET
    rang = ids.parse_id_nat_struct("410005531586003")  # ansforge/IG-fhir-annuaire example
    assert (rang.kind, rang.number, rang.value) == (
        ids.StructKind.RPPS_RANG,
        "10005531586003",
        "410005531586003",
    )


@pytest.mark.parametrize(
    ("value", "defect"),
    [
        ("9750803447", Defect.BAD_PREFIX),
        ("", Defect.WRONG_LENGTH),
        ("1750803448", Defect.WRONG_KEY),
        ("175080344", Defect.WRONG_LENGTH),
        ("373282932000075", Defect.WRONG_KEY),
        ("2732829321", Defect.WRONG_KEY),
        ("410005531586", Defect.WRONG_LENGTH),
        ("41000553158X003", Defect.BAD_CHARACTERS),
    ],
)
def test_invalid_id_nat_struct(value: str, defect: Defect) -> None:
    error = _defect(ids.parse_id_nat_struct, value)
    assert error.defect is defect
    assert not ids.is_valid_id_nat_struct(value)


def test_id_nat_struct_not_strict_skips_inner_keys_only() -> None:
    assert ids.is_valid_id_nat_struct("1750803448", strict=False)
    assert ids.is_valid_id_nat_struct("373282932000075", strict=False)
    assert not ids.is_valid_id_nat_struct("17508034", strict=False)
    assert not ids.is_valid_id_nat_struct("12C0000010", strict=False)


# --- CIP13 / GTIN-14 -------------------------------------------------------------------------


def test_gs1_check_digit() -> None:
    assert ids.gs1_check_digit("340091234567") == "6"  # digest mss §9 appendix F
    assert ids.gs1_check_digit("0340091234567") == "6"
    assert ids.gs1_check_digit("400638133393") == "1"
    assert ids.gs1_check_digit("00000000000000000") == "0"
    assert _defect(ids.gs1_check_digit, "").defect is Defect.WRONG_LENGTH
    assert _defect(ids.gs1_check_digit, "1" * 18).defect is Defect.WRONG_LENGTH
    assert _defect(ids.gs1_check_digit, "34009x").defect is Defect.BAD_CHARACTERS


def test_cip13_and_gtin14_round_trip() -> None:
    assert ids.is_valid_cip13("3400912345676")
    assert ids.cip13_to_gtin14("3400912345676") == "03400912345676"
    assert ids.is_valid_gtin14("03400912345676")
    assert ids.cip13_from_gtin14("03400912345676") == "3400912345676"


@pytest.mark.parametrize(
    ("value", "defect"),
    [
        ("3400912345675", Defect.WRONG_KEY),
        ("340091234567", Defect.WRONG_LENGTH),
        ("34009123456\u06636", Defect.BAD_CHARACTERS),
        ("4006381333931", Defect.BAD_PREFIX),
    ],
)
def test_invalid_cip13(value: str, defect: Defect) -> None:
    assert _defect(ids.validate_cip13, value).defect is defect
    assert _defect(ids.cip13_to_gtin14, value).defect is defect


def test_gtin14_without_cip13() -> None:
    assert ids.is_valid_gtin14("04006381333931")
    assert _defect(ids.cip13_from_gtin14, "04006381333931").defect is Defect.BAD_PREFIX
    assert _defect(ids.cip13_from_gtin14, "03400912345670").defect is Defect.WRONG_KEY


def test_every_defect_has_a_french_label() -> None:
    for defect in Defect:
        assert defect.label_fr
    assert Defect.WRONG_KEY.label_fr == "clé de contrôle incorrecte"
