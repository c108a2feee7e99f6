from __future__ import annotations

import copy
import datetime as dt

import pytest
from _dsig_keys import NOW, Signer, pki
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from lxml import etree
from signxml import SignatureMethod, XMLSigner

from protocols import soap, xmldsig
from protocols.xmldsig import NS_DS, CallbackRSAKey, XmlSignatureError

NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
ASSERTION = f"{{{NS_SAML}}}Assertion"
ISSUER = f"{{{NS_SAML}}}Issuer"
DS = {"ds": NS_DS, "saml": NS_SAML}


def _assertion(assertion_id: str = "_a1", name_id: str = "810001234567") -> etree._Element:
    return etree.fromstring(
        f'<saml:Assertion xmlns:saml="{NS_SAML}" ID="{assertion_id}" IssueInstant="2026-01-01T00:00:00Z" '
        f'Version="2.0"><saml:Issuer>CN=810001234567,C=FR</saml:Issuer><saml:Subject>'
        f'<saml:NameID NameQualifier="CPS">{name_id}</saml:NameID></saml:Subject></saml:Assertion>'
    )


def _signed(signer: Signer | None = None, **kwargs: object) -> etree._Element:
    s = signer or pki().cps_sign
    return xmldsig.sign_enveloped(_assertion(**kwargs), s.key, s.chain, after=ISSUER)  # type: ignore[arg-type]


def _verify(el: etree._Element | bytes, **kwargs: object) -> xmldsig.VerifiedXml:
    return xmldsig.verify(el, [pki().root], expected_tag=ASSERTION, **kwargs)  # type: ignore[arg-type]


def _refused(el: etree._Element | bytes, **kwargs: object) -> XmlSignatureError:
    with pytest.raises(XmlSignatureError) as info:
        _verify(el, **kwargs)
    assert info.value.reason  # French, for the user
    return info.value


# --- signing ------------------------------------------------------------------------------------


