from __future__ import annotations

import random

import pytest
from lxml import etree

from protocols import soap
from protocols.soap import NS_SOAP11, NS_SOAP12, NS_WSA, NS_WSSE, SoapFault, SoapParseError

NS_SIRAM = "urn:siram"
NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
ACTION = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"


def _body() -> etree._Element:
    body = etree.Element(f"{{{NS_RECSANS}}}RECSANSVITALE", nsmap={None: NS_RECSANS})
    etree.SubElement(body, f"{{{NS_RECSANS}}}NomNaissance").text = "DUPONT"
    return body


def _request_bytes(extra_headers: list[etree._Element] | None = None) -> bytes:
    headers = soap.wsa_headers(ACTION, to="https://localhost:7001/lps", reply_to=soap.WSA_ANONYMOUS)
    return soap.Envelope([*headers, *(extra_headers or [])], _body()).to_bytes()


def _expect_fault(data: bytes) -> SoapFault:
    with pytest.raises(SoapParseError) as info:
        soap.parse_envelope(data)
    fault = info.value.fault
    # Whatever went wrong, the fault must serialise into a valid SOAP 1.2 envelope.
    again = soap.parse_fault(soap.parse_envelope(fault.to_bytes()).root)
    assert again is not None and again.code == fault.code
    return fault


# --- building and reading envelopes -------------------------------------------------------------


def test_envelope_roundtrip_with_ws_addressing() -> None:
    data = _request_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    parsed = soap.parse_envelope(data)
    assert parsed.root.tag == f"{{{NS_SOAP12}}}Envelope"
    assert parsed.root.prefix == "soap"
    assert parsed.action == ACTION
    assert parsed.message_id is not None and parsed.message_id.startswith("uuid:")
    assert len(parsed.message_id) == len("uuid:") + 36
    assert parsed.to == "https://localhost:7001/lps"
    assert parsed.relates_to is None
    assert parsed.body_child is not None and parsed.body_child.tag == f"{{{NS_RECSANS}}}RECSANSVITALE"
    reply_to = parsed.header_block(NS_WSA, "ReplyTo")
    assert reply_to is not None
    assert reply_to.findtext(f"{{{NS_WSA}}}Address") == soap.WSA_ANONYMOUS


def test_wsa_headers_keep_given_ids_and_relates_to() -> None:
    blocks = soap.wsa_headers(ACTION + "Response", message_id="uuid:1", relates_to="uuid:0")
    assert [etree.QName(b).localname for b in blocks] == ["Action", "MessageID", "RelatesTo"]
    parsed = soap.parse_envelope(soap.Envelope(blocks, None).to_bytes())
    assert (parsed.message_id, parsed.relates_to) == ("uuid:1", "uuid:0")
    assert parsed.body_child is None


def test_generated_message_ids_differ() -> None:
    assert soap.new_message_id() != soap.new_message_id()


def test_header_lookup_by_namespace_and_local_name() -> None:
    security = etree.Element(f"{{{NS_WSSE}}}Security", nsmap={"wsse": NS_WSSE})
    parsed = soap.parse_envelope(_request_bytes([security]))
    assert len(parsed.headers(NS_WSSE, "Security")) == 1
    assert parsed.headers(NS_WSSE, "Absent") == []
    assert parsed.header_block("urn:other", "Security") is None


def test_envelope_without_header_blocks_has_no_header() -> None:
    parsed = soap.parse_envelope(soap.Envelope([], _body()).to_bytes())
    assert parsed.header is None
    assert parsed.action is None and parsed.headers(NS_WSA, "Action") == []


def test_content_type() -> None:
    assert soap.CONTENT_TYPE == "application/soap+xml; charset=utf-8"


# --- faults -------------------------------------------------------------------------------------


