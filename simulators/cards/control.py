"""Control-plane routes of the cards, mounted by the core under /_bench/cards/ (CONVENTIONS):
`slots/{n}/insert|remove|pin|block`, plus read-only views of the slots and of the world's cards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field

from simulators.cards.errors import CardsError
from simulators.core.problems import Problem

if TYPE_CHECKING:
    from simulators.cards.service import CardsService

SlotIndex = Annotated[int, Path(ge=0, le=1, description="Lecteur : 0 (Vitale), 1 (CPS)")]


class InsertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    card_id: str = Field(min_length=1, max_length=64, description="Identifiant de la carte dans le monde")


class PinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pin: str = Field(min_length=1, max_length=16, description="Code tapé sur le clavier du lecteur")


class BlockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    blocked: bool = Field(default=True, description="false débloque la carte")


def build_router(service: CardsService) -> APIRouter:
    router = APIRouter(tags=["cartes"])
    manager = service.manager

    def run(action: Any, *args: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = action(*args)
        except CardsError as err:
            raise Problem(err.status, err.message, code=err.code) from None
        return result

    # Handlers are plain functions: FastAPI runs them in its thread pool, since an insertion
    # waits for vpcd to accept the card.
    @router.get("/slots", summary="Lecteurs, cartes insérées et transport")
    def slots() -> dict[str, Any]:
        return {**service.endpoints(), "slots": manager.states()}

    @router.get("/cards", summary="Cartes du monde (Vitale, CPS)")
    def cards() -> dict[str, Any]:
        return {"cards": manager.cards()}

    @router.get("/slots/{slot}", summary="État d'un lecteur")
    def slot_state(slot: SlotIndex) -> dict[str, Any]:
        return run(manager.slot_state, slot)

    @router.post("/slots/{slot}/insert", summary="Insère une carte du monde (remplace la carte présente)")
    def insert(slot: SlotIndex, request: InsertRequest) -> dict[str, Any]:
        return run(manager.insert, slot, request.card_id)

    @router.post("/slots/{slot}/remove", summary="Retire la carte du lecteur")
    def remove(slot: SlotIndex) -> dict[str, Any]:
        return run(manager.remove, slot)

    @router.post(
        "/slots/{slot}/pin", summary="Saisit un code sur le clavier du lecteur (VERIFY vers la carte)"
    )
    def pin(slot: SlotIndex, request: PinRequest) -> dict[str, Any]:
        return run(manager.pin, slot, request.pin)

    @router.post("/slots/{slot}/block", summary="Bloque (ou débloque) la carte du lecteur")
    def block(slot: SlotIndex, request: Annotated[BlockRequest | None, Body()] = None) -> dict[str, Any]:
        return run(manager.block, slot, (request or BlockRequest()).blocked)

    return router
