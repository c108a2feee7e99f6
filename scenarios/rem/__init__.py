"""The REM officine catalogue (waves 1 and 2) as data: `officine-va1.csv`, `officine-va2.csv` and the
not-tested reasons of `non-testees.yaml` (CONVENTIONS: REM catalogue).

Source: `rem-catalog.md` §4 (wave 1) and §5 (wave 2); the catalogue is a reconstruction, not an
official ANS text. Transcription rules:

- `bench_id` is `W<wave>-<THEME>-nn`; the catalogue's `LGO.MSS.nn` rows are `W1-MSS-01..13` and
  wave-2 rows are numbered in catalogue order within their theme.
- `ans_ids` holds the ANS-scheme ids the catalogue attaches to the row (`SC.*` socle ids, `LGO.*` REM
  ids), ranges expanded. LGC equivalents (`≈ LGC INS.07`, `= LGC MSS.03`, LGC-variant ids such as
  `SC.INS.10.LGC`) and ids the catalogue calls provisional (`LGO.ERGO`, `LGO.TBB`...) go to `sources`.
- `assumed` is `oui` exactly when the row's use in the LGO REM is inferred or reconstructed, that is
  when `status` is not `confirmed-lgo` (the catalogue's "confirmed (LGO)"); the loader enforces it.
- `evidence_type` lists the kinds of proof expected (`demo`, `file`, `test-bed`, `smtp`, `cnda`, `doc`,
  `attestation`, `extract`), or `aucune`.

This module stays light (csv + pydantic): the CLI and the reports import it; behave is only needed by
`scenarios.rem.coverage`.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

REM_DIR = Path(__file__).resolve().parent
NOT_TESTED_FILE = REM_DIR / "non-testees.yaml"
HEADER = [
    "bench_id",
    "ans_ids",
    "wave",
    "theme",
    "title_fr",
    "summary_fr",
    "obligation",
    "conditional",
    "assumed",
    "evidence_type",
    "evidence_fr",
    "status",
    "sources",
]
THEMES: tuple[str, ...] = (
    "INS", "DMP", "DOC", "MSS", "PSC", "APCV", "EP", "DP",
    "PORT", "TBB", "SSI", "VACC", "ORDN", "ERGO", "RUM", "RGPD",
)  # fmt: skip
OBLIGATIONS: tuple[str, ...] = ("DOIT", "PEUT", "INCONNU")
STATUSES: tuple[str, ...] = ("confirmed-lgo", "confirmed-socle", "reconstructed")
EVIDENCE_TYPES: tuple[str, ...] = (
    "demo",
    "file",
    "test-bed",
    "smtp",
    "cnda",
    "doc",
    "attestation",
    "extract",
)
NO_EVIDENCE = "aucune"

# French labels for what users read (CLI, reports).
THEME_NAMES_FR: dict[str, str] = {
    "INS": "Identité nationale de santé",
    "DMP": "Dossier médical partagé / Mon espace santé",
    "DOC": "Production de documents",
    "MSS": "Messagerie sécurisée de santé",
    "PSC": "Pro Santé Connect",
    "APCV": "Application carte Vitale",
    "EP": "e-prescription (côté exécutant)",
    "DP": "Dossier pharmaceutique",
    "PORT": "Portabilité des données",
    "TBB": "Tableaux de bord d'usage",
    "SSI": "Sécurité des systèmes d'information",
    "VACC": "Vaccination",
    "ORDN": "Ordonnance numérique",
    "ERGO": "Ergonomie",
    "RUM": "Référentiel unique du médicament",
    "RGPD": "Protection des données personnelles",
}
STATUS_LABELS_FR: dict[str, str] = {
    "confirmed-lgo": "confirmée (LGO)",
    "confirmed-socle": "confirmée (socle)",
    "reconstructed": "reconstituée",
}
EVIDENCE_LABELS_FR: dict[str, str] = {
    "demo": "démonstration (vidéo, captures)",
    "file": "fichier produit",
    "test-bed": "rapport du banc de test CI-SIS",
    "smtp": "source SMTP",
    "cnda": "homologation CNDA / SESAM-Vitale",
    "doc": "documentation",
    "attestation": "attestation, engagement",
    "extract": "extrait (configuration, journaux, données)",
}

Theme = Literal[
    "INS",
    "DMP",
    "DOC",
    "MSS",
    "PSC",
    "APCV",
    "EP",
    "DP",
    "PORT",
    "TBB",
    "SSI",
    "VACC",
    "ORDN",
    "ERGO",
    "RUM",
    "RGPD",
]
Obligation = Literal["DOIT", "PEUT", "INCONNU"]
Status = Literal["confirmed-lgo", "confirmed-socle", "reconstructed"]
EvidenceType = Literal["demo", "file", "test-bed", "smtp", "cnda", "doc", "attestation", "extract"]

BENCH_ID_RE = re.compile(r"^W(?P<wave>[12])-(?P<theme>[A-Z]+)-(?P<num>\d{2})$")
# SC.INS.06.LGO, SC.INS/va1.22, SC.ApCV.01, SC.ePresc.03, LGO.MSS.01, LGO.DMP/UX.07, LGO.SSI/IE.30...
ANS_ID_RE = re.compile(r"^(?:SC|LGO)\.[A-Za-z]+(?:[./][A-Za-z0-9]+)+$")
_BOOLEANS = {"oui": True, "non": False}


class RemCatalogueError(ValueError):
    """The catalogue files do not respect their format; the message (French) names file and line."""


class UnknownRequirement(LookupError):
    """No catalogue row has this id."""

    def __init__(self, requirement_id: str) -> None:
        super().__init__(f"exigence inconnue : « {requirement_id} »")
        self.requirement_id = requirement_id


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


class RemRow(BaseModel):
    """One requirement of the catalogue (one CSV line)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bench_id: str
    ans_ids: tuple[str, ...]
    wave: Literal[1, 2]
    theme: Theme
    title_fr: str
    summary_fr: str
    obligation: Obligation
    conditional: bool
    assumed: bool
    evidence_type: tuple[EvidenceType, ...]  # empty = "aucune"
    evidence_fr: str
    status: Status
    sources: tuple[str, ...]

    @field_validator("ans_ids", "sources", mode="before")
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("evidence_type", mode="before")
    @classmethod
    def _split_evidence(cls, value: Any) -> Any:
        parts = _split(value)
        if isinstance(parts, list) and NO_EVIDENCE in parts:
            if len(parts) > 1:
                raise ValueError(f"« {NO_EVIDENCE} » ne se combine avec aucun autre type de preuve")
            return []
        if parts == []:
            raise ValueError(f"type de preuve vide (écrire « {NO_EVIDENCE} » s'il n'y en a pas)")
        return parts

    @field_validator("wave", mode="before")
    @classmethod
    def _wave_number(cls, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.isdigit() else value

    @field_validator("conditional", "assumed", mode="before")
    @classmethod
    def _oui_non(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value not in _BOOLEANS:
                raise ValueError(f"« {value} » au lieu de « oui » ou « non »")
            return _BOOLEANS[value]
        return value

    @field_validator("ans_ids")
    @classmethod
    def _check_ans_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for ans_id in value:
            if not ANS_ID_RE.match(ans_id):
                raise ValueError(f"identifiant ANS mal formé : « {ans_id} »")
        if len(set(value)) != len(value):
            raise ValueError("identifiant ANS en double")
        return value

    @field_validator("title_fr", "summary_fr", "evidence_fr")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("texte vide")
        return value

    @field_validator("sources")
    @classmethod
    def _some_source(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("aucune source")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> RemRow:
        match = BENCH_ID_RE.match(self.bench_id)
        if not match:
            raise ValueError(f"identifiant banc « {self.bench_id} » hors format W<vague>-<THÈME>-nn")
        if int(match["wave"]) != self.wave or match["theme"] != self.theme:
            raise ValueError(
                f"identifiant banc « {self.bench_id} » incohérent avec la vague {self.wave} et le thème {self.theme}"
            )
        if self.assumed != (self.status != "confirmed-lgo"):
            raise ValueError(
                "« assumed » doit valoir « oui » exactement quand le statut n'est pas « confirmed-lgo »"
            )
        return self

    def to_csv_dict(self) -> dict[str, str]:
        """The row in its CSV (and JSON output) spelling."""
        return {
            "bench_id": self.bench_id,
            "ans_ids": ";".join(self.ans_ids),
            "wave": str(self.wave),
            "theme": self.theme,
            "title_fr": self.title_fr,
            "summary_fr": self.summary_fr,
            "obligation": self.obligation,
            "conditional": "oui" if self.conditional else "non",
            "assumed": "oui" if self.assumed else "non",
            "evidence_type": ";".join(self.evidence_type) or NO_EVIDENCE,
            "evidence_fr": self.evidence_fr,
            "status": self.status,
            "sources": ";".join(self.sources),
        }


def _french_errors(error: ValidationError) -> str:
    """Pydantic's messages are English: rebuild one French message per failing field."""
    parts = []
    for item in error.errors():
        field = ".".join(str(loc) for loc in item["loc"])
        where = f"champ « {field} » : " if field else ""
        kind = item["type"]
        if kind == "value_error":
            detail = str(item["ctx"]["error"])
        elif kind == "literal_error":
            detail = f"valeur « {item['input']} » non permise (attendu : {item['ctx']['expected'].replace(' or ', ' ou ')})"
        elif kind == "missing":
            detail = "absent"
        elif kind == "extra_forbidden":
            detail = "champ inconnu"
        else:
            detail = f"valeur « {item['input']} » invalide"
        parts.append(where + detail)
    return " ; ".join(parts)


def parse_catalogue_file(path: Path, wave: int) -> list[RemRow]:
    """Reads and validates one catalogue CSV; raises RemCatalogueError naming the line."""
    rows: list[RemRow] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header != HEADER:
                raise RemCatalogueError(
                    f"{path.name}, ligne 1 : en-tête inattendu ; attendu : {','.join(HEADER)}"
                )
            line = reader.line_num + 1
            for record in reader:
                if len(record) != len(HEADER):
                    raise RemCatalogueError(
                        f"{path.name}, ligne {line} : {len(record)} colonnes au lieu de {len(HEADER)}"
                    )
                try:
                    row = RemRow.model_validate(dict(zip(HEADER, record, strict=True)))
                except ValidationError as exc:
                    raise RemCatalogueError(f"{path.name}, ligne {line} : {_french_errors(exc)}") from None
                if row.wave != wave:
                    raise RemCatalogueError(
                        f"{path.name}, ligne {line} : exigence de vague {row.wave} dans le fichier de la vague {wave}"
                    )
                rows.append(row)
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise RemCatalogueError(f"{path.name} : fichier non UTF-8 ({exc.reason})") from None
    except csv.Error as exc:
        raise RemCatalogueError(f"{path.name} : CSV mal formé ({exc})") from None
    return rows


def catalogue_path(wave: int) -> Path:
    return REM_DIR / f"officine-va{wave}.csv"


@lru_cache(maxsize=1)
def _catalogue() -> tuple[RemRow, ...]:
    rows = [row for wave in (1, 2) for row in parse_catalogue_file(catalogue_path(wave), wave)]
    seen: set[str] = set()
    for row in rows:
        if row.bench_id in seen:
            raise RemCatalogueError(f"identifiant banc en double : « {row.bench_id} »")
        seen.add(row.bench_id)
    return tuple(rows)


def load_catalogue(wave: int | None = None) -> list[RemRow]:
    """Every row of the catalogue (wave 1 then wave 2, file order), or those of one wave."""
    if wave not in (None, 1, 2):
        raise ValueError(f"vague inconnue : {wave} (attendu : 1 ou 2)")
    return [row for row in _catalogue() if wave is None or row.wave == wave]


def get_row(bench_id: str) -> RemRow:
    """The row with this bench id (case-insensitive); raises UnknownRequirement."""
    wanted = bench_id.strip().upper()
    for row in _catalogue():
        if row.bench_id == wanted:
            return row
    raise UnknownRequirement(bench_id)


def find_by_ans_id(ans_id: str) -> list[RemRow]:
    """Rows carrying this ANS id (exact spelling, case-insensitive)."""
    wanted = ans_id.strip().casefold()
    return [row for row in _catalogue() if any(a.casefold() == wanted for a in row.ans_ids)]


def load_not_tested(path: Path | None = None) -> dict[str, str]:
    """`non-testees.yaml`: `bench_id: reason`. Unknown ids are reported by the coverage, not here."""
    import yaml  # only this loader needs it

    source = path or NOT_TESTED_FILE
    name = source.name

    class _UniqueKeyLoader(yaml.SafeLoader):
        """PyYAML keeps the last of duplicate keys silently; a reason written twice is a mistake."""

    def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        keys: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node)
            if key in keys:
                raise RemCatalogueError(
                    f"{name}, ligne {key_node.start_mark.line + 1} : « {key} » apparaît deux fois"
                )
            keys.add(key)
        return loader.construct_mapping(node)

    _UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    try:
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise RemCatalogueError(f"{name}, ligne {line} : YAML invalide ({exc.problem})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RemCatalogueError(f"{name} : YAML invalide ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RemCatalogueError(f"{name} : une table « identifiant: raison » est attendue")
    reasons: dict[str, str] = {}
    for key, reason in data.items():
        if not isinstance(key, str) or not BENCH_ID_RE.match(key):
            raise RemCatalogueError(f"{name} : clé « {key} » hors format W<vague>-<THÈME>-nn")
        if not isinstance(reason, str) or not reason.strip():
            raise RemCatalogueError(f"{name} : la raison de « {key} » doit être un texte non vide")
        reasons[key] = reason.strip()
    return reasons
