"""Printable identity sheet (PDF, A4, French) of a patient of the reference LGO.

Facts: REM W1-INS-23 (paper outputs of a qualified identity show the minimal traits and the INS
DataMatrix; extra traits are chosen per site), spec digest `insi-dmp-cda-dp.md` §1.10-1.11 (only a
qualified identity shares its INS: a RECUP identity holds a matricule that must not be printed).
The DataMatrix content follows the bench contract `docs/contracts/ins-datamatrix.md`.

The shell fills the two input dataclasses from its models; nothing here touches the database.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from protocols.identifiers import INS_OIDS, is_test_ins_oid
from protocols.ins_datamatrix import InsDataMatrix, render_png
from reference_lgo.documents import pdf_fonts

PARIS = ZoneInfo("Europe/Paris")

STATUS_LABELS: dict[str, str] = {
    "PROV": "Identité provisoire",
    "RECUP": "Identité récupérée",
    "VALI": "Identité validée",
    "QUAL": "Identité qualifiée",
}
SEX_LABELS: dict[str, str] = {"M": "Masculin", "F": "Féminin", "I": "Indéterminé"}
ATTRIBUTE_LABELS: dict[str, str] = {
    "douteuse": "Identité douteuse",
    "fictive": "Identité fictive",
    "homonyme": "Homonyme",
}
# Extra traits a site may add to its printouts (W1-INS-23); the values come from IdentitySheetData.extra.
EXTRA_TRAITS: dict[str, str] = {
    "address": "Adresse",
    "phone": "Téléphone",
    "email": "Courriel",
    "local_id": "Identifiant local du patient",
    "birth_city": "Commune de naissance",
    "birth_country": "Pays de naissance",
    "id_document": "Justificatif d'identité",
    "attending_doctor": "Médecin traitant",
}

# A module of 0.55 mm keeps the usual 32-40 module symbol around 2 cm, readable by desk scanners.
MODULE_MM = 0.55
_PNG_SCALE = 8
_MARGIN = 18 * mm
_CONTENT_WIDTH = A4[0] - 2 * _MARGIN - 12  # minus the frame's 6 pt paddings

_INK = colors.HexColor("#1F2933")
_MUTED = colors.HexColor("#52606D")
_RULE = colors.HexColor("#9AA5B1")
_ZEBRA = colors.HexColor("#F5F7FA")
_QUAL_BG, _QUAL_FG = colors.HexColor("#E3F1E6"), colors.HexColor("#1E6B33")
_OTHER_BG, _OTHER_FG = colors.HexColor("#FFF4E0"), colors.HexColor("#8A4B00")


class IdentitySheetError(ValueError):
    """Input the sheet cannot be built from; `str()` is a French message."""


@dataclass(frozen=True)
class PharmacyHeader:
    name: str
    address_lines: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    finess: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class IdentitySheetData:
    """What the sheet prints. `status` is PROV, RECUP, VALI or QUAL (an `IdentityStatus` works: it is
    a str). `matricule` and `oid` are printed only when the status is QUAL."""

    status: str
    birth_name: str
    first_names: tuple[str, ...]  # birth first names, civil-status order
    sex: str  # M, F or I
    birth_date: str  # YYYY-MM-DD, lunar dates keep their 00 day and/or month
    birth_place: str | None = None  # COG
    birth_place_label: str | None = None  # e.g. "Ajaccio (2A)", shown next to the COG
    used_name: str | None = None
    used_first_name: str | None = None
    matricule: str | None = None
    oid: str | None = None
    attributes: tuple[str, ...] = ()  # douteuse, fictive, homonyme
    extra: dict[str, str] = field(default_factory=dict)  # values of EXTRA_TRAITS keys


def build_identity_sheet(
    identity: IdentitySheetData,
    *,
    pharmacy: PharmacyHeader,
    extra_traits: list[str],
    printed_by: str,
    printed_at: datetime,
) -> bytes:
    """The PDF of the sheet. Raises `IdentitySheetError` on inconsistent input and
    `InsDataMatrixError` when a qualified identity's traits cannot be put in the DataMatrix."""
    _check(identity, extra_traits, printed_at)
    qualified = identity.status == "QUAL"
    styles = _Styles(pdf_fonts.register())
    story: list[Flowable] = [
        _pharmacy_block(pharmacy, styles),
        Spacer(1, 6 * mm),
        _status_banner(identity.status, styles),
        Spacer(1, 6 * mm),
        Paragraph("Traits d'identité", styles.section),
        _rows_table(_trait_rows(identity), styles),
        Spacer(1, 6 * mm),
        Paragraph("Identifiant national de santé (INS)", styles.section),
        _ins_block(identity, styles) if qualified else _not_qualified_notice(identity.status, styles),
    ]
    if extra_traits:
        rows = [(EXTRA_TRAITS[key], identity.extra.get(key) or None) for key in extra_traits]
        story += [
            Spacer(1, 6 * mm),
            KeepTogether(
                [Paragraph("Informations complémentaires", styles.section), _rows_table(rows, styles)]
            ),
        ]

    local = printed_at.astimezone(PARIS)
    footer = f"Imprimé par {printed_by} le {local:%d/%m/%Y} à {local:%H:%M} (heure de Paris)"
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=16 * mm,
        bottomMargin=22 * mm,
        # Metadata stay free of identity data: no name, and never the INS.
        title="Fiche d'identité du patient",
        author=pharmacy.name,
        subject=STATUS_LABELS[identity.status],
        creator="segur-bench — LGO de référence",
        lang="fr-FR",
        invariant=True,
    )
    on_page = _page_decorator(footer, _pdf_date(local), styles)
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return output.getvalue()


