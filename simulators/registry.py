"""The simulated services the runtime knows, imported by module name so a missing one is not fatal."""

from __future__ import annotations

import importlib
import logging

from simulators.core.service import ServiceDescriptor

log = logging.getLogger("simulators.registry")

# One module per service; each exposes a module-level `DESCRIPTOR` (or `descriptor`) ServiceDescriptor.
SERVICE_MODULES = ["simulators.insi", "simulators.cards"]


def _descriptor_of(module_name: str) -> ServiceDescriptor | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            log.info("service %s absent de cette version : ignoré", module_name)
        else:
            log.warning("service %s non chargé : module manquant %s", module_name, exc.name)
        return None
    except Exception:
        log.exception("service %s non chargé : erreur à l'import", module_name)
        return None
    for attribute in ("DESCRIPTOR", "descriptor"):
        candidate = getattr(module, attribute, None)
        if isinstance(candidate, ServiceDescriptor):
            return candidate
    log.warning("service %s ignoré : pas de DESCRIPTOR (ServiceDescriptor) au niveau du module", module_name)
    return None


def available() -> dict[str, ServiceDescriptor]:
    """Every service that imports cleanly, by name, in SERVICE_MODULES order."""
    found: dict[str, ServiceDescriptor] = {}
    for module_name in SERVICE_MODULES:
        descriptor = _descriptor_of(module_name)
        if descriptor is not None:
            found[descriptor.name] = descriptor
    return found


class UnknownServiceError(ValueError):
    pass


def select(names: list[str] | None) -> list[ServiceDescriptor]:
    """The descriptors asked for (all when `names` is None); unknown names raise, in French."""
    found = available()
    if names is None:
        return list(found.values())
    unknown = [name for name in names if name not in found]
    if unknown:
        known = ", ".join(found) or "aucun"
        raise UnknownServiceError(f"service(s) inconnu(s) : {', '.join(unknown)} (disponibles : {known})")
    return [found[name] for name in names]
