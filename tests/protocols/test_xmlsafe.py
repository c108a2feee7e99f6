from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree

from protocols import xmlsafe
from protocols.xmlsafe import XmlRejected


def test_parses_plain_xml_and_keeps_whitespace() -> None:
    root = xmlsafe.parse(b'<a xmlns="urn:x"> <b>texte \xc3\xa9</b> </a>')
    assert root.tag == "{urn:x}a"
    assert root.text == " "
    assert root[0].text == "texte é"


def test_accepts_declared_latin1_encoding() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><r>é</r>'.encode("latin-1")
    assert xmlsafe.parse(data).text == "é"


def test_xxe_is_refused_and_no_file_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-VALUE")
    data = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>').encode()
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(data)
    assert info.value.kind == "doctype"
    assert "DOCTYPE" in info.value.reason
    assert "SECRET-VALUE" not in str(info.value)


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><lolz>&lol9;</lolz>'.encode()
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(data)
    # libxml2 may stop on its amplification guard before our DOCTYPE check: refused either way.
    assert info.value.kind in ("doctype", "malformed")


def test_small_entity_expansion_is_refused_by_the_doctype_rule() -> None:
    data = b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><r>&b;</r>'
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(data)
    assert info.value.kind == "doctype"


def test_external_dtd_is_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(data)
    assert info.value.kind == "doctype"


def test_parameter_entity_is_refused() -> None:
    data = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><r/>'
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(data)
    assert info.value.kind in ("doctype", "malformed")


def test_undefined_entity_is_malformed() -> None:
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(b"<r>&foo;</r>")
    assert info.value.kind == "malformed"
    assert info.value.reason.startswith("XML mal formé (ligne 1")


def test_size_limit() -> None:
    data = b"<r>" + b"a" * 2000 + b"</r>"
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(data, max_bytes=1000)
    assert info.value.kind == "too-large"
    assert "trop volumineux" in info.value.reason
    assert xmlsafe.parse(data, max_bytes=len(data)).text == "a" * 2000


def test_default_limit_is_two_megabytes() -> None:
    data = b"<r>" + b"a" * xmlsafe.DEFAULT_MAX_BYTES + b"</r>"
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(data)
    assert info.value.kind == "too-large"


def test_excessive_depth_is_refused() -> None:
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(b"<a>" * 5000 + b"</a>" * 5000)
    assert info.value.kind == "malformed"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<r><a>", "malformed"),
        (b"<r>\xe9\xff</r>", "malformed"),
        (b"\xff\xfe\x00\x00garbage", "malformed"),
        (b"<r>\x00</r>", "malformed"),
        (b"not xml at all", "malformed"),
        (b"<a/><b/>", "malformed"),
    ],
)
def test_bad_inputs_are_rejected_with_a_kind(data: bytes, kind: str) -> None:
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse(data)
    assert info.value.kind == kind
    assert info.value.reason


def test_str_input_is_refused() -> None:
    with pytest.raises(XmlRejected) as info:
        xmlsafe.parse("<r/>")  # type: ignore[arg-type]
    assert info.value.kind == "type"


def test_one_parser_per_thread() -> None:
    parsers: list[etree.XMLParser] = []

    def grab() -> None:
        parsers.append(xmlsafe.parser())

    thread = threading.Thread(target=grab)
    thread.start()
    thread.join()
    assert xmlsafe.parser() is xmlsafe.parser()
    assert parsers[0] is not xmlsafe.parser()


def test_parallel_parsing_gives_correct_results() -> None:
    errors: list[str] = []

    def work(n: int) -> None:
        for i in range(200):
            root = xmlsafe.parse(f"<r n='{n}'><i>{i}</i></r>".encode())
            if root.get("n") != str(n) or root[0].text != str(i):
                errors.append(f"{n}/{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