def _siram_fault() -> SoapFault:
    erreur = etree.Element(f"{{{NS_SIRAM}}}Erreur", nsmap={"siram": NS_SIRAM})
    erreur.set("code", "desir_550")
    erreur.set("severite", "erreur")
    erreur.text = "Numéro d'autorisation du logiciel inconnu."
    return SoapFault(
        "Sender",
        "L'accès par ce progiciel au service n'est pas autorisé.",
        subcodes=["siram:siram_100"],
        detail=[erreur],
    )


def test_fault_wire_shape() -> None:
    root = etree.fromstring(_siram_fault().to_bytes())
    ns = {"soap": NS_SOAP12, "siram": NS_SIRAM}
    fault = root.find("soap:Body/soap:Fault", ns)
    assert fault is not None
    assert fault.findtext("soap:Code/soap:Value", namespaces=ns) == "soap:Sender"
    sub_value = fault.find("soap:Code/soap:Subcode/soap:Value", ns)
    assert sub_value is not None
    prefix, local = (sub_value.text or "").split(":")
    assert local == "siram_100" and sub_value.nsmap[prefix] == NS_SIRAM
    text = fault.find("soap:Reason/soap:Text", ns)
    assert text is not None and text.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert fault.find("soap:Detail/siram:Erreur", ns) is not None


def test_fault_roundtrip() -> None:
    sent = _siram_fault()
    parsed = soap.parse_envelope(sent.to_bytes())
    got = soap.parse_fault(parsed.root)
    assert got is not None
    assert got.code == "Sender"
    assert got.subcodes == [f"{{{NS_SIRAM}}}siram_100"]
    assert got.reason == sent.reason
    assert got.lang == "fr"
    assert got.detail is not None and got.detail[0].get("code") == "desir_550"
    assert sent.http_status == 400


def test_fault_can_be_sent_twice() -> None:
    fault = _siram_fault()
    assert fault.to_bytes() == fault.to_bytes()


def test_nested_subcodes_and_receiver() -> None:
    fault = SoapFault("Receiver", "Service indisponible", subcodes=["{urn:a}one", "{urn:b}two"])
    assert fault.http_status == 500
    got = soap.parse_fault(etree.fromstring(fault.to_bytes()))
    assert got is not None
    assert got.code == "Receiver"
    assert got.subcodes == ["{urn:a}one", "{urn:b}two"]
    assert got.detail is None


def test_subcode_in_the_soap_namespace_as_insi_sends_it() -> None:
    # INSi answers <soap:Value>soap:siram_100</soap:Value> (subcode QName in the envelope namespace).
    fault = SoapFault("Sender", "refus", subcodes=[f"{{{NS_SOAP12}}}siram_100"])
    assert b"<soap:Value>soap:siram_100</soap:Value>" in fault.to_bytes()


def test_parse_fault_from_another_implementation() -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="{NS_SOAP12}"><env:Body xmlns:env="{NS_SOAP12}"><s:Fault>'
        "<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>s:siram_100</s:Value></s:Subcode></s:Code>"
        '<s:Reason><s:Text xml:lang="en">denied</s:Text><s:Text xml:lang="fr">refusé</s:Text></s:Reason>'
        f'<s:Detail><siram:Erreur xmlns:siram="{NS_SIRAM}" code="desir_550" severite="erreur">x</siram:Erreur>'
        "</s:Detail></s:Fault></env:Body></s:Envelope>"
    ).encode()
    fault = soap.parse_fault(soap.parse_envelope(data).root)
    assert fault is not None
    assert fault.code == "Sender"
    assert fault.subcodes == [f"{{{NS_SOAP12}}}siram_100"]
    assert fault.reason == "refusé"
    assert fault.detail is not None and fault.detail[0].get("code") == "desir_550"


def test_parse_fault_on_a_normal_message_is_none() -> None:
    assert soap.parse_fault(soap.parse_envelope(_request_bytes()).root) is None


def test_fault_element_alone_can_be_parsed() -> None:
    got = soap.parse_fault(SoapFault("Sender", "x").to_element())
    assert got is not None and got.reason == "x"