# --- checks ----------------------------------------------------------------------------------


def _check(identity: IdentitySheetData, extra_traits: list[str], printed_at: datetime) -> None:
    if identity.status not in STATUS_LABELS:
        raise IdentitySheetError(
            f"Statut d'identité « {identity.status} » inconnu (attendu : {', '.join(STATUS_LABELS)})"
        )
    if identity.sex not in SEX_LABELS:
        raise IdentitySheetError(f"Sexe « {identity.sex} » inconnu (attendu : M, F ou I)")
    if identity.status == "QUAL" and not (identity.matricule and identity.oid):
        raise IdentitySheetError("Identité qualifiée sans INS (matricule et OID) : fiche impossible à éditer")
    unknown = [key for key in extra_traits if key not in EXTRA_TRAITS]
    if unknown:
        raise IdentitySheetError(
            f"Trait complémentaire inconnu : {', '.join(unknown)} (attendu : {', '.join(EXTRA_TRAITS)})"
        )
    if printed_at.tzinfo is None or printed_at.utcoffset() is None:
        raise IdentitySheetError("Date d'impression sans fuseau horaire")


# --- content ---------------------------------------------------------------------------------


class _Styles:
    def __init__(self, font: str) -> None:
        base = ParagraphStyle("base", fontName=font, fontSize=10, leading=13, textColor=_INK)
        self.body = base
        self.label = ParagraphStyle("label", parent=base, textColor=_MUTED, fontSize=9)
        self.value = ParagraphStyle("value", parent=base, fontName=pdf_fonts.BOLD)
        self.empty = ParagraphStyle("empty", parent=base, fontName=pdf_fonts.ITALIC, textColor=_MUTED)
        self.pharmacy = ParagraphStyle(
            "pharmacy", parent=base, fontName=pdf_fonts.BOLD, fontSize=13, leading=16
        )
        self.small = ParagraphStyle("small", parent=base, fontSize=9, leading=11.5, textColor=_MUTED)
        self.title = ParagraphStyle(
            "title", parent=base, fontName=pdf_fonts.BOLD, fontSize=16, leading=20, alignment=TA_RIGHT
        )
        self.subtitle = ParagraphStyle("subtitle", parent=self.small, alignment=TA_RIGHT)
        self.section = ParagraphStyle(
            "section", parent=base, fontName=pdf_fonts.BOLD, fontSize=11.5, leading=14, spaceAfter=2 * mm
        )
        self.banner = ParagraphStyle(
            "banner", parent=base, fontName=pdf_fonts.BOLD, fontSize=11.5, leading=14
        )
        self.footer_font = font
        self.caption = ParagraphStyle("caption", parent=self.small, alignment=1)


