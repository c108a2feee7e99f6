"""INS identity steps, common part: the scenario's patients, who acts, the LGO's last answer and the
checks of an identity as `GET /driver/v1/patients/{id}` shows it (contract: /tmp/briefs/ins-contract.md,
published as docs/driver-api.md).

A scenario names a patient by a world id: a local patient of `lgo_seed` (`lp-…`, loaded by the seed)
or a person of the world whose identity the scenario created. The LGO assigns its own ids, so a
seeded patient is found again through the LGO's own search (birth date, then its typed traits).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import parse

from bench.steps_lib import world as world_data
from bench.steps_lib.state import ScenarioBench
from bench.targets import DriverAnswer, DriverSession
from bench.targets.errors import BenchError
from scenarios import LocalPatient, Person

# The five strict traits (RNIV), in the driver's field names.
STRICT_TRAITS = ("birth_name", "first_names", "sex", "birth_date", "birth_place")
# French trait names of the scenarios -> driver field names.
TRAITS_FR = {
    "nom de naissance": "birth_name",
    "prénoms de naissance": "first_names",
    "premier prénom de naissance": "first_name",
    "sexe": "sex",
    "date de naissance": "birth_date",
    "lieu de naissance": "birth_place",
    "nom utilisé": "used_name",
    "prénom utilisé": "used_first_name",
}
STATUSES = {"PROV": "provisoire", "RECUP": "récupérée", "VALI": "validée", "QUAL": "qualifiée"}
READER_LOGIN = "titulaire"  # the account the checks read with (all INS permissions by default)

_DATE_FR = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_DATE_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPECIAL = {"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss"}


@parse.with_pattern(r"[^«»]*")
def parse_quoted(text: str) -> str:
    """A value between « and »: it never spans two quoted values of the same step."""
    return text.strip()


# behave's parse types for the INS steps: `« {login:Q} »`.
STEP_TYPES = {"Q": parse_quoted}


# --- vocabulary ------------------------------------------------------------------------------------


def trait_key(label: str) -> str:
    key = TRAITS_FR.get(label.strip().lower())
    if key is None:
        known = ", ".join(f"« {name} »" for name in TRAITS_FR)
        raise BenchError(f"Scénario mal écrit : trait « {label} » inconnu (traits connus : {known})")
    return key


def trait_keys(labels: str) -> list[str]:
    """« nom utilisé, lieu de naissance » -> ["used_name", "birth_place"] (commas or « et »)."""
    parts = re.split(r",| et ", labels)
    return [trait_key(part) for part in parts if part.strip()]


def iso_date(text: str) -> str:
    """« 14/03/1975 » or « 1975-03-14 » -> 1975-03-14 (00 day or month kept: lunar dates)."""
    value = text.strip()
    french = _DATE_FR.fullmatch(value)
    if french:
        return f"{french[3]}-{french[2]}-{french[1]}"
    if _DATE_ISO.fullmatch(value):
        return value
    raise BenchError(f"Scénario mal écrit : date « {text} » (JJ/MM/AAAA attendu)")


def fold(text: str | None) -> str:
    """Comparison form of a name: upper case, no diacritics, letters and digits only."""
    value = text or ""
    for letter, replacement in _SPECIAL.items():
        value = value.replace(letter, replacement)
    value = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def first_names_list(value: Any) -> list[str]:
    """First names as the LGO may give them (a list, or one space-separated string)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [part for item in value for part in str(item).split()]
    return []


def quoted_list(text: str) -> list[str]:
    """« a », « b » et « c » -> [a, b, c]; a bare value gives itself."""
    found = re.findall(r"«\s*([^«»]+?)\s*»", text)
    return found or [text.strip()]


# --- who acts --------------------------------------------------------------------------------------


def acting(bench: ScenarioBench, login: str) -> DriverSession:
    """`login`'s session (opened now with its world password when needed), made the current one so
    that screenshots show what this account sees."""
    from bench.steps_lib import sessions

    session = bench.sessions.get(login)
    if session is None:
        return sessions.login_with_password(bench, login)
    bench.act_as(session)
    return session


def reader(bench: ScenarioBench) -> DriverSession:
    """A private session of the titulaire for the checks; it does not change who the scenario acts as."""
    session = bench.sessions.get(READER_LOGIN) or bench.last.get("ins.reader")
    if session is None:
        account = world_data.account(bench.world, READER_LOGIN)
        session = bench.target.open_session(account.login, account.password)
        bench.remember("ins.reader", session)
    return session