@pytest.mark.parametrize("code", ["Client", "Server", "soap:Bogus"])
def test_invalid_fault_codes_are_refused(code: str) -> None:
    with pytest.raises(ValueError):
        SoapFault(code, "x")


def test_code_given_as_qname_is_normalised() -> None:
    assert SoapFault(f"{{{NS_SOAP12}}}Receiver", "x").code == "Receiver"
    assert SoapFault("soap:Sender", "x").code == "Sender"


def test_unknown_subcode_prefix_is_refused() -> None:
    with pytest.raises(ValueError):
        SoapFault("Sender", "x", subcodes=["inconnu:code"])


def test_unknown_namespace_gets_a_declared_prefix() -> None:
    fault = SoapFault("Sender", "x", subcodes=["{urn:exotic}code"])
    value = etree.fromstring(fault.to_bytes()).find(f".//{{{NS_SOAP12}}}Subcode/{{{NS_SOAP12}}}Value")
    assert value is not None
    prefix, local = (value.text or "").split(":")
    assert value.nsmap[prefix] == "urn:exotic" and local == "code"


# --- refusing bad input with the right fault ----------------------------------------------------


def test_soap11_envelope_gives_version_mismatch_with_upgrade() -> None:
    data = f'<e:Envelope xmlns:e="{NS_SOAP11}"><e:Body><x/></e:Body></e:Envelope>'.encode()
    fault = _expect_fault(data)
    assert fault.code == "VersionMismatch"
    assert fault.http_status == 500
    root = etree.fromstring(fault.to_bytes())
    supported = root.find(f"{{{NS_SOAP12}}}Header/{{{NS_SOAP12}}}Upgrade/{{{NS_SOAP12}}}SupportedEnvelope")
    assert supported is not None
    prefix, local = supported.get("qname", "").split(":")
    assert supported.nsmap[prefix] == NS_SOAP12 and local == "Envelope"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"<foo/>", "pas une enveloppe SOAP"),
        (f'<soap:Envelope xmlns:soap="{NS_SOAP12}"/>'.encode(), "sans élément Body"),
        (
            f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body/><soap:Header/></soap:Envelope>'.encode(),
            "inattendu",
        ),
        (
            f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body/><soap:Body/></soap:Envelope>'.encode(),
            "inattendu",
        ),
        (
            f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body/><x:y xmlns:x="urn:x"/></soap:Envelope>'.encode(),
            "inattendu",
        ),
        (f'<soap:Envelope xmlns:soap="{NS_SOAP12}">texte<soap:Body/></soap:Envelope>'.encode(), "texte"),
        (
            f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Header><nons/></soap:Header><soap:Body/>'
            "</soap:Envelope>".encode(),
            "sans espace de noms",
        ),
        (
            f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Header><a:b xmlns:a="urn:a" '
            'soap:mustUnderstand="yes"/></soap:Header><soap:Body/></soap:Envelope>'.encode(),
            "mustUnderstand",
        ),
        (
            f'<?pi x?><soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body/></soap:Envelope>'.encode(),
            "instruction de traitement",
        ),
        (
            f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body><?pi x?></soap:Body></soap:Envelope>'.encode(),
            "instruction de traitement",
        ),
    ],
)
def test_structural_errors_give_sender_faults(data: bytes, needle: str) -> None:
    fault = _expect_fault(data)
    assert fault.code == "Sender"
    assert needle in fault.reason
    assert fault.http_status == 400


def test_duplicate_wsa_action_is_an_invalid_addressing_header() -> None:
    extra = soap.wsa_headers("urn:other")[:1]
    fault = _expect_fault(_request_bytes(extra))
    assert fault.code == "Sender"
    assert fault.subcodes == [f"{{{NS_WSA}}}InvalidAddressingHeader", f"{{{NS_WSA}}}InvalidCardinality"]
    assert "wsa:Action" in fault.reason


def test_repeated_relates_to_is_allowed() -> None:
    extra = soap.wsa_headers("x", relates_to="uuid:second")[2:]
    blocks = [*soap.wsa_headers(ACTION, relates_to="uuid:first"), *extra]
    parsed = soap.parse_envelope(soap.Envelope(blocks, _body()).to_bytes())
    assert parsed.relates_to == "uuid:first"


