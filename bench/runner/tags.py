"""What a scenario's tags switch on (CONVENTIONS "Scenario tags"): the requirements it verifies
(`@REQ.<bench_id>`), the fault packs armed before it (`@panne.<service>.<pack>`), and whether it
needs a person (`@manuel`, manual target only). Tags arrive as behave gives them, without "@".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scenarios import FaultPackError, pack_from_tag

REQ_PREFIX = "REQ."
MANUAL_TAG = "manuel"


class TagError(ValueError):
    """A tag is malformed (French message); the scenario cannot be prepared."""


@dataclass(frozen=True)
class ScenarioTags:
    tags: tuple[str, ...]
    requirement_ids: tuple[str, ...]
    fault_packs: tuple[str, ...]  # "<service>.<pack>", in tag order
    manual: bool


def _bare(tag: str) -> str:
    return tag.strip().removeprefix("@")


def parse_tags(tags: Iterable[str]) -> ScenarioTags:
    bare = tuple(dict.fromkeys(_bare(tag) for tag in tags if _bare(tag)))
    requirements: list[str] = []
    packs: list[str] = []
    for tag in bare:
        if tag.startswith(REQ_PREFIX):
            requirement = tag[len(REQ_PREFIX) :].strip().upper()
            if not requirement:
                raise TagError("tag @REQ. sans identifiant d'exigence")
            requirements.append(requirement)
            continue
        try:
            pack = pack_from_tag(tag)
        except FaultPackError as exc:
            raise TagError(f"tag @{tag} : {exc}") from None
        if pack is not None:
            packs.append(".".join(pack))
    return ScenarioTags(bare, tuple(requirements), tuple(packs), MANUAL_TAG in bare)


def validate_tag_expression(expression: str) -> None:
    """Raises TagError (French) when behave cannot read the expression."""
    from behave.tag_expression import make_tag_expression

    try:
        make_tag_expression(expression)
    except Exception as exc:  # cucumber-tag-expressions raises its own types
        raise TagError(f"expression de tags invalide « {expression} » : {exc}") from None
