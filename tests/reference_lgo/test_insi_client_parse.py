"""Reading INSi answers: RESULTAT 00 (INSHISTO single and list, Prenom optional), 01, 02; SOAP faults
(siram_100/desir_550, DESIR_560, Receiver, any siram code); unusable answers."""

from __future__ import annotations

import pytest

from protocols.identifiers import OID_INS_NIA, OID_INS_NIR, nir_key
from reference_lgo.clients.insi import InsiFault, InsiUnavailable
from reference_lgo.clients.insi.results import parse_answer

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
MID = "uuid:6b0e7a4c-2a47-4d1f-9a43-52a3c6c1e001"
NUM = "1901099134221"
KEY = nir_key(NUM)


def envelope(body: str, relates_to: str | None = MID) -> bytes:
    header = (
        f'<soap:Header><wsa:Action xmlns:wsa="{WSA}">'
        "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentiteResponse</wsa:Action>"
        + (f'<wsa:RelatesTo xmlns:wsa="{WSA}">{relates_to}</wsa:RelatesTo>' if relates_to else "")
        + "</soap:Header>"
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP}">{header}<soap:Body>{body}</soap:Body></soap:Envelope>'.encode()


def ins(tag: str, num: str, key: str, oid: str, dates: str = "") -> str:
    return (
        f"<{tag}><IdIndividu><NumIdentifiant>{num}</NumIdentifiant><Cle>{key}</Cle></IdIndividu>"
        f"<OID>{oid}</OID>{dates}</{tag}>"
    )


def resultat(code: str, label: str, individu: str = "") -> str:
    return (
        '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat">'
        f"<CR><CodeCR>{code}</CodeCR><LibelleCR>{label}</LibelleCR></CR>{individu}</RESULTAT>"
    )


def tiq(prenom: str | None = "THOMAS", liste: str = "THOMAS ADRIEN", date: str = "1990-10-02") -> str:
    return (
        "<TIQ><NomNaissance>ROUSSEL</NomNaissance>"
        + (f"<Prenom>{prenom}</Prenom>" if prenom is not None else "")
        + f"<ListePrenom>{liste}</ListePrenom><Sexe>M</Sexe><DateNaissance>{date}</DateNaissance>"
        "<LieuNaissance>99134</LieuNaissance></TIQ>"
    )


def test_cr00_with_a_single_inshisto() -> None:
    histo = ins(
        "INSHISTO",
        "1901099134908",
        nir_key("1901099134908"),
        OID_INS_NIA,
        "<DateDeb>2008-09-01</DateDeb><DateFin>2012-05-31</DateFin>",
    )
    body = resultat(
        "00", "OK", f"<INDIVIDU>{ins('INSACTIF', NUM, KEY, OID_INS_NIR)}{histo}{tiq()}</INDIVIDU>"
    )
    result = parse_answer(200, envelope(body), message_id=MID)
    assert result.found and result.code == "00" and result.label == "OK"
    ident = result.identity
    assert ident is not None
    assert ident.matricule == NUM + KEY and ident.oid == OID_INS_NIR and ident.active.key_valid
    assert len(ident.history) == 1
    h = ident.history[0]
    assert (h.oid, h.start, h.end, h.key_valid) == (OID_INS_NIA, "2008-09-01", "2012-05-31", True)
    assert ident.traits.birth_name == "ROUSSEL"
    assert ident.traits.first_names == ("THOMAS", "ADRIEN")  # ListePrenom is space-separated
    assert ident.first_birth_first_name == "THOMAS"
    assert (ident.traits.sex, ident.traits.birth_date, ident.traits.birth_place) == (
        "M",
        "1990-10-02",
        "99134",
    )


def test_cr00_with_a_list_of_inshisto_and_no_prenom() -> None:
    histos = ins("INSHISTO", "2680599350902", "33", OID_INS_NIA) + ins(
        "INSHISTO", "2680599350311", "42", OID_INS_NIR
    )
    body = resultat(
        "00", "OK", f"<INDIVIDU>{ins('INSACTIF', NUM, KEY, OID_INS_NIR)}{histos}{tiq(prenom=None)}</INDIVIDU>"
    )
    ident = parse_answer(200, envelope(body), message_id=MID).identity
    assert ident is not None
    assert [h.matricule for h in ident.history] == ["268059935090233", "268059935031142"]
    assert ident.prenom is None
    assert ident.first_birth_first_name == "THOMAS"  # first of ListePrenom when Prenom is absent


def test_cr00_without_history() -> None:
    body = resultat("00", "OK", f"<INDIVIDU>{ins('INSACTIF', NUM, KEY, OID_INS_NIR)}{tiq()}</INDIVIDU>")
    ident = parse_answer(200, envelope(body)).identity
    assert ident is not None and ident.history == ()