HOSTILE = {
    "xxe": (
        f'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body>&x;</soap:Body></soap:Envelope>'
    ).encode(),
    "laughs": (
        '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body>&d;</soap:Body></soap:Envelope>'
    ).encode(),
    "external-dtd": (
        f'<!DOCTYPE e SYSTEM "http://127.0.0.1:9/x.dtd"><soap:Envelope xmlns:soap="{NS_SOAP12}">'
        "<soap:Body/></soap:Envelope>"
    ).encode(),
    "truncated": f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body><a>'.encode(),
    "non-utf8": f'<soap:Envelope xmlns:soap="{NS_SOAP12}"><soap:Body><a>\xe9\xff</a>'.encode("latin-1"),
    "empty": b"",
    "binary": bytes(range(256)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_inputs_become_sender_faults(name: str) -> None:
    fault = _expect_fault(HOSTILE[name])
    assert fault.code == "Sender"
    assert fault.reason.startswith("message SOAP refusé")
    assert b"root:" not in fault.to_bytes()


def test_oversized_input_is_refused() -> None:
    big = _request_bytes() + b" " * 100
    fault = _expect_fault(b"\n" * (soap.xmlsafe.DEFAULT_MAX_BYTES + 1))
    assert "trop volumineux" in fault.reason
    with pytest.raises(SoapParseError) as info:
        soap.parse_envelope(big, max_bytes=len(big) - 1)
    assert "trop volumineux" in info.value.fault.reason


def test_random_corruption_never_escapes_as_another_exception() -> None:
    rng = random.Random(20240601)
    valid = _request_bytes()
    for _ in range(300):
        data = bytearray(valid)
        if rng.random() < 0.5:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            soap.parse_envelope(bytes(data))
        except SoapParseError as exc:
            assert exc.fault.code in ("Sender", "VersionMismatch")


# --- mustUnderstand -----------------------------------------------------------------------------


def _mu_block(ns: str, local: str, role: str | None = None, value: str = "true") -> etree._Element:
    el = etree.Element(f"{{{ns}}}{local}", nsmap={"x": ns, "soap": NS_SOAP12})
    el.set(f"{{{NS_SOAP12}}}mustUnderstand", value)
    if role is not None:
        el.set(f"{{{NS_SOAP12}}}role", role)
    return el


def test_not_understood_headers_are_reported() -> None:
    blocks = [
        _mu_block(NS_WSSE, "Security"),
        _mu_block("urn:custom", "Ext"),
        _mu_block("urn:custom", "ForNobody", role=soap.ROLE_NONE),
        _mu_block("urn:custom", "Optional", value="false"),
        _mu_block("urn:custom", "NumericTrue", value="1"),
    ]
    parsed = soap.parse_envelope(_request_bytes(blocks))
    assert [etree.QName(b).localname for b in parsed.must_understand_blocks()] == [
        "Security",
        "Ext",
        "NumericTrue",
    ]
    missing = parsed.not_understood([(NS_WSSE, "Security")])
    assert missing == ["{urn:custom}Ext", "{urn:custom}NumericTrue"]

    fault = soap.must_understand_fault(missing)
    assert fault.code == "MustUnderstand" and fault.http_status == 500
    root = etree.fromstring(fault.to_bytes())
    notes = root.findall(f"{{{NS_SOAP12}}}Header/{{{NS_SOAP12}}}NotUnderstood")
    assert len(notes) == 2
    prefix, local = notes[0].get("qname", "").split(":")
    assert notes[0].nsmap[prefix] == "urn:custom" and local == "Ext"
    assert "Ext" in fault.reason


def test_nothing_to_understand() -> None:
    parsed = soap.parse_envelope(_request_bytes())
    assert parsed.must_understand_blocks() == []
    assert parsed.not_understood([]) == []