# --- the scenario's patients -----------------------------------------------------------------------


def _registry(bench: ScenarioBench) -> dict[str, str]:
    found: dict[str, str] = bench.last.setdefault("ins.patients", {})
    return found


def remember_patient(bench: ScenarioBench, ref: str, patient_id: str) -> None:
    _registry(bench)[ref] = patient_id


def local_patient(bench: ScenarioBench, ref: str) -> LocalPatient | None:
    return next((p for p in bench.world.lgo_seed.local_patients if p.id == ref), None)


def person(bench: ScenarioBench, person_id: str) -> Person:
    return world_data.person(bench.world, person_id)


def patient_id(bench: ScenarioBench, ref: str) -> str:
    """The LGO's id of a scenario patient: created in this scenario, or seeded and found by search."""
    known = _registry(bench).get(ref)
    if known is not None:
        return known
    seeded = local_patient(bench, ref)
    if seeded is None:
        raise BenchError(
            f"Scénario mal écrit : le patient « {ref} » n'est ni un patient local du monde ni une identité "
            "créée plus haut dans le scénario"
        )
    found = _find_seeded(bench, seeded)
    remember_patient(bench, ref, found)
    return found


def _find_seeded(bench: ScenarioBench, seeded: LocalPatient) -> str:
    birth_date = str(seeded.birth_date)
    answer = bench.target.call("GET", "/patients", session=reader(bench), params={"birth_date": birth_date})
    items = items_of(answer)
    wanted_first = fold(seeded.first_names[0]) if seeded.first_names else ""
    matching = [
        item
        for item in items
        if fold(item.get("birth_name")) == fold(seeded.birth_name)
        and (
            not wanted_first
            or fold(next(iter(first_names_list(item.get("first_names"))), "")) == wanted_first
        )
    ]
    if len(matching) != 1:
        listing = "; ".join(describe_summary(item) for item in items) or "aucun"
        raise AssertionError(
            f"Patient local « {seeded.id} » ({seeded.birth_name} {' '.join(seeded.first_names)}, né(e) le "
            f"{birth_date}) chargé par le seed : {len(matching)} dossier(s) correspondant(s) dans le LGO au lieu "
            f"d'un seul. Patients nés ce jour-là : {listing}"
        )
    return str(matching[0]["id"])


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def items_of(answer: DriverAnswer) -> list[dict[str, Any]]:
    items = answer.json_object().get("items")
    if not isinstance(items, list):
        raise AssertionError(f"Réponse du LGO sans liste « items » : {answer.text[:300]}")
    return [item for item in items if isinstance(item, dict)]


def describe_summary(item: dict[str, Any]) -> str:
    names = " ".join(first_names_list(item.get("first_names")))
    return f"{item.get('birth_name')} {names} ({item.get('birth_date')}, {item.get('status')}, id {item.get('id')})"


# --- the LGO's last answer -------------------------------------------------------------------------


@dataclass
class Outcome:
    """An action of the scenario and what the LGO answered (kept for the `Alors` steps)."""

    action: str  # French, for messages
    answer: DriverAnswer
    patient_ref: str | None = None

    @property
    def ok(self) -> bool:
        return self.answer.status < 400

    @property
    def problem(self) -> dict[str, Any]:
        return self.answer.json_object() if not self.ok else {}

    def detail(self) -> str:
        detail = self.problem.get("detail")
        return str(detail) if detail else self.answer.text[:300]


def act(
    bench: ScenarioBench,
    session: DriverSession,
    method: str,
    path: str,
    action: str,
    *,
    json: Any = None,
    params: Any = None,
    patient_ref: str | None = None,
) -> Outcome:
    """A driver call whose refusal is an expected outcome: kept, checked by the next steps."""
    answer = bench.target.call(method, path, session=session, json=json, params=params, ok=False)
    if answer.status >= 500 and answer.json_object().get("code") == "erreur_interne":
        raise BenchError(f"Le LGO a échoué en interne ({action}) : {answer.text[:300]}")
    outcome = Outcome(action, answer, patient_ref)
    bench.remember("ins.outcome", outcome)
    return outcome


def last(bench: ScenarioBench) -> Outcome:
    outcome: Outcome = bench.recall("ins.outcome")
    return outcome