def test_signature_shape_follows_the_insi_profile() -> None:
    original = _assertion()
    before = etree.tostring(original)
    signed = xmldsig.sign_enveloped(original, pki().cps_sign.key, pki().cps_sign.chain, after=ISSUER)
    assert etree.tostring(original) == before  # input left untouched
    children = [etree.QName(c).localname for c in signed]
    assert children == ["Issuer", "Signature", "Subject"]
    sig = signed.find("ds:Signature", DS)
    assert sig is not None
    assert sig.find("ds:SignedInfo/ds:CanonicalizationMethod", DS).get("Algorithm") == (
        "http://www.w3.org/2001/10/xml-exc-c14n#"
    )
    assert sig.find("ds:SignedInfo/ds:SignatureMethod", DS).get("Algorithm") == (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    )
    ref = sig.find("ds:SignedInfo/ds:Reference", DS)
    assert ref is not None and ref.get("URI") == "#_a1"
    assert [t.get("Algorithm") for t in ref.findall("ds:Transforms/ds:Transform", DS)] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/2001/10/xml-exc-c14n#",
    ]
    assert ref.find("ds:DigestMethod", DS).get("Algorithm") == "http://www.w3.org/2001/04/xmlenc#sha256"
    assert len(sig.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", DS)) == 2  # leaf + intermediate


def test_sign_and_verify_rsa_with_non_repudiation_only_certificate() -> None:
    result = _verify(etree.tostring(_signed()))
    assert result.certificate == pki().cps_sign.cert
    assert result.element.tag == ASSERTION
    assert result.element.find("ds:Signature", DS) is None  # only what the digest covers
    assert result.element.findtext("saml:Subject/saml:NameID", namespaces=DS) == "810001234567"
    assert result.signed_data.startswith(b"<saml:Assertion")


def test_sign_and_verify_ecdsa() -> None:
    signed = _signed(pki().ec_sign)
    method = signed.find("ds:Signature/ds:SignedInfo/ds:SignatureMethod", DS)
    assert method is not None and method.get("Algorithm", "").endswith("ecdsa-sha256")
    assert _verify(signed).certificate == pki().ec_sign.cert


def test_signature_appended_last_without_anchor() -> None:
    s = pki().org_sign
    signed = xmldsig.sign_enveloped(_assertion(), s.key, s.chain)
    assert etree.QName(signed[-1]).localname == "Signature"
    assert _verify(signed).certificate == s.cert


def test_missing_anchor_or_id_is_an_error() -> None:
    s = pki().org_sign
    with pytest.raises(ValueError):
        xmldsig.sign_enveloped(_assertion(), s.key, s.chain, after=f"{{{NS_SAML}}}Conditions")
    with pytest.raises(ValueError):
        xmldsig.sign_enveloped(etree.fromstring("<a/>"), s.key, s.chain)
    with pytest.raises(ValueError):
        xmldsig.sign_enveloped(_assertion(), s.key, [])


def test_signed_assertion_inside_a_soap_envelope_still_verifies() -> None:
    security = etree.Element(f"{{{soap.NS_WSSE}}}Security", nsmap={"wsse": soap.NS_WSSE})
    security.append(_signed())
    wire = soap.Envelope([*soap.wsa_headers("urn:x"), security], etree.Element("{urn:b}Body")).to_bytes()
    parsed = soap.parse_envelope(wire)
    block = parsed.header_block(soap.NS_WSSE, "Security")
    assert block is not None
    assertion = block.find(ASSERTION)
    assert assertion is not None
    assert _verify(assertion).certificate == pki().cps_sign.cert


def test_wsu_id_reference() -> None:
    wsu_id = f"{{{soap.NS_WSU}}}Id"
    body = etree.Element(f"{{{soap.NS_SOAP12}}}Body", nsmap={"soap": soap.NS_SOAP12, "wsu": soap.NS_WSU})
    body.set(wsu_id, "corps-1")
    etree.SubElement(body, "{urn:x}Payload").text = "données"
    s = pki().org_sign
    signed = xmldsig.sign_enveloped(body, s.key, s.chain, id_attribute=wsu_id)
    ref = signed.find("ds:Signature/ds:SignedInfo/ds:Reference", DS)
    assert ref is not None and ref.get("URI") == "#corps-1"
    result = xmldsig.verify(signed, [pki().root], expected_tag=body.tag, id_attribute=wsu_id)
    assert result.element.findtext("{urn:x}Payload") == "données"


# --- card-held keys -----------------------------------------------------------------------------


def test_callback_key_is_accepted_by_signxml() -> None:
    s = pki().cps_sign
    assert isinstance(s.key, rsa.RSAPrivateKey)
    private_key = s.key
    seen: list[tuple[int, str]] = []

    def card(digest: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
        seen.append((len(digest), algorithm.name))
        return private_key.sign(digest, padding.PKCS1v15(), utils.Prehashed(algorithm))

    key = CallbackRSAKey(private_key.public_key(), card)
    assert key.key_size == 2048
    signed = xmldsig.sign_enveloped(_assertion(), key, s.chain, after=ISSUER)
    assert seen == [(32, "sha256")]
    assert _verify(signed).certificate == s.cert


def test_callback_key_refuses_a_wrong_card_answer() -> None:
    s = pki().cps_sign
    key = CallbackRSAKey(s.key.public_key(), lambda digest, alg: b"\x00" * 256)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="carte"):
        xmldsig.sign_enveloped(_assertion(), key, s.chain, after=ISSUER)


def test_callback_key_refuses_pss() -> None:
    s = pki().cps_sign
    key = CallbackRSAKey(s.key.public_key(), lambda digest, alg: b"")  # type: ignore[arg-type]
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    with pytest.raises(ValueError):
        key.sign(b"data", pss, hashes.SHA256())


def test_digest_info_matches_pkcs1_encoding() -> None:
    digest = bytes(range(32))
    info = xmldsig.digest_info(digest, hashes.SHA256())
    assert len(info) == 51 and info.endswith(digest)
    # A raw RSA operation on the DigestInfo gives exactly the PKCS#1 v1.5 signature of the data.
    s = pki().cps_sign
    assert isinstance(s.key, rsa.RSAPrivateKey)
    expected = s.key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    numbers = s.key.private_numbers()
    k = s.key.key_size // 8
    em = b"\x00\x01" + b"\xff" * (k - 3 - len(info)) + b"\x00" + info
    raw = pow(int.from_bytes(em, "big"), numbers.d, numbers.public_numbers.n).to_bytes(k, "big")
    assert raw == expected
    with pytest.raises(ValueError):
        xmldsig.digest_info(b"short", hashes.SHA256())


# --- verification refusals ----------------------------------------------------------------------


def test_tampered_value_is_refused() -> None:
    signed = _signed()
    name_id = signed.find("saml:Subject/saml:NameID", DS)
    assert name_id is not None
    name_id.text = "810009999999"
    assert _refused(signed).code == "digest"


def test_tampered_signature_value_is_refused() -> None:
    signed = _signed()
    value = signed.find("ds:Signature/ds:SignatureValue", DS)
    assert value is not None
    raw = bytearray((value.text or "").encode())
    raw[10] = ord("A") if raw[10] != ord("A") else ord("B")
    value.text = raw.decode()
    assert _refused(signed).code == "signature"


def test_untrusted_signer_is_refused() -> None:
    assert _refused(_signed(pki().foreign)).code == "untrusted"
    # The same signature is fine for whoever trusts that other root.
    ok = xmldsig.verify(_signed(pki().foreign), [pki().foreign_root], expected_tag=ASSERTION)
    assert ok.certificate == pki().foreign.cert


def test_signer_without_signing_key_usage_is_refused() -> None:
    assert _refused(_signed(pki().no_signing_usage)).code == "untrusted"


def test_expired_signer_is_reported() -> None:
    err = _refused(_signed(pki().expired))
    assert err.code == "expired"
    assert "expiré" in err.reason


def test_certificate_order_in_key_info_does_not_matter() -> None:
    s = pki().cps_sign
    signed = xmldsig.sign_enveloped(_assertion(), s.key, list(reversed(s.chain)), after=ISSUER)
    assert _verify(signed).certificate == s.cert
    # ...and does not hide an expiry either.
    e = pki().expired
    expired = xmldsig.sign_enveloped(_assertion(), e.key, list(reversed(e.chain)), after=ISSUER)
    assert _refused(expired).code == "expired"


def test_a_ca_certificate_cannot_be_the_signer() -> None:
    assert _refused(_signed(pki().ca_signer)).code == "untrusted"


def test_verification_time_is_injectable() -> None:
    signed = _signed(pki().expired)
    assert _verify(signed, at=NOW - dt.timedelta(days=100)).certificate == pki().expired.cert
    assert _refused(_signed(), at=NOW + dt.timedelta(days=4000)).code == "expired"
    naive_past = (NOW - dt.timedelta(days=100)).replace(tzinfo=None)
    assert _verify(signed, at=naive_past).certificate == pki().expired.cert


def test_wrapping_with_moved_original_is_refused() -> None:
    # Attacker: new assertion at the root, carrying the genuine signature, genuine assertion hidden inside.
    genuine = _signed()
    signature = genuine.find("ds:Signature", DS)
    assert signature is not None
    genuine.remove(signature)
    evil = _assertion(assertion_id="_evil", name_id="810006666666")
    evil.insert(1, signature)
    advice = etree.SubElement(evil, f"{{{NS_SAML}}}Advice")
    advice.append(genuine)
    err = _refused(evil)
    assert err.code == "reference"


def test_wrapping_with_duplicate_id_is_refused() -> None:
    genuine = _signed()
    signature = genuine.find("ds:Signature", DS)
    assert signature is not None
    genuine.remove(signature)
    evil = _assertion(assertion_id="_a1", name_id="810006666666")  # same ID as the genuine one
    evil.insert(1, signature)
    etree.SubElement(evil, f"{{{NS_SAML}}}Advice").append(genuine)
    err = _refused(etree.tostring(evil))
    assert err.code == "reference"
    assert "plusieurs fois" in err.reason


def test_duplicate_id_with_valid_digest_is_refused_as_ambiguous() -> None:
    signed = _signed()
    decoy = etree.SubElement(signed, "{urn:x}Decoy")
    decoy.set("ID", "_a1")
    assert _refused(signed).code == "reference"


def test_signature_over_another_element_is_refused() -> None:
    root = _assertion()
    subject = root.find("saml:Subject", DS)
    assert subject is not None
    subject.set("ID", "_subject")
    s = pki().cps_sign
    signer = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA256, c14n_algorithm=xmldsig.EXC_C14N)
    signed = signer.sign(root, key=s.key, cert=s.chain, reference_uri="#_subject")
    assert signed.find("ds:Signature", DS) is not None  # signature sits in the root, covers Subject
    assert _refused(signed).code == "reference"


