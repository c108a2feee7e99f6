"""The INSi schemas of `data/` (written from the spec digest), compiled once with lxml, and the
WSDL as the simulator serves it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

DATA = Path(__file__).parent / "data"
XSD_DIR = DATA / "xsd"
WSDL_PATH = DATA / "DESIR_ICIR_EXP_1.5.0.wsdl"
XSD_FILES = (
    "INSi_RECSANS_INS.xsd",
    "INSi_RECVITALE_INS.xsd",
    "INSi_RESULTAT_INS.xsd",
    "ROOT_ctxlps_CTXLPS_V01_00.xsd",
    "ROOT_ctxbam_CTXBAM_V01_02.xsd",
    "schema_faultSOAP_V01_01.xsd",
)


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    """One schema holding every INSi element (requests, answer, contexts, fault detail)."""
    imports = []
    for name in XSD_FILES:
        target = etree.parse(str(XSD_DIR / name)).getroot().get("targetNamespace")
        imports.append(f'<xs:import namespace="{target}" schemaLocation="{(XSD_DIR / name).as_uri()}"/>')
    master = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:segur-bench:insi:all">'
        + "".join(imports)
        + "</xs:schema>"
    )
    return etree.XMLSchema(etree.fromstring(master.encode()))


def errors(element: etree._Element) -> list[str]:
    """Schema violations of one element (validated as a root), as 'line N: message' strings."""
    validator = schema()
    if validator.validate(element):
        return []
    return [f"ligne {e.line} : {e.message}" for e in validator.error_log]


def xsd_text(name: str) -> bytes | None:
    """One of the XSD files, for clients that fetch the schemas of the served WSDL."""
    if name not in XSD_FILES:
        return None
    return (XSD_DIR / name).read_bytes()


def wsdl_text(address: str) -> bytes:
    """The WSDL with the endpoint address of this listener and schema links it can serve."""
    text = WSDL_PATH.read_text(encoding="utf-8")
    text = text.replace('location="https://localhost:7001/lps"', f'location="{address}"')
    text = text.replace('schemaLocation="xsd/', 'schemaLocation="?xsd=')
    return text.encode("utf-8")
