"""The §1.8 traits-search algorithm, the Vitale search and the verification, against a scripted
transport: which calls are made, in which order, and what is kept of each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from protocols.identifiers import OID_INS_NIR, OID_INS_NIR_TEST, nir_key
from reference_lgo.clients.insi import (
    HttpAnswer,
    InsiClient,
    InsiExchange,
    InsiFault,
    InsiRequestRefused,
    InsiSettings,
    InsiUnavailable,
    LpsSoftware,
    TlsCredential,
    VitaleBeneficiary,
)
from reference_lgo.domain.identity_traits import StrictTraits

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
RECSANS = "http://www.cnamts.fr/INSiRecSans"
NUM = "1750359350121"
MATRICULE = NUM + nir_key(NUM)
OLD = "1750359350999"
OLD_MATRICULE = OLD + nir_key(OLD)
LEFEBVRE = StrictTraits("Lefebvre", ("Nicolas", "André"), "M", "1975-03-14", "59350")


def identity_xml(
    matricule: str = MATRICULE, oid: str = OID_INS_NIR, first: str = "NICOLAS ANDRE", history: str = ""
) -> str:
    return (
        "<INDIVIDU><INSACTIF><IdIndividu>"
        f"<NumIdentifiant>{matricule[:13]}</NumIdentifiant><Cle>{matricule[13:]}</Cle></IdIndividu>"
        f"<OID>{oid}</OID></INSACTIF>{history}<TIQ><NomNaissance>LEFEBVRE</NomNaissance>"
        f"<Prenom>{first.split()[0]}</Prenom><ListePrenom>{first}</ListePrenom><Sexe>M</Sexe>"
        "<DateNaissance>1975-03-14</DateNaissance><LieuNaissance>59350</LieuNaissance></TIQ></INDIVIDU>"
    )


Reply = Callable[[bytes], HttpAnswer]


def cr(code: str, individu: str = "") -> Reply:
    labels = {"00": "OK", "01": "Aucune identite trouvee", "02": "Plusieurs identites trouvees"}

    def reply(request: bytes) -> HttpAnswer:
        mid = etree.fromstring(request).findtext(f"{{{SOAP}}}Header/{{{WSA}}}MessageID")
        body = (
            f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Header><wsa:RelatesTo xmlns:wsa="{WSA}">{mid}'
            f'</wsa:RelatesTo></soap:Header><soap:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat">'
            f"<CR><CodeCR>{code}</CodeCR><LibelleCR>{labels[code]}</LibelleCR></CR>{individu}</RESULTAT>"
            "</soap:Body></soap:Envelope>"
        )
        return HttpAnswer(200, "application/soap+xml", body.encode())

    return reply


def found(**kw: str) -> Reply:
    return cr("00", identity_xml(**kw))


def fault(code: str, detail: str) -> Reply:
    def reply(request: bytes) -> HttpAnswer:
        body = (
            f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:{code}'
            '</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="fr">Refus</soap:Text></soap:Reason>'
            f'<soap:Detail><siram:Erreur xmlns:siram="urn:siram" code="{detail}" severite="erreur">x</siram:Erreur>'
            "</soap:Detail></soap:Fault></soap:Body></soap:Envelope>"
        )
        return HttpAnswer(400 if code == "Sender" else 500, "application/soap+xml", body.encode())

    return reply


def outage(request: bytes) -> HttpAnswer:
    raise InsiUnavailable("coupure", "La connexion au téléservice INSi a été interrompue avant la réponse.")


class ScriptedTransport:
    endpoint = "https://insi.test/lps"

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.sent: list[tuple[str, bytes, str]] = []

    def post(self, credential: TlsCredential, body: bytes, action: str) -> HttpAnswer:
        self.sent.append((credential.label, body, action))
        assert self.replies, "appel INSi non prévu par le scénario"
        return self.replies.pop(0)(body)

    def close(self) -> None:
        pass

    def prenoms(self) -> list[tuple[list[str], str | None]]:
        """(Prenom texts, LieuNaissance) of every traits request sent."""
        out = []
        for _, body, _ in self.sent:
            root = etree.fromstring(body)
            rec = root.find(f"{{{SOAP}}}Body/{{{RECSANS}}}RECSANSVITALE")
            assert rec is not None
            out.append(
                (
                    [p.text or "" for p in rec.findall(f"{{{RECSANS}}}Prenom")],
                    rec.findtext(f"{{{RECSANS}}}LieuNaissance"),
                )
            )
        return out


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=250)
        return self.now


def client_with(
    transport: ScriptedTransport, journal: list[InsiExchange] | None = None, **kw: object
) -> InsiClient:
    settings = InsiSettings(
        endpoint=transport.endpoint,
        ca_chain_pem=Path("chain.pem"),
        manu=TlsCredential("INSI-MANU", Path("m.pem"), Path("m.key")),
        auto=TlsCredential("INSI-AUTO", Path("a.pem"), Path("a.key")),
        software=LpsSoftware("SEGURBANC-LGO-REF", "segur-bench-lgo", "0.1.0", "instance-1"),
        emitter="3692012347",
        **kw,  # type: ignore[arg-type]
    )
    return InsiClient(
        settings,
        transport=transport,
        clock=Clock(),
        on_exchange=journal.append if journal is not None else None,
    )


# --- the algorithm ---------------------------------------------------------------------------


def test_one_call_per_first_name_until_a_cr_other_than_01() -> None:
    transport = ScriptedTransport(cr("01"), found())
    journal: list[InsiExchange] = []
    outcome = client_with(transport, journal).search_traits(LEFEBVRE)
    assert outcome.code == "00" and outcome.identity is not None and outcome.identity.matricule == MATRICULE
    assert transport.prenoms() == [(["NICOLAS"], None), (["ANDRE"], None)]  # INS form, no COG
    assert [e.code_cr for e in outcome.exchanges] == ["01", "00"]
    assert journal == list(outcome.exchanges)


def test_all_01_ends_with_the_whole_list() -> None:
    transport = ScriptedTransport(cr("01"), cr("01"), cr("01"))
    outcome = client_with(transport).search_traits(LEFEBVRE)
    assert outcome.code == "01" and not outcome.found
    assert transport.prenoms() == [(["NICOLAS"], None), (["ANDRE"], None), (["NICOLAS ANDRE"], None)]


def test_single_first_name_single_call() -> None:
    transport = ScriptedTransport(cr("01"))
    traits = StrictTraits("Schmidt", ("Jürgen",), "M", "1961-04-04", None)
    outcome = client_with(transport).search_traits(traits)
    assert outcome.code == "01"
    assert transport.prenoms() == [(["JURGEN"], None)]


def test_02_then_00_after_adding_the_first_names() -> None:
    transport = ScriptedTransport(cr("02"), found())
    outcome = client_with(transport).search_traits(LEFEBVRE)
    assert outcome.code == "00"
    assert transport.prenoms() == [(["NICOLAS"], None), (["NICOLAS ANDRE"], None)]


def test_02_then_02_then_birth_place() -> None:
    transport = ScriptedTransport(cr("02"), cr("02"), found())
    outcome = client_with(transport).search_traits(LEFEBVRE)
    assert outcome.code == "00"
    assert transport.prenoms() == [
        (["NICOLAS"], None),
        (["NICOLAS ANDRE"], None),
        (["NICOLAS ANDRE"], "59350"),
    ]
    assert len(outcome.exchanges) == 3 and len(outcome.queries) == 3


def test_02_with_one_first_name_goes_straight_to_the_birth_place() -> None:
    transport = ScriptedTransport(cr("02"), found())
    traits = StrictTraits("LEFEBVRE", ("NICOLAS",), "M", "1975-03-14", "59350")
    assert client_with(transport).search_traits(traits).code == "00"
    assert transport.prenoms() == [(["NICOLAS"], None), (["NICOLAS"], "59350")]


def test_02_when_the_full_list_is_unknown_keeps_the_first_name_with_the_cog() -> None:
    transport = ScriptedTransport(cr("02"), cr("01"), found())
    assert client_with(transport).search_traits(LEFEBVRE).code == "00"
    assert transport.prenoms() == [(["NICOLAS"], None), (["NICOLAS ANDRE"], None), (["NICOLAS"], "59350")]


def test_02_without_birth_place_stays_02() -> None:
    transport = ScriptedTransport(cr("02"), cr("02"))
    traits = StrictTraits("LEFEBVRE", ("NICOLAS", "PIERRE"), "M", "1975-03-14", None)
    outcome = client_with(transport).search_traits(traits)
    assert outcome.code == "02" and not outcome.found
    assert len(transport.sent) == 2


def test_01_on_first_name_then_02_on_the_second() -> None:
    transport = ScriptedTransport(cr("01"), cr("02"), found())
    assert client_with(transport).search_traits(LEFEBVRE).code == "00"
    assert transport.prenoms() == [(["NICOLAS"], None), (["ANDRE"], None), (["NICOLAS ANDRE"], None)]


def test_invalid_traits_are_refused_before_any_call() -> None:
    transport = ScriptedTransport()
    with pytest.raises(InsiRequestRefused) as err:
        client_with(transport).search_traits(StrictTraits("Lef3bvre", ("Nicolas",), "X", "1975-02-30", None))
    assert set(err.value.problems) == {"birth_name", "sex", "birth_date"}
    assert err.value.user_message.startswith("Recherche INSi impossible")
    assert transport.sent == []


def test_lunar_date_is_searched() -> None:
    transport = ScriptedTransport(cr("01"))
    client_with(transport).search_traits(StrictTraits("BENALI", ("AHMED",), "M", "1948-00-00", None))
    root = etree.fromstring(transport.sent[0][1])
    assert root.findtext(f".//{{{RECSANS}}}DateNaissance") == "1948-00-00"


# --- exchanges: credentials, timestamps, failures ----------------------------------------------


def test_exchange_records_everything_the_journal_needs() -> None:
    transport = ScriptedTransport(found())
    outcome = client_with(transport).search_traits(LEFEBVRE, auth="auto")
    ex = outcome.exchanges[0]
    assert ex.credential == "INSI-AUTO" and transport.sent[0][0] == "INSI-AUTO"
    assert ex.operation == "rechercherInsAvecTraitsIdentite" and ex.purpose == "recuperation"
    assert ex.action == "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
    assert ex.request == transport.sent[0][1] and ex.response is not None and b"RESULTAT" in ex.response
    assert ex.started_at < ex.ended_at
    assert (ex.http_status, ex.code_cr, ex.libelle_cr, ex.returned_ins) == (200, "00", "OK", MATRICULE)
    assert ex.endpoint == "https://insi.test/lps" and ex.message_id.startswith("uuid:")
    assert ex.message_id.encode() in ex.request
    assert ex.outcome == "CR 00 OK"


def test_fault_mid_search_carries_every_exchange() -> None:
    journal: list[InsiExchange] = []
    transport = ScriptedTransport(cr("01"), fault("Sender", "desir_550"))
    with pytest.raises(InsiFault) as err:
        client_with(transport, journal).search_traits(LEFEBVRE)
    assert err.value.code == "desir_550"
    assert [e.code_cr for e in err.value.exchanges] == ["01", None]
    last = err.value.exchanges[-1]
    assert last.fault_code == "desir_550" and last.http_status == 400 and last.response is not None
    assert last.error == err.value.user_message and last.outcome == "faute desir_550"
    assert journal == err.value.exchanges


def test_outage_is_journaled_without_answer() -> None:
    journal: list[InsiExchange] = []
    transport = ScriptedTransport(outage)
    with pytest.raises(InsiUnavailable) as err:
        client_with(transport, journal).search_traits(LEFEBVRE)
    assert err.value.kind == "coupure"
    (ex,) = err.value.exchanges
    assert ex.response is None and ex.http_status is None and ex.error is not None
    assert ex.outcome.startswith("échec")
    assert journal == [ex]


def test_not_found_fault_codes_read_as_01() -> None:
    transport = ScriptedTransport(fault("Sender", "desir_201"), found())
    outcome = client_with(transport, not_found_fault_codes=frozenset({"desir_201"})).search_traits(LEFEBVRE)
    assert outcome.code == "00"
    assert (outcome.exchanges[0].code_cr, outcome.exchanges[0].fault_code) == ("01", "desir_201")


# --- Vitale ---------------------------------------------------------------------------------------


def test_vitale_search_is_one_call_with_the_card_keys() -> None:
    transport = ScriptedTransport(found())
    outcome = client_with(transport).search_vitale(VitaleBeneficiary("1750359350121", "19750314"))
    assert outcome.code == "00" and len(outcome.exchanges) == 1
    assert outcome.exchanges[0].operation == "rechercherInsAvecCarteVitale"
    assert transport.sent[0][2].endswith(":rechercherInsAvecCarteVitale")


@pytest.mark.parametrize(
    ("beneficiary", "fragment"),
    [
        (VitaleBeneficiary("17503593501", "19750314"), "Matricule de l'assuré"),
        (VitaleBeneficiary(NUM + "00", "19750314"), "clé 00 incorrecte"),
        (VitaleBeneficiary(NUM, "19750230"), "Date de naissance"),
        (VitaleBeneficiary(NUM, "19750314", rang=0), "rang"),
        (VitaleBeneficiary(NUM, "19750314", nir="12345"), "NIR du bénéficiaire"),
    ],
)
def test_bad_card_data_is_refused_before_any_call(beneficiary: VitaleBeneficiary, fragment: str) -> None:
    transport = ScriptedTransport()
    with pytest.raises(InsiRequestRefused) as err:
        client_with(transport).search_vitale(beneficiary)
    assert fragment in err.value.user_message
    assert transport.sent == []


# --- verification ----------------------------------------------------------------------------

HELD = StrictTraits("LEFEBVRE", ("NICOLAS", "ANDRE"), "M", "1975-03-14", "59350")


def test_verification_ok() -> None:
    transport = ScriptedTransport(found())
    result = client_with(transport).verify(HELD, matricule=MATRICULE, oid=OID_INS_NIR_TEST)
    assert result.ok and result.verdict.reason == "conforme"  # .8 and .10 are both INS-NIR
    assert transport.sent[0][0] == "INSI-AUTO"  # unattended by default
    assert result.search.exchanges[0].purpose == "verification"
    assert b"InsAVerifier" not in transport.sent[0][1]  # bench marker is opt-in


def test_verification_marker_is_opt_in() -> None:
    transport = ScriptedTransport(found())
    client_with(transport, verification_marker=True).verify(HELD, matricule=MATRICULE, oid=OID_INS_NIR)
    marker = etree.fromstring(transport.sent[0][1]).find(
        f"{{{SOAP}}}Header/{{urn:segur-bench:insi:1}}InsAVerifier"
    )
    assert marker is not None and marker.text == MATRICULE


@pytest.mark.parametrize(
    ("replies", "held", "reason"),
    [
        ((cr("01"), cr("01"), cr("01")), MATRICULE, "non_trouvee"),
        ((cr("02"), cr("02"), cr("02")), MATRICULE, "plusieurs"),
        ((found(),), OLD_MATRICULE, "ins_different"),
        ((found(first="NICOLAS ANDRE LOUIS"),), MATRICULE, "traits_differents"),
        ((found(oid="1.2.250.1.213.1.4.9"),), MATRICULE, "oid_different"),
    ],
)
def test_verification_ko_reasons(replies: tuple[Reply, ...], held: str, reason: str) -> None:
    result = client_with(ScriptedTransport(*replies)).verify(HELD, matricule=held, oid=OID_INS_NIR)
    assert not result.ok and result.verdict.reason == reason
    assert result.message.startswith("Vérification INSi en échec")


def test_verification_recognises_a_historical_ins() -> None:
    histo = (
        f"<INSHISTO><IdIndividu><NumIdentifiant>{OLD}</NumIdentifiant><Cle>{nir_key(OLD)}</Cle></IdIndividu>"
        f"<OID>{OID_INS_NIR}</OID></INSHISTO>"
    )
    result = client_with(ScriptedTransport(found(history=histo))).verify(
        HELD, matricule=OLD_MATRICULE, oid=OID_INS_NIR
    )
    assert not result.ok and result.verdict.reason == "ins_historique"
    assert MATRICULE in result.message