def _text(value: str) -> str:
    return escape(value)


def _pharmacy_block(pharmacy: PharmacyHeader, styles: _Styles) -> Table:
    left: list[Flowable] = [Paragraph(_text(pharmacy.name), styles.pharmacy)]
    lines = [
        *pharmacy.address_lines,
        " ".join(part for part in (pharmacy.postal_code, pharmacy.city) if part),
    ]
    if pharmacy.phone:
        lines.append(f"Tél. {pharmacy.phone}")
    if pharmacy.finess:
        lines.append(f"FINESS {pharmacy.finess}")
    left += [Paragraph(_text(line), styles.small) for line in lines if line]
    right = [Paragraph("Fiche d'identité", styles.title), Paragraph("du patient", styles.subtitle)]
    table = Table([[left, right]], colWidths=["60%", "40%"])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, _RULE),
            ]
        )
    )
    return table


def _status_banner(status: str, styles: _Styles) -> Table:
    background, ink = (_QUAL_BG, _QUAL_FG) if status == "QUAL" else (_OTHER_BG, _OTHER_FG)
    style = ParagraphStyle("status", parent=styles.banner, textColor=ink)
    table = Table([[Paragraph(f"Statut de l'identité : {STATUS_LABELS[status]}", style)]], colWidths=["100%"])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("BOX", (0, 0), (-1, -1), 0.8, ink),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return table


def _format_date(iso: str) -> str:
    year, month, day = iso.split("-") if iso.count("-") == 2 else ("", "", "")
    if not (year.isdigit() and month.isdigit() and day.isdigit()):
        raise IdentitySheetError(f"Date de naissance « {iso} » invalide (AAAA-MM-JJ attendu)")
    shown = f"{day}/{month}/{year}"
    return f"{shown} (date lunaire)" if "00" in (day, month) else shown


def _trait_rows(identity: IdentitySheetData) -> list[tuple[str, str | None]]:
    place = identity.birth_place
    if place and identity.birth_place_label:
        place = f"{place} — {identity.birth_place_label}"
    rows: list[tuple[str, str | None]] = [
        ("Nom de naissance", identity.birth_name),
        ("Premier prénom de naissance", identity.first_names[0] if identity.first_names else None),
        ("Prénom(s) de naissance", " ".join(identity.first_names) or None),
        ("Nom utilisé", identity.used_name),
        ("Prénom utilisé", identity.used_first_name),
        ("Sexe", SEX_LABELS[identity.sex]),
        ("Date de naissance", _format_date(identity.birth_date)),
        ("Lieu de naissance (code COG)", place),
    ]
    if identity.attributes:
        rows.append(
            ("Attributs de l'identité", ", ".join(ATTRIBUTE_LABELS.get(a, a) for a in identity.attributes))
        )
    return rows


