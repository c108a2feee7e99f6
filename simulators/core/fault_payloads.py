"""Reads what a client POSTs to `/faults`: one rule, a list of rules, or a named pack."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import TypeAdapter, ValidationError

from scenarios import FaultPackError, FaultRule, load_fault_pack, parse_pack_name
from simulators.core.problems import Problem, validation_detail

_RULES = TypeAdapter(list[FaultRule])


def rules_from_payload(payload: Any, service: str | None) -> list[FaultRule]:
    """FaultRule objects from `{pack: "insi.indisponible"}`, a rule, or a list of rules.

    On a per-service route (`service` given) a rule may omit `service` and `id`, and a pack may be
    named without its service prefix.
    """
    if isinstance(payload, dict) and "pack" in payload:
        return _pack(str(payload["pack"]), service)
    items = payload if isinstance(payload, list) else [payload]
    prepared = []
    for item in items:
        if not isinstance(item, dict):
            raise Problem(
                422, 'Requête invalide : une règle de panne (objet JSON) ou {"pack": ...} attendue.'
            )
        data = dict(item)
        if service is not None:
            data.setdefault("service", service)
        data.setdefault("id", f"{data.get('service', 'regle')}-{uuid.uuid4().hex[:8]}")
        prepared.append(data)
    try:
        rules: list[FaultRule] = _RULES.validate_python(prepared)
    except ValidationError as exc:
        raise Problem(422, validation_detail(list(exc.errors()))) from None
    if service is not None:
        for rule in rules:
            if rule.service != service:
                raise Problem(422, f"La règle {rule.id} vise le service {rule.service}, pas {service}.")
    return rules


def _pack(name: str, service: str | None) -> list[FaultRule]:
    if service is not None and "." not in name.removeprefix("@").removeprefix("panne."):
        name = f"{service}.{name}"
    try:
        pack_service, pack = parse_pack_name(name)
        if service is not None and pack_service != service:
            raise Problem(422, f"Le pack {name} vise le service {pack_service}, pas {service}.")
        rules: list[FaultRule] = load_fault_pack(pack_service, pack)
    except FaultPackError as exc:
        status = 404 if "inconnu" in str(exc) else 422
        raise Problem(status, str(exc)) from None
    return rules
