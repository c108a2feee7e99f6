"""INS identity steps, identity sheet and partners (W1-INS-23, règles 31 et 32): the printed sheet of
a qualified identity carries the minimal traits and the INS DataMatrix, any other identity neither
the DataMatrix nor the matricule; the site chooses extra traits; every printout is traced with its
recipient (`POST /patients/{id}/identity-sheet`, `GET /patients/{id}/partners`).

The bench reads the PDF as an auditor would: pages rendered by pypdfium2, the DataMatrix found by
zxing-cpp and decoded with the bench's codec, the text extracted from the page. The PDF is attached
to the report (the "scan of the printout" the REM expects).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import zxingcpp

from bench.steps_lib import evidence, ins, ins_part2
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError
from protocols import ins_datamatrix

SETTINGS = "/settings/identity-sheet"
MAX_PDF_BYTES = 20_000_000
MAX_PAGES = 10
RENDER_SCALE = 3  # 216 dpi: a 0.5 mm module is about 4 pixels, plenty for zxing-cpp
RECIPIENTS = {"patient": "patient", "professionnel": "professionnel", "établissement": "etablissement"}
EXTRA_TRAITS_FR = {"téléphone": "phone", "courriel": "email", "adresse": "address"}


@dataclass(frozen=True)
class ReadSheet:
    """What the bench read in a printed sheet."""

    text: str  # all pages
    symbols: list[str]  # DataMatrix texts found on the pages


def read_pdf(data: bytes) -> ReadSheet:
    """Text and DataMatrix symbols of a PDF, with limits: a printout is small."""
    if not data.startswith(b"%PDF-"):
        raise AssertionError("La fiche d'identité n'est pas un PDF (en-tête %PDF- absent)")
    if len(data) > MAX_PDF_BYTES:
        raise AssertionError(f"Fiche d'identité trop volumineuse ({len(data)} octets)")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise AssertionError(f"Fiche d'identité illisible : {exc}") from None
    try:
        if not 1 <= len(document) <= MAX_PAGES:
            raise AssertionError(f"Fiche d'identité de {len(document)} page(s) (1 à {MAX_PAGES} attendues)")
        texts, symbols = [], []
        for index in range(len(document)):
            page = document[index]
            texts.append(page.get_textpage().get_text_bounded())
            image = page.render(scale=RENDER_SCALE).to_pil().convert("L")
            found = zxingcpp.read_barcodes(
                image,
                formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix),
                text_mode=zxingcpp.TextMode.Plain,
            )
            symbols += [barcode.text for barcode in found if barcode.valid]
        return ReadSheet("\n".join(texts), symbols)
    finally:
        document.close()


def page_png(data: bytes, index: int = 0) -> bytes:
    """A page as PNG (what `protocols.ins_datamatrix.read_png` reads)."""
    document = pdfium.PdfDocument(data)
    try:
        output = io.BytesIO()
        document[index].render(scale=RENDER_SCALE).to_pil().save(output, format="PNG")
        return output.getvalue()
    finally:
        document.close()


# --- settings and printing ---------------------------------------------------------------------------


def set_extra_traits(bench: ScenarioBench, login: str, labels: str) -> None:
    """The site's extra traits (« téléphone, courriel », or « aucun »)."""
    keys = []
    for label in (part.strip().lower() for part in labels.replace(" et ", ",").split(",")):
        if label in ("", "aucun"):
            continue
        if label not in EXTRA_TRAITS_FR:
            raise BenchError(
                f"Scénario mal écrit : trait complémentaire « {label} » ({', '.join(EXTRA_TRAITS_FR)})"
            )
        keys.append(EXTRA_TRAITS_FR[label])
    session = ins.acting(bench, login)
    outcome = ins.act(
        bench, session, "PUT", SETTINGS, "Traits complémentaires de la fiche", json={"extra_traits": keys}
    )
    saved = ins.require_ok(outcome).get("extra_traits")
    if sorted(saved or []) != sorted(keys):
        raise AssertionError(f"Traits complémentaires enregistrés {saved!r} au lieu de {keys!r}")