def test_forbidden_algorithm_is_refused() -> None:
    s = pki().cps_sign
    signer = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA512, c14n_algorithm=xmldsig.EXC_C14N)
    signed = signer.sign(_assertion(), key=s.key, cert=s.chain, reference_uri="#_a1")
    assert _refused(signed).code == "algorithm"


def test_unexpected_tag_is_refused() -> None:
    with pytest.raises(XmlSignatureError) as info:
        xmldsig.verify(_signed(), [pki().root], expected_tag=f"{{{NS_SAML}}}Response")
    assert info.value.code == "tag"


def test_missing_or_repeated_signature() -> None:
    assert _refused(_assertion()).code == "no-signature"
    signed = _signed()
    signed.append(copy.deepcopy(signed.find("ds:Signature", DS)))
    assert _refused(signed).code == "malformed"


def test_signature_buried_deeper_is_not_accepted() -> None:
    signed = _signed()
    signature = signed.find("ds:Signature", DS)
    assert signature is not None
    signed.remove(signature)
    subject = signed.find("saml:Subject", DS)
    assert subject is not None
    subject.append(signature)
    assert _refused(signed).code == "no-signature"


def test_hostile_bytes_are_malformed() -> None:
    data = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    assert _refused(data).code == "malformed"
    assert _refused(b"<saml:Assertion").code == "malformed"


def test_garbage_in_key_info_is_malformed() -> None:
    signed = _signed()
    cert = signed.find("ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", DS)
    assert cert is not None
    cert.text = "bm90IGEgY2VydGlmaWNhdGU="
    assert _refused(signed).code == "malformed"


def test_comment_injection_does_not_truncate_the_verified_value() -> None:
    # Classic SAML attack: a comment splits a signed text node; exclusive C14N ignores comments.
    signed = etree.tostring(_signed()).replace(b"810001234567", b"810001<!--x-->234567")
    result = _verify(signed)
    assert result.element.findtext("saml:Subject/saml:NameID", namespaces=DS) == "810001234567"
