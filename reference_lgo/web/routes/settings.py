"""The pharmacy settings page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.errors import Forbidden, LgoError
from reference_lgo.web.deps import UiUser, csrf_user, runtime_of, ui_user
from reference_lgo.web.templating import render

router = APIRouter()

FIELDS = tuple(pharmacy_settings.LABELS)


def _page(
    request: Request, values: dict[str, Any] | None = None, status_code: int = 200, **extra: Any
) -> Response:
    runtime = runtime_of(request)
    with runtime.db.session() as session:
        current = runtime.settings(session)
    return render(
        request,
        "settings.html",
        {
            "values": values or current.model_dump(),
            "status": pharmacy_settings.path_status(current),
            "LABELS": pharmacy_settings.LABELS,
            "export_dir": runtime.config.pki_export,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/parametres")
def settings_page(
    request: Request, user: Annotated[UiUser, Depends(ui_user)], message: str | None = None
) -> Response:
    user.actor.require("parametres.lire")
    return _page(request, message="Paramètres enregistrés." if message == "ok" else None)


@router.post("/parametres")
async def save_settings(request: Request, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    user.actor.require("parametres.modifier")
    form = await request.form()
    submitted = {name: str(form[name]) for name in FIELDS if isinstance(form.get(name), str)}
    runtime = runtime_of(request)

    def save() -> Response:
        try:
            with runtime.db.session() as session:
                pharmacy_settings.update(session, user.actor, runtime.clock.now(), runtime.config, submitted)
        except Forbidden:
            raise
        except LgoError as error:
            with runtime.db.session() as session:
                values = {**runtime.settings(session).model_dump(), **submitted}
            return _page(
                request, values, error.status, error=error.message, error_fields=error.extra.get("fields", [])
            )
        return RedirectResponse("/parametres?message=ok", status_code=303)

    return await run_in_threadpool(save)
