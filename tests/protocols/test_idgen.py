"""protocols.idgen: valid identifiers validate, invalid ones fail for the announced defect, over many
seeds; generator parameters are honoured; a seed gives the same output."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from protocols import identifiers as ids
from protocols import idgen
from protocols.identifiers import Defect, IdentifierError

SEEDS = range(200)

VALID: list[tuple[str, Callable[[random.Random], str], Callable[[str], object]]] = [
    ("num_identifiant", idgen.num_identifiant, ids.validate_num_identifiant),
    ("nia_num_identifiant", idgen.nia_num_identifiant, ids.validate_num_identifiant),
    ("ins_matricule", idgen.ins_matricule, ids.validate_ins_matricule),
    ("rpps", idgen.rpps, ids.validate_rpps),
    ("id_nat_ps", idgen.id_nat_ps, ids.parse_id_nat_ps),
    ("finess", idgen.finess, ids.validate_finess),
    ("id_nat_struct", idgen.id_nat_struct, ids.parse_id_nat_struct),
    ("cip13", idgen.cip13, ids.validate_cip13),
    ("gtin14", idgen.gtin14, ids.cip13_from_gtin14),
]

INVALID: list[tuple[Callable[..., idgen.InvalidIdentifier], tuple[Defect, ...], Callable[[str], object]]] = [
    (idgen.invalid_num_identifiant, idgen.NUM_IDENTIFIANT_DEFECTS, ids.validate_num_identifiant),
    (idgen.invalid_ins_matricule, idgen.MATRICULE_DEFECTS, ids.validate_ins_matricule),
    (idgen.invalid_rpps, idgen.RPPS_DEFECTS, ids.validate_rpps),
    (idgen.invalid_id_nat_ps, idgen.ID_NAT_PS_DEFECTS, ids.parse_id_nat_ps),
    (idgen.invalid_finess, idgen.FINESS_DEFECTS, ids.validate_finess),
    (idgen.invalid_id_nat_struct, idgen.ID_NAT_STRUCT_DEFECTS, ids.parse_id_nat_struct),
    (idgen.invalid_cip13, idgen.PRODUCT_DEFECTS, ids.validate_cip13),
    (idgen.invalid_gtin14, idgen.PRODUCT_DEFECTS, ids.cip13_from_gtin14),
]


@pytest.mark.parametrize(("name", "generate", "validate"), VALID, ids=[v[0] for v in VALID])
def test_valid_generators_validate_over_many_seeds(
    name: str, generate: Callable[[random.Random], str], validate: Callable[[str], object]
) -> None:
    values = {generate(random.Random(seed)) for seed in SEEDS}
    for value in values:
        validate(value)
    assert len(values) > len(SEEDS) * 0.9, f"{name}: too few distinct values"


@pytest.mark.parametrize(("generate", "defects", "validate"), INVALID, ids=[i[0].__name__ for i in INVALID])
def test_invalid_generators_fail_for_the_announced_defect(
    generate: Callable[..., idgen.InvalidIdentifier],
    defects: tuple[Defect, ...],
    validate: Callable[[str], object],
) -> None:
    for defect in defects:
        for seed in SEEDS:
            sample = generate(random.Random(seed), defect)
            assert sample.defect is defect
            with pytest.raises(IdentifierError) as info:
                validate(sample.value)
            assert info.value.defect is defect, (sample, str(info.value))


@pytest.mark.parametrize(("generate", "defects", "validate"), INVALID, ids=[i[0].__name__ for i in INVALID])
def test_random_defect_choice_covers_every_defect(
    generate: Callable[..., idgen.InvalidIdentifier],
    defects: tuple[Defect, ...],
    validate: Callable[[str], object],
) -> None:
    seen = set()
    for seed in SEEDS:
        sample = generate(random.Random(seed))
        with pytest.raises(IdentifierError) as info:
            validate(sample.value)
        assert info.value.defect is sample.defect
        seen.add(sample.defect)
    assert seen == set(defects)


def test_defect_can_be_named_by_its_code_and_unavailable_ones_are_refused() -> None:
    sample = idgen.invalid_ins_matricule(random.Random(1), "wrong_key")
    assert sample.defect is Defect.WRONG_KEY and sample.identifier == "ins_matricule"
    with pytest.raises(ValueError, match="non disponible"):
        idgen.invalid_rpps(random.Random(1), Defect.BAD_CORSICA)
    with pytest.raises(ValueError, match="au choix"):
        idgen.invalid_finess(random.Random(1), "no_such_defect")


def test_same_seed_same_identifiers() -> None:
    def batch(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [idgen.ins_matricule(rng), idgen.rpps(rng), idgen.finess(rng), idgen.gtin14(rng)]

    assert batch(42) == batch(42)
    assert batch(42) != batch(43)


def test_nir_traits_are_placed_where_the_nir_structure_says() -> None:
    num13 = idgen.num_identifiant(random.Random(3), sex="F", birth_year=1990, birth_month=7, department="2A")
    assert num13[:5] == "29007" and num13[5:7] == "2A"
    male = idgen.num_identifiant(random.Random(3), sex="M", birth_year=2004, birth_month=12, department="75")
    assert male[:7] == "1041275"


@pytest.mark.parametrize("department", idgen.OVERSEAS_DEPARTMENTS)
def test_overseas_birth_place_has_three_digit_department(department: str) -> None:
    for seed in range(20):
        num13 = idgen.num_identifiant(random.Random(seed), department=department)
        assert num13[5:8] == department
        ids.validate_num_identifiant(num13)


def test_born_abroad_and_nia() -> None:
    num13 = idgen.nia_num_identifiant(random.Random(5))
    assert num13[5:7] == "99" and 100 <= int(num13[7:10]) <= 499
    matricule, oid = idgen.ins(random.Random(5), nia=True, test=True)
    assert oid == ids.OID_INS_NIA_TEST
    assert ids.parse_ins(matricule, oid).kind == "NIA"
    assert idgen.ins(random.Random(5))[1] == ids.OID_INS_NIR


def test_corsica_letters_only_for_births_from_1976() -> None:
    before = {idgen.num_identifiant(random.Random(s), birth_year=1960)[5:7] for s in range(400)}
    after = {idgen.num_identifiant(random.Random(s), birth_year=1990)[5:7] for s in range(400)}
    assert not before & {"2A", "2B"} and "20" in before
    assert {"2A", "2B"} <= after and "20" not in after


def test_generator_parameters_are_checked_with_french_messages() -> None:
    with pytest.raises(ValueError, match="département"):
        idgen.num_identifiant(random.Random(0), department="2C")
    with pytest.raises(ValueError, match="sexe"):
        idgen.num_identifiant(random.Random(0), sex="X")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="département"):
        idgen.finess(random.Random(0), department="98")


def test_corsican_and_overseas_finess() -> None:
    for seed in range(50):
        for department in ("2A", "2B", "97"):
            value = idgen.finess(random.Random(seed), department=department)
            assert value.startswith(department) and ids.finess_is_valid(value)
            assert ids.parse_id_nat_struct("1" + value).number == value


def test_valid_product_codes_are_french_medicines() -> None:
    for seed in range(50):
        gtin = idgen.gtin14(random.Random(seed))
        assert gtin.startswith("034009")
        assert ids.cip13_to_gtin14(ids.cip13_from_gtin14(gtin)) == gtin
