"""RNIV identity rules of the reference LGO: statuses, transitions and their history, creation,
reprise of INSi data, strict-trait lock and downgrade, douteuse/fictive, transmission of the INS."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from protocols.identifiers import OID_INS_NIA, OID_INS_NIR, OID_INS_NIR_TEST, nir_key, parse_ins
from reference_lgo.domain.identity import (
    REQUIRED_TRAITS,
    Identity,
    IdentityEvidence,
    IdentityRuleError,
    IdentityStatus,
    Refusal,
    RepriseRefused,
    attach_insi_identity,
    change_complementary_trait,
    change_strict_trait,
    check_reprise,
    create_identity,
    derive_status,
    drop_ins,
    locked_traits,
    may_call_insi,
    may_transmit_ins,
    record_evidence,
    set_flags,
    transmissible_ins,
    withdraw_evidence,
)
from reference_lgo.domain.identity_traits import STRICT_TRAITS, StrictTraits

AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
NUM = "1840669383041"
MATRICULE = NUM + nir_key(NUM)
INSI_TRAITS = StrictTraits("GARNIER", ("JULIEN", "MARC"), "M", "1984-06-12", "69383")
FORM = {
    "birth_name": "Garnier",
    "first_names": ["Julien", "Marc"],
    "sex": "M",
    "birth_date": "1984-06-12",
    "birth_place": "69383",
}


def new_identity(**overrides: object) -> Identity:
    return create_identity(**{**FORM, **overrides}, at=AT, author="titulaire")  # type: ignore[arg-type]


def passport(high_trust: bool = True) -> IdentityEvidence:
    kind = "passeport" if high_trust else "carte_vitale"
    return IdentityEvidence.checked(kind, at=AT, author="titulaire")


def recovered() -> Identity:
    return attach_insi_identity(
        new_identity(), matricule=MATRICULE, oid=OID_INS_NIR, returned=INSI_TRAITS, at=AT, author="titulaire"
    )


def qualified() -> Identity:
    return record_evidence(recovered(), passport(), at=LATER, author="adjoint")


# --- statuses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("via_insi", "evidence", "douteuse", "fictive", "expected"),
    [
        (False, False, False, False, IdentityStatus.PROV),
        (True, False, False, False, IdentityStatus.RECUP),
        (False, True, False, False, IdentityStatus.VALI),
        (True, True, False, False, IdentityStatus.QUAL),
        (True, True, True, False, IdentityStatus.PROV),
        (True, True, False, True, IdentityStatus.PROV),
        (False, True, True, False, IdentityStatus.PROV),
        (True, False, False, True, IdentityStatus.PROV),
    ],
)
def test_status_table(
    via_insi: bool, evidence: bool, douteuse: bool, fictive: bool, expected: IdentityStatus
) -> None:
    assert (
        derive_status(via_insi=via_insi, high_trust_evidence=evidence, douteuse=douteuse, fictive=fictive)
        == expected
    )


def test_status_labels_are_french() -> None:
    assert IdentityStatus.QUAL.label_fr == "Identité qualifiée"
    assert IdentityStatus.PROV.label_fr == "Identité provisoire"


def test_full_qualification_path_keeps_history() -> None:
    ident = new_identity()
    assert ident.status == IdentityStatus.PROV
    ident = attach_insi_identity(
        ident, matricule=MATRICULE, oid=OID_INS_NIR, returned=INSI_TRAITS, at=AT, author="preparateur"
    )
    assert ident.status == IdentityStatus.RECUP
    assert ident.matricule == MATRICULE and ident.oid == OID_INS_NIR
    ident = record_evidence(ident, passport(), at=LATER, author="titulaire")
    assert ident.status == IdentityStatus.QUAL
    steps = [(h.old, h.new, h.author) for h in ident.history]
    assert steps == [
        (None, IdentityStatus.PROV, "titulaire"),
        (IdentityStatus.PROV, IdentityStatus.RECUP, "preparateur"),
        (IdentityStatus.RECUP, IdentityStatus.QUAL, "titulaire"),
    ]
    assert ident.history[-1].at == LATER
    assert "justificatif" in ident.history[-1].reason


def test_evidence_only_gives_vali_and_low_trust_changes_nothing() -> None:
    ident = record_evidence(new_identity(), passport(high_trust=False), at=AT, author="a")
    assert ident.status == IdentityStatus.PROV
    assert len(ident.history) == 1  # no status change, no history entry
    ident = record_evidence(ident, passport(), at=AT, author="a")
    assert ident.status == IdentityStatus.VALI
    ident = withdraw_evidence(ident, at=LATER, author="b", reason="pièce expirée")
    assert ident.status == IdentityStatus.PROV
    assert ident.history[-1].reason == "pièce expirée"


def test_carte_vitale_is_not_a_high_trust_document() -> None:
    assert IdentityEvidence.checked("carte_vitale", at=AT, author="a").high_trust is False
    assert IdentityEvidence.checked("cni", at=AT, author="a").high_trust is True
    with pytest.raises(IdentityRuleError, match="inconnu"):
        IdentityEvidence.checked("carte_fidelite", at=AT, author="a")


def test_vali_plus_insi_becomes_qual() -> None:
    vali = record_evidence(new_identity(), passport(), at=AT, author="a")
    qual = attach_insi_identity(
        vali, matricule=MATRICULE, oid=OID_INS_NIR, returned=INSI_TRAITS, at=LATER, author="b"
    )
    assert qual.status == IdentityStatus.QUAL


# --- creation (W1-INS-02 / 03) ---------------------------------------------------------------


def test_exactly_the_five_traits_are_required() -> None:
    assert set(REQUIRED_TRAITS) == {"birth_name", "first_names", "sex", "birth_date", "birth_place"}
    ident = new_identity()  # no used name, no used first name, nothing else: accepted
    assert ident.status == IdentityStatus.PROV
    assert ident.traits == StrictTraits("GARNIER", ("JULIEN", "MARC"), "M", "1984-06-12", "69383")
    assert ident.history[0].reason == "Création de l'identité"


@pytest.mark.parametrize("missing", STRICT_TRAITS)
def test_each_missing_trait_blocks_creation(missing: str) -> None:
    with pytest.raises(IdentityRuleError) as err:
        new_identity(**{missing: None})
    assert err.value.code == "traits_manquants"
    assert list(err.value.problems) == [missing]
    assert str(err.value).startswith("Création impossible")


def test_blank_values_count_as_missing_and_are_all_listed() -> None:
    with pytest.raises(IdentityRuleError) as err:
        new_identity(birth_name="  ", first_names=[], sex="")
    assert set(err.value.problems) == {"birth_name", "first_names", "sex"}
    assert "nom de naissance" in str(err.value) and "sexe" in str(err.value)


def test_creation_normalises_to_ins_form_and_keeps_used_names() -> None:
    ident = new_identity(
        birth_name="de La Ferrière", first_names="Hélène  Zoé", used_name="Roche", used_first_name="Léna"
    )
    assert ident.traits.birth_name == "DE LA FERRIERE"
    assert ident.traits.first_names == ("HELENE", "ZOE")
    assert (ident.used_name, ident.used_first_name) == ("ROCHE", "LENA")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("birth_date", "1984-02-30", "calendrier"),
        ("birth_date", "12/06/1984", "AAAA-MM-JJ"),
        ("birth_date", "2030-01-01", "futur"),
        ("sex", "X", "M ou F"),
        ("birth_place", "6938", "COG"),
        ("birth_name", "GARNIER3", "caractères non autorisés"),
    ],
)
def test_creation_refuses_invalid_traits(field: str, value: str, fragment: str) -> None:
    with pytest.raises(IdentityRuleError) as err:
        new_identity(**{field: value})
    assert err.value.code == "traits_invalides"
    assert fragment in err.value.problems[field]


def test_creation_accepts_lunar_birth_dates() -> None:
    assert new_identity(birth_date="1948-00-00").traits.birth_date == "1948-00-00"
    assert new_identity(birth_date="1952-06-00").traits.birth_date == "1952-06-00"
    with pytest.raises(IdentityRuleError):
        new_identity(birth_date="1952-00-12")  # unknown month with a known day


# --- reprise of INSi data (W1-INS-11) --------------------------------------------------------


def codes(refusals: list[Refusal]) -> set[str]:
    return {r.code for r in refusals}


def test_coherent_answer_has_no_refusal_and_fills_the_traits() -> None:
    local = StrictTraits("Garnier", ("Julien",), "M", "1984-06-12", None)
    assert check_reprise(local, matricule=MATRICULE, oid=OID_INS_NIR, returned=INSI_TRAITS) == []
    ident = new_identity(first_names=["Julien"])
    got = attach_insi_identity(
        ident, matricule=MATRICULE, oid=OID_INS_NIR_TEST, returned=INSI_TRAITS, at=AT, author="a"
    )
    assert got.traits.first_names == ("JULIEN", "MARC")  # filled from INSi
    assert got.oid == OID_INS_NIR_TEST


@pytest.mark.parametrize(
    ("returned", "code"),
    [
        (replace(INSI_TRAITS, birth_date="1984-06-00"), "date_incomplete"),
        (replace(INSI_TRAITS, birth_date="1984-00-00"), "date_incomplete"),
        (replace(INSI_TRAITS, birth_name=""), "nom_vide"),
        (replace(INSI_TRAITS, first_names=()), "prenom_vide"),
        (replace(INSI_TRAITS, sex=""), "sexe_vide"),
        (replace(INSI_TRAITS, first_names=("MARC", "JULIEN")), "prenoms_incoherents"),
        (replace(INSI_TRAITS, first_names=("JULIEN", "PAUL")), "prenoms_incoherents"),
        (replace(INSI_TRAITS, sex="F"), "sexe_different"),
        (replace(INSI_TRAITS, birth_name="GARNIERE"), "nom_different"),
        (replace(INSI_TRAITS, birth_place="69381"), "lieu_different"),
    ],
)
def test_incoherent_answers_are_refused(returned: StrictTraits, code: str) -> None:
    local = StrictTraits("Garnier", ("Julien", "Marc"), "M", "1984-06-12", "69383")
    assert code in codes(check_reprise(local, matricule=MATRICULE, oid=OID_INS_NIR, returned=returned))


def test_lunar_local_identity_still_refuses_incomplete_insi_dates() -> None:
    local = StrictTraits("BENALI", ("AHMED",), "M", "1948-00-00", None)
    returned = StrictTraits("BENALI", ("AHMED",), "M", "1948-00-00", "99352")
    assert codes(check_reprise(local, matricule=MATRICULE, oid=OID_INS_NIR, returned=returned)) == {
        "date_incomplete"
    }


def test_wrong_key_and_legacy_oid_are_refused() -> None:
    local = INSI_TRAITS
    wrong_key = NUM + ("00" if nir_key(NUM) != "00" else "01")
    assert codes(check_reprise(local, matricule=wrong_key, oid=OID_INS_NIR, returned=INSI_TRAITS)) == {
        "matricule_invalide"
    }
    assert codes(
        check_reprise(local, matricule=MATRICULE, oid="1.2.250.1.213.1.4.2", returned=INSI_TRAITS)
    ) == {"oid_invalide"}


def test_attach_raises_with_every_refusal_and_leaves_identity_unchanged() -> None:
    ident = new_identity()
    with pytest.raises(RepriseRefused) as err:
        attach_insi_identity(
            ident,
            matricule=MATRICULE,
            oid=OID_INS_NIR,
            returned=replace(INSI_TRAITS, birth_date="1984-06-00", sex=""),
            at=AT,
            author="a",
        )
    assert {r.code for r in err.value.refusals} >= {"date_incomplete", "sexe_vide"}
    assert str(err.value).startswith("Données INSi non reprises")
    assert ident.ins is None and ident.status == IdentityStatus.PROV


def test_name_comparison_ignores_spaces_accents_and_apostrophes() -> None:
    local = StrictTraits("Delaferrière", ("Charles",), "M", "1955-10-11", None)
    returned = StrictTraits("DE LA FERRIERE", ("CHARLES", "HENRI"), "M", "1955-10-11", "37261")
    assert check_reprise(local, matricule=MATRICULE, oid=OID_INS_NIR, returned=returned) == []


# --- douteuse / fictive (W1-INS-16) ------------------------------------------------------------


@pytest.mark.parametrize("flag", ["douteuse", "fictive"])
def test_flag_forces_prov_drops_ins_and_blocks_insi(flag: str) -> None:
    ident = qualified()
    flagged = set_flags(ident, **{flag: True}, at=LATER, author="titulaire", reason="suspicion de fraude")
    assert flagged.status == IdentityStatus.PROV
    assert flagged.ins is None
    assert (
        flagged.history[-1].old == IdentityStatus.QUAL and flagged.history[-1].reason == "suspicion de fraude"
    )
    permission = may_call_insi(flagged)
    assert not permission.allowed and permission.reason and "bloqué" in permission.reason
    with pytest.raises(IdentityRuleError) as err:
        attach_insi_identity(
            flagged, matricule=MATRICULE, oid=OID_INS_NIR, returned=INSI_TRAITS, at=LATER, author="a"
        )
    assert err.value.code == "insi_bloque"


def test_homonyme_is_vigilance_only() -> None:
    ident = set_flags(qualified(), homonyme=True, at=LATER, author="a", reason="homonyme connu")
    assert ident.homonyme and ident.status == IdentityStatus.QUAL and may_call_insi(ident).allowed


def test_an_identity_cannot_be_built_douteuse_with_an_ins() -> None:
    with pytest.raises(IdentityRuleError):
        Identity(INSI_TRAITS, ins=parse_ins(MATRICULE, OID_INS_NIR), douteuse=True)


# --- transmission (W1-INS-18) -----------------------------------------------------------------


def test_only_qualified_identities_transmit_their_ins() -> None:
    assert not may_transmit_ins(new_identity())
    assert not may_transmit_ins(recovered())
    assert not may_transmit_ins(record_evidence(new_identity(), passport(), at=AT, author="a"))
    assert may_transmit_ins(qualified())
    assert transmissible_ins(recovered()) is None
    ins = transmissible_ins(qualified())
    assert ins is not None and ins.matricule == MATRICULE


def test_verification_ko_drops_the_ins() -> None:
    ident = drop_ins(qualified(), at=LATER, author="INSI-AUTO", reason="Vérification INSi KO")
    assert ident.ins is None and ident.status == IdentityStatus.VALI
    assert ident.history[-1].reason == "Vérification INSi KO"


# --- strict traits: lock and downgrade (W1-INS-17) -------------------------------------------


def test_strict_traits_lock_with_recup_and_qual_only() -> None:
    assert locked_traits(new_identity()) == frozenset()
    assert locked_traits(record_evidence(new_identity(), passport(), at=AT, author="a")) == frozenset()
    assert locked_traits(recovered()) == frozenset(STRICT_TRAITS)
    assert locked_traits(qualified()) == frozenset(STRICT_TRAITS)


def test_changing_a_strict_trait_of_a_qualified_identity_downgrades_it() -> None:
    ident = qualified()
    change = change_strict_trait(
        ident, "birth_name", "Garnier-Roux", at=LATER, author="titulaire", reason="erreur d'état civil"
    )
    assert change.was_locked and change.changed and change.downgraded
    assert change.dropped_ins is not None and change.dropped_ins.matricule == MATRICULE
    assert change.needs_propagation
    assert change.dropped_evidence
    assert (change.status_before, change.status_after) == (IdentityStatus.QUAL, IdentityStatus.PROV)
    assert change.identity.ins is None and change.identity.matricule is None and change.identity.oid is None
    assert change.identity.traits.birth_name == "GARNIER-ROUX"
    last = change.identity.history[-1]
    assert (last.old, last.new, last.author) == (IdentityStatus.QUAL, IdentityStatus.PROV, "titulaire")
    assert "erreur d'état civil" in last.reason and "nom de naissance" in last.reason


def test_change_made_from_the_checked_document_keeps_vali() -> None:
    change = change_strict_trait(
        qualified(),
        "first_names",
        ["Julien", "Marc", "Louis"],
        at=LATER,
        author="t",
        reason="pièce",
        keep_evidence=True,
    )
    assert change.status_after == IdentityStatus.VALI
    assert change.identity.traits.first_names == ("JULIEN", "MARC", "LOUIS")
    assert not change.dropped_evidence


def test_locked_trait_change_needs_a_reason() -> None:
    with pytest.raises(IdentityRuleError) as err:
        change_strict_trait(recovered(), "sex", "F", at=LATER, author="t", reason=" ")
    assert err.value.code == "motif_obligatoire"
    assert "verrouillé" in str(err.value)


def test_same_value_is_not_a_change() -> None:
    ident = qualified()
    change = change_strict_trait(ident, "birth_name", "garnier", at=LATER, author="t", reason="relecture")
    assert not change.changed and not change.downgraded and change.identity is ident


def test_invalid_new_value_is_refused() -> None:
    with pytest.raises(IdentityRuleError) as err:
        change_strict_trait(new_identity(), "birth_date", "1984-13-01", at=LATER, author="t", reason="")
    assert err.value.code == "trait_invalide"


def test_unlocked_change_needs_no_reason_and_keeps_prov() -> None:
    change = change_strict_trait(new_identity(), "birth_place", "69381", at=LATER, author="t", reason="")
    assert change.identity.traits.birth_place == "69381"
    assert not change.was_locked and not change.downgraded and change.dropped_ins is None


def test_complementary_traits_stay_editable_without_downgrade() -> None:
    ident = change_complementary_trait(qualified(), "used_name", "Roux")
    assert ident.used_name == "ROUX" and ident.status == IdentityStatus.QUAL
    ident = change_complementary_trait(ident, "used_first_name", None)
    assert ident.used_first_name is None
    with pytest.raises(IdentityRuleError):
        change_complementary_trait(ident, "used_name", "R0ux")


def test_nia_ins_is_kept_with_its_oid() -> None:
    num = "2930499326512"
    matricule = num + nir_key(num)
    local = StrictTraits("KOUASSI", ("AYA",), "F", "1993-04-17", None)
    returned = StrictTraits("KOUASSI", ("AYA", "GRACE"), "F", "1993-04-17", "99326")
    ident = Identity(local)
    got = attach_insi_identity(
        ident, matricule=matricule, oid=OID_INS_NIA, returned=returned, at=AT, author="a"
    )
    assert got.ins is not None and got.ins.kind == "NIA"


def test_non_ins_characters_from_insi_are_refused_once() -> None:
    local = StrictTraits("Garnier", ("Julien",), "M", "1984-06-12", None)
    bad = check_reprise(
        local, matricule=MATRICULE, oid=OID_INS_NIR, returned=replace(INSI_TRAITS, birth_place="6938")
    )
    assert codes(bad) == {"traits_non_conformes"}
    assert "COG" in bad[0].message
    empty = check_reprise(
        local, matricule=MATRICULE, oid=OID_INS_NIR, returned=replace(INSI_TRAITS, first_names=())
    )
    assert codes(empty) == {"prenom_vide"}  # not reported a second time as non-conforming
