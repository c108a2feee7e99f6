"""Declarative bench data: worlds (persons, cards, professionals, pharmacies, LGO seed, INSi
settings) and fault packs. `scenarios.rem` (the REM catalogue) is a separate subpackage."""

from scenarios.datafile import DataError, Problem
from scenarios.faults import (
    FaultAction,
    FaultPackError,
    FaultRule,
    FaultWindow,
    list_fault_packs,
    load_fault_file,
    load_fault_pack,
    pack_from_tag,
    parse_pack_name,
)
from scenarios.models import (
    Account,
    Beneficiary,
    CpsCard,
    HistoricalIns,
    IdDocument,
    LocalPatient,
    Person,
    Pharmacy,
    Professional,
    Software,
    VitaleCard,
    World,
)
from scenarios.world import WorldError, list_worlds, load_world, load_world_file

__all__ = [
    "Account",
    "Beneficiary",
    "CpsCard",
    "DataError",
    "FaultAction",
    "FaultPackError",
    "FaultRule",
    "FaultWindow",
    "HistoricalIns",
    "IdDocument",
    "LocalPatient",
    "Person",
    "Pharmacy",
    "Problem",
    "Professional",
    "Software",
    "VitaleCard",
    "World",
    "WorldError",
    "list_fault_packs",
    "list_worlds",
    "load_fault_file",
    "load_fault_pack",
    "load_world",
    "load_world_file",
    "pack_from_tag",
    "parse_pack_name",
]