def require_ok(outcome: Outcome) -> dict[str, Any]:
    """The answer's JSON object; a refusal here is the LGO failing the scenario."""
    if not outcome.ok:
        raise AssertionError(
            f"{outcome.action} : le LGO a répondu {outcome.answer.status} "
            f"(code « {outcome.problem.get('code')} ») : {outcome.detail()}"
        )
    return outcome.answer.json_object()


def check_refused(bench: ScenarioBench, status: int, code: str) -> Outcome:
    outcome = last(bench)
    if outcome.ok:
        raise AssertionError(
            f"{outcome.action} : le LGO a accepté (statut {outcome.answer.status}) au lieu de refuser "
            f"avec le statut {status} et le code « {code} »"
        )
    actual = outcome.problem.get("code")
    if outcome.answer.status != status or actual != code:
        raise AssertionError(
            f"{outcome.action} : refus {outcome.answer.status} de code « {actual} » au lieu de {status} "
            f"« {code} » : {outcome.detail()}"
        )
    return outcome


def check_clear_message(bench: ScenarioBench) -> None:
    """The refusal explains itself to a person: a French `detail`, not a stack trace nor raw XML."""
    outcome = last(bench)
    detail = outcome.problem.get("detail")
    if not isinstance(detail, str) or len(detail.strip()) < 10:
        raise AssertionError(f"{outcome.action} : refus sans message explicatif (detail : {detail!r})")
    if re.search(r"<\?xml|<[a-zA-Z]+:Envelope|Traceback|Exception\b|Error:", detail):
        raise AssertionError(
            f"{outcome.action} : le message d'erreur n'est pas lisible par un utilisateur : {detail}"
        )


def check_detail_mentions(bench: ScenarioBench, text: str) -> None:
    detail = str(last(bench).problem.get("detail") or "")
    if fold(text) not in fold(detail):
        raise AssertionError(f"Le message du LGO ne mentionne pas « {text} » : {detail}")


# --- an identity as the LGO shows it ---------------------------------------------------------------


def read_patient(bench: ScenarioBench, ref: str, session: DriverSession | None = None) -> dict[str, Any]:
    pid = patient_id(bench, ref)
    answer = bench.target.call("GET", f"/patients/{pid}", session=session or reader(bench))
    data = answer.json_object()
    if "status" not in data:
        raise AssertionError(f"Dossier du patient « {ref} » sans statut : {answer.text[:300]}")
    return data


def traits_of(data: dict[str, Any]) -> dict[str, Any]:
    traits = data.get("traits")
    return traits if isinstance(traits, dict) else {}


def ins_of(data: dict[str, Any]) -> dict[str, Any] | None:
    ins = data.get("ins")
    return ins if isinstance(ins, dict) and ins.get("matricule") else None


def describe_patient(data: dict[str, Any]) -> str:
    traits = traits_of(data)
    ins = ins_of(data)
    names = " ".join(first_names_list(traits.get("first_names")))
    shown = f"INS {ins.get('matricule')} ({ins.get('oid')})" if ins else "sans INS"
    return (
        f"{traits.get('birth_name')} {names}, {traits.get('sex')}, {traits.get('birth_date')}, "
        f"{traits.get('birth_place')} ; statut {data.get('status')} ; {shown}"
    )


def check_status(bench: ScenarioBench, ref: str, status: str) -> None:
    if status not in STATUSES:
        raise BenchError(f"Scénario mal écrit : statut « {status} » (PROV, RECUP, VALI ou QUAL)")
    data = read_patient(bench, ref)
    if data.get("status") != status:
        raise AssertionError(
            f"Le patient « {ref} » est au statut {data.get('status')} et non {status} "
            f"(identité {STATUSES[status]}) : {describe_patient(data)}"
        )


def check_ins_of_person(bench: ScenarioBench, ref: str, person_id: str) -> None:
    expected = person(bench, person_id)
    data = read_patient(bench, ref)
    ins = ins_of(data)
    if ins is None or ins.get("matricule") != expected.matricule or ins.get("oid") != expected.oid:
        raise AssertionError(
            f"Le patient « {ref} » devait porter l'INS {expected.matricule} (OID {expected.oid}) : "
            f"{describe_patient(data)}"
        )


def check_no_ins(bench: ScenarioBench, ref: str) -> None:
    data = read_patient(bench, ref)
    if ins_of(data) is not None or data.get("ins_masked"):
        raise AssertionError(f"Le patient « {ref} » ne devait porter aucun INS : {describe_patient(data)}")