def _rows_table(
    rows: list[tuple[str, str | None]],
    styles: _Styles,
    widths: tuple[float, float] = (0.38 * _CONTENT_WIDTH, 0.62 * _CONTENT_WIDTH),
) -> Table:
    data = [
        [
            Paragraph(_text(label), styles.label),
            Paragraph(_text(value), styles.value) if value else Paragraph("non renseigné", styles.empty),
        ]
        for label, value in rows
    ]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6 * mm),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE),
    ]
    commands += [("BACKGROUND", (0, row), (-1, row), _ZEBRA) for row in range(0, len(data), 2)]
    table = Table(data, colWidths=list(widths), hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _group_matricule(matricule: str) -> str:
    """Sex, year, month, département, commune, order, key: the way a NIR is read aloud."""
    cuts = (1, 3, 5, 7, 10, 13)
    parts, start = [], 0
    for cut in cuts:
        parts.append(matricule[start:cut])
        start = cut
    parts.append(matricule[start:])
    return " ".join(parts)


def _ins_kind(oid: str) -> str:
    label = INS_OIDS.get(oid, oid)
    kind = "NIR" if label.startswith("INS-NIR") else "NIA (identifiant d'attente)"
    return f"{label} — {kind}" + (", OID de test" if is_test_ins_oid(oid) else "")


def _ins_block(identity: IdentitySheetData, styles: _Styles) -> Table:
    if identity.matricule is None or identity.oid is None:  # _check refuses it first
        raise IdentitySheetError("Identité qualifiée sans INS (matricule et OID) : fiche impossible à éditer")
    payload = InsDataMatrix(
        matricule=identity.matricule,
        oid=identity.oid,
        birth_name=identity.birth_name,
        first_names=tuple(identity.first_names),
        sex=identity.sex,  # type: ignore[arg-type]  # encode() refuses anything but M/F
        birth_date=identity.birth_date,
        birth_place=identity.birth_place,
    )
    png = render_png(payload, scale=_PNG_SCALE)
    image = Image(io.BytesIO(png))
    side = image.imageWidth / _PNG_SCALE * MODULE_MM * mm
    image.drawWidth = image.drawHeight = side
    rows: list[tuple[str, str | None]] = [
        ("Matricule INS", _group_matricule(identity.matricule)),
        ("Type d'INS", _ins_kind(identity.oid)),
        ("OID", identity.oid),
    ]
    right_width = side + 8 * mm
    label_width = 0.38 * _CONTENT_WIDTH  # aligned on the traits table above
    left = _rows_table(rows, styles, (label_width, _CONTENT_WIDTH - right_width - 4 * mm - label_width))
    right = [image, Paragraph("DataMatrix INS", styles.caption)]
    table = Table([[left, right]], colWidths=[_CONTENT_WIDTH - right_width, right_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("BOX", (1, 0), (1, 0), 0.5, _RULE),
                ("TOPPADDING", (1, 0), (1, 0), 3 * mm),
            ]
        )
    )
    return table


def _not_qualified_notice(status: str, styles: _Styles) -> Table:
    style = ParagraphStyle("notice", parent=styles.body, textColor=_OTHER_FG)
    text = (
        "<b>INS non imprimable.</b> L'identité n'est pas qualifiée "
        f"(statut : {STATUS_LABELS[status].lower()}) : ni le matricule INS ni le DataMatrix INS ne "
        "figurent sur ce document. Seule une identité qualifiée, récupérée auprès du téléservice INSi "
        "et vérifiée sur un justificatif d'identité à haut niveau de confiance, peut être référencée "
        "par son INS."
    )
    table = Table([[Paragraph(text, style)]], colWidths=["100%"])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), _OTHER_BG),
                ("BOX", (0, 0), (-1, -1), 0.8, _OTHER_FG),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return table


# --- page furniture --------------------------------------------------------------------------


def _pdf_date(local: datetime) -> str:
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"D:{local:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _page_decorator(footer: str, pdf_date: str, styles: _Styles) -> Callable[[Canvas, Any], None]:
    def decorate(canvas: Canvas, document: Any) -> None:
        # Creation date = printing time (reportlab's invariant mode would stamp 2000-01-01).
        canvas.setDateFormatter(lambda *_: pdf_date)
        canvas.saveState()
        # Aligned on the frame's content box (margin + the frame's own 6 pt padding).
        left, right, y = document.leftMargin + 6, A4[0] - document.rightMargin - 6, 14 * mm
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, y + 4 * mm, right, y + 4 * mm)
        canvas.setFont(styles.footer_font, 8.5)
        canvas.setFillColor(_MUTED)
        canvas.drawString(left, y, footer)
        canvas.drawRightString(right, y, f"Page {document.page}")
        canvas.restoreState()

    return decorate
