"""Reading the bench's YAML data files safely, and reporting their problems in French.

Shared by the world loader and the fault-pack loader: one strict YAML reader (safe tags only, no
duplicate keys, dates kept as text, size cap) that keeps the node tree so every problem can name
its path and line, and one translator from pydantic's English errors to French messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 5_000_000
_MAX_SHOWN = 50
Loc = tuple[str | int, ...]

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one) and aliases
    (nested aliases expand exponentially once validated: the "billion laughs" of YAML)."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise ComposerError(None, None, "les alias YAML (*nom) ne sont pas admis", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise ConstructorError(None, None, "clé non scalaire", key_node.start_mark)
            if key in seen:
                raise ConstructorError(None, None, f"clé « {key} » en double", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Dates stay text: birth dates may be lunar ("1948-00-00") and must not change type with the day.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    """One problem in a data file: where (path inside the document, line) and what (French)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            where = self.path or "document"
        else:
            where = f"{self.path} (ligne {self.line})" if self.path else f"ligne {self.line}"
        return f"{where} : {self.message}"


class DataError(ValueError):
    """A data file could not be loaded; the message is French and lists every problem found."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{source} : {count} problème{'s' if count > 1 else ''}"
        shown = [f"  - {p}" for p in self.problems[:_MAX_SHOWN]]
        if count > _MAX_SHOWN:
            shown.append(f"  ... et {count - _MAX_SHOWN} autre(s)")
        super().__init__("\n".join([head, *shown]))


@dataclass
class YamlDocument:
    """Parsed YAML data plus its node tree (for line numbers)."""

    source: str
    data: Any
    root: Node | None

    def locate(self, loc: Loc) -> tuple[str, int | None]:
        """Human path ("persons[3].birth_date") and 1-based line of a location inside the document.

        pydantic puts the tag of a discriminated union into its locations ("action.delay.ms");
        such a step is skipped when the mapping holds no such key but its `kind` says so.
        """
        path = ""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for step in loc:
            child: Node | None = None
            if isinstance(node, SequenceNode) and isinstance(step, int):
                if 0 <= step < len(node.value):
                    child = node.value[step]
            elif isinstance(node, MappingNode):
                values = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
                if str(step) in values:
                    child = values[str(step)]
                elif isinstance(values.get("kind"), ScalarNode) and values["kind"].value == step:
                    continue
            path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else str(step))
            node = child
            if child is not None:
                line = child.start_mark.line + 1
        return path, line

    def problem(self, loc: Loc, message: str) -> Problem:
        path, line = self.locate(loc)
        return Problem(path, message, line)


def read_yaml(path: Path, *, source: str | None = None) -> YamlDocument:
    """Parse a YAML file strictly; raise DataError (French) on a missing, oversized or invalid file."""
    label = source or path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(label, [Problem("", f"fichier introuvable : {path}")]) from None
    except OSError as exc:
        raise DataError(label, [Problem("", f"lecture impossible : {exc.strerror}")]) from None
    return parse_yaml(raw, source=label)


def parse_yaml(raw: bytes, *, source: str) -> YamlDocument:
    if len(raw) > MAX_BYTES:
        raise DataError(source, [Problem("", f"fichier trop gros ({len(raw)} octets, maximum {MAX_BYTES})")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            source, [Problem("", f"encodage invalide (UTF-8 attendu, octet {exc.start})")]
        ) from None
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = exc.problem or exc.context or "erreur de syntaxe"
        raise DataError(source, [Problem("", f"YAML invalide ({detail})", line)]) from None
    except yaml.YAMLError as exc:
        raise DataError(source, [Problem("", f"YAML invalide ({exc})")]) from None
    finally:
        loader.dispose()
    return YamlDocument(source, data, root)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _french(err: Any) -> str:
    """French message for one pydantic error (pydantic only speaks English)."""
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    shown = _short(value)
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", err["msg"]))
    templates: dict[str, str] = {
        "missing": "champ obligatoire manquant",
        "extra_forbidden": "champ inconnu (vérifiez l'orthographe)",
        "string_type": "doit être un texte (mettez la valeur entre guillemets si elle ressemble à un nombre)",
        "int_type": f"doit être un nombre entier, reçu « {shown} »",
        "int_parsing": f"doit être un nombre entier, reçu « {shown} »",
        "int_from_float": f"doit être un nombre entier, reçu « {shown} »",
        "float_type": f"doit être un nombre, reçu « {shown} »",
        "float_parsing": f"doit être un nombre, reçu « {shown} »",
        "bool_type": f"doit valoir true ou false, reçu « {shown} »",
        "bool_parsing": f"doit valoir true ou false, reçu « {shown} »",
        "list_type": "doit être une liste",
        "dict_type": "doit être un objet (clé : valeur)",
        "model_type": "doit être un objet (clé : valeur)",
        "model_attributes_type": "doit être un objet (clé : valeur)",
        "date_type": f"date invalide « {shown} » (format AAAA-MM-JJ)",
        "date_parsing": f"date invalide « {shown} » (format AAAA-MM-JJ)",
        "date_from_datetime_parsing": f"date invalide « {shown} » (format AAAA-MM-JJ)",
        "date_from_datetime_inexact": f"date invalide « {shown} » (format AAAA-MM-JJ)",
        "datetime_type": f"date-heure invalide « {shown} » (format ISO 8601)",
        "datetime_parsing": f"date-heure invalide « {shown} » (format ISO 8601)",
        "datetime_from_date_parsing": f"date-heure invalide « {shown} » (format ISO 8601)",
        "string_too_short": f"texte trop court (au moins {ctx.get('min_length')} caractère(s))",
        "string_too_long": f"texte trop long (au plus {ctx.get('max_length')} caractères)",
        "string_pattern_mismatch": f"format invalide « {shown} » (motif attendu : {ctx.get('pattern')})",
        "too_short": f"trop peu d'éléments (au moins {ctx.get('min_length')})",
        "too_long": f"trop d'éléments (au plus {ctx.get('max_length')})",
        "greater_than": f"doit être strictement supérieur à {ctx.get('gt')}",
        "greater_than_equal": f"doit être supérieur ou égal à {ctx.get('ge')}",
        "less_than": f"doit être strictement inférieur à {ctx.get('lt')}",
        "less_than_equal": f"doit être inférieur ou égal à {ctx.get('le')}",
        "literal_error": f"valeur « {shown} » non permise (valeurs permises : "
        f"{str(ctx.get('expected', '')).replace(' or ', ', ')})",
        "union_tag_invalid": f"type « {ctx.get('tag')} » inconnu pour {ctx.get('discriminator')} "
        f"(types permis : {ctx.get('expected_tags')})",
        "union_tag_not_found": f"champ {ctx.get('discriminator')} manquant (il choisit la variante)",
    }
    return templates.get(kind, f"valeur invalide « {shown} » ({kind})")


def problems_from_validation(doc: YamlDocument, exc: ValidationError, prefix: Loc = ()) -> list[Problem]:
    """Translate a pydantic ValidationError on `doc` into French problems with paths and lines."""
    return [doc.problem(prefix + tuple(err["loc"]), _french(err)) for err in exc.errors()]