def print_sheet(bench: ScenarioBench, login: str, ref: str, kind: str, name: str) -> None:
    if kind not in RECIPIENTS:
        raise BenchError(f"Scénario mal écrit : destinataire « {kind} » ({', '.join(RECIPIENTS)})")
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    recipient = {"kind": RECIPIENTS[kind], "name": name}
    answer = bench.target.fetch(
        "POST",
        f"/patients/{pid}/identity-sheet",
        session=session,
        json={"recipient": recipient},
        accept="application/pdf",
    )
    if answer.status >= 400:
        problem = answer.json_object()
        raise AssertionError(
            f"Impression de la fiche d'identité de « {ref} » refusée ({answer.status}, code "
            f"« {problem.get('code')} ») : {problem.get('detail') or answer.text[:300]}"
        )
    media_type = _header(answer.headers, "content-type")
    if "application/pdf" not in media_type.lower():
        raise AssertionError(f"Fiche d'identité de « {ref} » rendue en « {media_type} » et non en PDF")
    evidence.attach(
        bench,
        f"Fiche d'identité imprimée de « {ref} » pour {name}",
        answer.content,
        media_type="application/pdf",
        source=f"POST /driver/v1/patients/{pid}/identity-sheet",
    )
    bench.remember("ins.sheet", (ref, read_pdf(answer.content), answer.content))


def _header(headers: dict[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name), "")


def _sheet(bench: ScenarioBench, ref: str) -> tuple[ReadSheet, bytes]:
    printed_ref, sheet, data = bench.recall("ins.sheet")
    if printed_ref != ref:
        raise BenchError(f"Scénario mal écrit : la dernière fiche imprimée est celle de « {printed_ref} »")
    return sheet, data


def _ins_symbols(sheet: ReadSheet) -> list[str]:
    return [text for text in sheet.symbols if text.startswith(ins_datamatrix.MARKER)]


def _date_forms(iso: str) -> list[str]:
    year, month, day = iso.split("-")
    return [f"{day}/{month}/{year}", iso, f"{day}.{month}.{year}", f"{day}-{month}-{year}"]


def check_minimal_traits(bench: ScenarioBench, ref: str) -> None:
    """Birth name, first birth first name and birth date are printed (sex and birth place are in the
    DataMatrix of a qualified identity; their wording on the page is the LGO's)."""
    sheet, _ = _sheet(bench, ref)
    traits = ins.traits_of(ins.read_patient(bench, ref))
    folded = ins.fold(sheet.text)
    first = next(iter(ins.first_names_list(traits.get("first_names"))), "")
    missing = [
        label
        for label, value in (("nom de naissance", traits.get("birth_name")), ("premier prénom", first))
        if value and ins.fold(str(value)) not in folded
    ]
    birth_date = str(traits.get("birth_date") or "")
    if birth_date and not any(form in sheet.text for form in _date_forms(birth_date)):
        missing.append(f"date de naissance {birth_date}")
    if missing:
        raise AssertionError(f"La fiche de « {ref} » n'imprime pas : {', '.join(missing)}")


def check_qualified_sheet(bench: ScenarioBench, ref: str, person_id: str) -> None:
    """One INS DataMatrix, decoded to exactly the person's INS and INS traits (read back from the
    rendered page with the bench's PNG reader)."""
    sheet, data = _sheet(bench, ref)
    symbols = _ins_symbols(sheet)
    if len(symbols) != 1:
        raise AssertionError(
            f"La fiche de l'identité qualifiée « {ref} » porte {len(symbols)} DataMatrix INS (un seul attendu)"
        )
    try:
        payload = ins_datamatrix.read_png(page_png(data))
    except ins_datamatrix.InsDataMatrixError as exc:
        raise AssertionError(f"DataMatrix INS de la fiche de « {ref} » non conforme : {exc}") from None
    person = ins.person(bench, person_id)
    expected = (
        person.matricule,
        person.oid,
        person.birth_name,
        tuple(person.first_names),
        person.sex,
        str(person.birth_date),
        person.birth_place,
    )
    actual = (
        payload.matricule,
        payload.oid,
        payload.birth_name,
        payload.first_names,
        payload.sex,
        payload.birth_date,
        payload.birth_place,
    )
    if actual != expected:
        raise AssertionError(
            f"DataMatrix INS de la fiche de « {ref} » : {actual} au lieu de l'INS et des traits de "
            f"« {person_id} » {expected}"
        )