def check_traits_of_person(bench: ScenarioBench, ref: str, person_id: str) -> None:
    """The five strict traits equal the person's INS traits (after a reprise of INSi data)."""
    expected = person(bench, person_id)
    traits = traits_of(read_patient(bench, ref))
    wrong = []
    pairs = [
        ("nom de naissance", fold(traits.get("birth_name")), fold(expected.birth_name)),
        (
            "prénoms de naissance",
            " ".join(fold(n) for n in first_names_list(traits.get("first_names"))),
            " ".join(fold(n) for n in expected.first_names),
        ),
        ("sexe", traits.get("sex"), expected.sex),
        ("date de naissance", traits.get("birth_date"), str(expected.birth_date)),
        ("lieu de naissance", traits.get("birth_place"), expected.birth_place),
    ]
    for label, actual, wanted in pairs:
        if actual != wanted:
            wrong.append(f"{label} « {actual} » au lieu de « {wanted} »")
    if wrong:
        raise AssertionError(f"Traits du patient « {ref} » différents de ceux d'INSi : " + " ; ".join(wrong))


def check_locked(bench: ScenarioBench, ref: str, locked: bool) -> None:
    data = read_patient(bench, ref)
    found = set(data.get("locked_traits") or [])
    if locked:
        missing = [name for name in STRICT_TRAITS if name not in found]
        if missing:
            raise AssertionError(
                f"Traits stricts non verrouillés pour le patient « {ref} » ({data.get('status')}) : "
                f"{', '.join(missing)} (verrouillés : {', '.join(sorted(found)) or 'aucun'})"
            )
    elif found:
        raise AssertionError(
            f"Le patient « {ref} » ({data.get('status')}) a des traits verrouillés : {', '.join(sorted(found))}"
        )


# --- nothing saved ---------------------------------------------------------------------------------

_SNAPSHOT_FIELDS = ("status", "traits", "ins", "locked_traits", "flags", "used_name", "used_first_name")


def snapshot(bench: ScenarioBench, ref: str) -> None:
    """The identity before an action whose failure must leave it untouched."""
    data = read_patient(bench, ref)
    bench.last.setdefault("ins.snapshots", {})[ref] = {key: data.get(key) for key in _SNAPSHOT_FIELDS}


def check_unchanged(bench: ScenarioBench, ref: str) -> None:
    before = bench.last.get("ins.snapshots", {}).get(ref)
    if before is None:
        raise BenchError(f"Scénario mal écrit : aucun état antérieur du patient « {ref} » à comparer")
    data = read_patient(bench, ref)
    changed = [key for key in _SNAPSHOT_FIELDS if data.get(key) != before[key]]
    if changed:
        details = "; ".join(f"{key} : {before[key]!r} -> {data.get(key)!r}" for key in changed)
        raise AssertionError(
            f"Le dossier du patient « {ref} » a changé alors que rien ne devait l'être : {details}"
        )


# --- screenshots -----------------------------------------------------------------------------------

# Screens of the reference LGO's web UI about one patient ({id}: the LGO's patient id). A driver
# target answers every capture with a note instead (no UI driven by the bench).
PATIENT_SCREENS = {
    "dossier": "/patients/{id}",
    "journal des accès INS": "/journaux/acces-ins?patient_id={id}",
    "journal des appels INSi": "/journaux/appels-insi?patient_id={id}",
}


def capture_patient(bench: ScenarioBench, screen: str, ref: str) -> None:
    from bench.steps_lib import evidence

    path = PATIENT_SCREENS.get(screen)
    if path is None:
        known = ", ".join(f"« {name} »" for name in PATIENT_SCREENS)
        raise BenchError(f"Scénario mal écrit : écran « {screen} » d'un patient inconnu (connus : {known})")
    if screen.startswith("journal"):
        # The INS journals are the data controller's screens: shown as the titulaire sees them.
        acting(bench, READER_LOGIN)
    evidence.capture(
        bench, path.format(id=patient_id(bench, ref)), f"Écran « {screen} » du patient « {ref} »"
    )


SEARCH_SCREEN = "/patients"


def capture_search(bench: ScenarioBench) -> None:
    """The reference UI's search page with the criteria of the scenario's last local search."""
    from urllib.parse import urlencode

    from bench.steps_lib import evidence

    params: dict[str, str] = bench.recall("ins.search_params")
    evidence.capture(
        bench, f"{SEARCH_SCREEN}?{urlencode(params)}", "Recherche de patients : " + ", ".join(params.values())
    )