def test_wrong_key_and_empty_traits_are_reported_not_hidden() -> None:
    wrong = "00" if KEY != "00" else "01"
    body = resultat(
        "00",
        "OK",
        f"<INDIVIDU>{ins('INSACTIF', NUM, wrong, OID_INS_NIR)}{tiq(prenom=None, liste='')}</INDIVIDU>",
    )
    ident = parse_answer(200, envelope(body)).identity
    assert ident is not None
    assert not ident.active.key_valid  # kept as returned: the identity rules refuse to store it
    assert ident.traits.first_names == ()


def test_cr01_and_cr02() -> None:
    r01 = parse_answer(200, envelope(resultat("01", "Aucune identite trouvee")), message_id=MID)
    assert (r01.code, r01.found, r01.identity) == ("01", False, None)
    r02 = parse_answer(200, envelope(resultat("02", "Plusieurs identites trouvees")))
    assert (r02.code, r02.label, r02.found) == ("02", "Plusieurs identites trouvees", False)


def fault(code: str, subcode: str, reason: str, detail: str | None = None) -> bytes:
    erreur = (
        f'<soap:Detail><siram:Erreur xmlns:siram="urn:siram" code="{detail}" severite="erreur">'
        f"Détail {detail}</siram:Erreur></soap:Detail>"
        if detail
        else ""
    )
    body = (
        f"<soap:Fault><soap:Code><soap:Value>soap:{code}</soap:Value>"
        f"<soap:Subcode><soap:Value>soap:{subcode}</soap:Value></soap:Subcode></soap:Code>"
        f'<soap:Reason><soap:Text xml:lang="fr">{reason}</soap:Text></soap:Reason>{erreur}</soap:Fault>'
    )
    return envelope(body, relates_to=None)


def test_unknown_idam_fault() -> None:
    with pytest.raises(InsiFault) as err:
        parse_answer(
            400,
            fault(
                "Sender", "siram_100", "L'accès par ce progiciel au service n'est pas autorisé.", "desir_550"
            ),
        )
    exc = err.value
    assert (exc.soap_code, exc.subcodes, exc.code, exc.severite) == (
        "Sender",
        ["siram_100"],
        "desir_550",
        "erreur",
    )
    assert "IDAM" in exc.user_message and "éditeur" in exc.user_message
    assert not exc.retryable and exc.http_status == 400


def test_wrong_certificate_fault() -> None:
    with pytest.raises(InsiFault) as err:
        parse_answer(400, fault("Sender", "siram_100", "Accès refusé.", "DESIR_560"))
    assert err.value.code == "DESIR_560"
    assert "certificat" in err.value.user_message and "INSI-MANU" in err.value.user_message


def test_receiver_fault_is_retryable() -> None:
    with pytest.raises(InsiFault) as err:
        parse_answer(
            500, fault("Receiver", "siram_500", "Service momentanément indisponible", "BANC_INDISPONIBLE")
        )
    exc = err.value
    assert exc.retryable
    assert exc.user_message.startswith(
        "Le téléservice INSi est momentanément indisponible (code BANC_INDISPONIBLE)"
    )


def test_any_siram_code_without_detail() -> None:
    with pytest.raises(InsiFault) as err:
        parse_answer(400, fault("Sender", "siram_400", "Les données de la requête sont invalides."))
    exc = err.value
    assert exc.error_code == "siram_400" and exc.code == "siram_400"
    assert (
        exc.user_message
        == "Le téléservice INSi a refusé la demande (code siram_400) : Les données de la requête sont invalides."
    )


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (503, b"Service momentanement indisponible", "http"),
        (502, b"", "http"),
        (200, b"", "reponse_invalide"),
        (
            200,
            b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'><soap:Body><RESUL",
            "reponse_invalide",
        ),
        (200, b"<html>proxy</html>", "reponse_invalide"),
        (200, envelope(resultat("00", "OK")), "reponse_invalide"),  # 00 without INDIVIDU
        (200, envelope(""), "reponse_invalide"),
        (200, envelope(resultat("00", "OK", f"<INDIVIDU>{tiq()}</INDIVIDU>")), "reponse_invalide"),
        (500, envelope(resultat("01", "Aucune identite trouvee")), "http"),
    ],
)
def test_unusable_answers(status: int, body: bytes, kind: str) -> None:
    with pytest.raises(InsiUnavailable) as err:
        parse_answer(status, body, message_id=MID)
    assert err.value.kind == kind
    assert err.value.user_message.startswith(("Le téléservice INSi", "La réponse du téléservice INSi"))


def test_answer_to_another_message_is_refused() -> None:
    with pytest.raises(InsiUnavailable) as err:
        parse_answer(
            200, envelope(resultat("01", "Aucune identite trouvee"), relates_to="uuid:autre"), message_id=MID
        )
    assert "ne correspond pas" in err.value.user_message


def test_entities_are_refused() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'><soap:Body>&e;</soap:Body></soap:Envelope>"
    )
    with pytest.raises(InsiUnavailable) as err:
        parse_answer(200, evil)
    assert err.value.kind == "reponse_invalide"