def _known_matricules(bench: ScenarioBench, ref: str) -> list[str]:
    """The matricules this patient's sheet must not show: its own (seeded) and its person's."""
    seeded = ins.local_patient(bench, ref)
    person_id = seeded.person_id if seeded is not None else ref
    found = [seeded.matricule if seeded is not None else None]
    if person_id and any(person.id == person_id for person in bench.world.persons):
        found.append(ins.person(bench, person_id).matricule)
    return [m for m in found if m]


def check_unqualified_sheet(bench: ScenarioBench, ref: str) -> None:
    """Neither an INS DataMatrix nor the matricule (even spaced out) on the sheet of a non-QUAL identity."""
    sheet, _ = _sheet(bench, ref)
    if _ins_symbols(sheet):
        raise AssertionError(f"La fiche de « {ref} », identité non qualifiée, porte un DataMatrix INS")
    folded = ins.fold(sheet.text)
    shown = [m for m in _known_matricules(bench, ref) if ins.fold(m) in folded]
    if shown:
        raise AssertionError(
            f"La fiche de « {ref} », identité non qualifiée, imprime le matricule {shown[0]}"
        )


def check_prints(bench: ScenarioBench, ref: str, value: str, printed: bool) -> None:
    sheet, _ = _sheet(bench, ref)
    present = ins.fold(value) in ins.fold(sheet.text)
    if present != printed:
        verb = "n'imprime pas" if printed else "imprime"
        raise AssertionError(f"La fiche de « {ref} » {verb} « {value} »")


# --- partners ----------------------------------------------------------------------------------------


def partners(bench: ScenarioBench, ref: str) -> list[dict[str, Any]]:
    pid = ins.patient_id(bench, ref)
    return ins_part2.as_items(
        bench.target.call("GET", f"/patients/{pid}/partners", session=ins.reader(bench))
    )


def check_partner(bench: ScenarioBench, ref: str, login: str, kind: str, name: str, with_ins: bool) -> None:
    items = partners(bench, ref)
    for item in items:
        recipient = ins.as_dict(item.get("recipient"))
        if (
            item.get("at")
            and item.get("account") == login
            and recipient.get("kind") == RECIPIENTS.get(kind)
            and ins.fold(recipient.get("name")) == ins.fold(name)
        ):
            if item.get("ins_transmitted") is not with_ins:
                raise AssertionError(
                    f"Trace de « {ref} » vers {name} : ins_transmitted = {item.get('ins_transmitted')!r} au lieu "
                    f"de {with_ins!r}"
                )
            return
    listing = "\n".join(
        f"  {i.get('at')} {i.get('account')} {i.get('channel')} -> {i.get('recipient')} INS={i.get('ins_transmitted')}"
        for i in items
    )
    raise AssertionError(
        f"Aucune trace de la fiche de « {ref} » imprimée par « {login} » pour {name} ({kind}) :\n"
        f"{listing or '  (aucun partenaire tracé)'}"
    )


def create_with_phone(bench: ScenarioBench, login: str, person_id: str, phone: str) -> None:
    """An identity typed at the counter with the patient's phone number (a complementary datum)."""
    from bench.steps_lib import ins_patients

    body = ins_patients.person_body(bench, person_id)
    body["extra"] = {"phone": phone}
    ins_patients.create(bench, login, person_id, body)
