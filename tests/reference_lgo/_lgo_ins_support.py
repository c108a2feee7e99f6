"""Helpers of the INS identity tests: the LGO seeded with the default world (accounts, pharmacy,
software registered at INSi, local patients), logins with the world's passwords, patient lookups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.steps_lib.world import lgo_seed_payload
from reference_lgo.app import create_app
from reference_lgo.domain.identity_traits import fold
from reference_lgo.runtime import Runtime
from reference_lgo.settings import LgoConfig
from scenarios import load_world

WORLD = load_world("default")
PASSWORDS = {account.login: account.password for account in WORLD.lgo_seed.accounts}


def world_payload(**settings: Any) -> dict[str, Any]:
    payload = lgo_seed_payload(WORLD)
    payload["settings"].update(settings)
    return payload


@contextmanager
def world_lgo(home: Path, database_url: str, **settings: Any) -> Iterator[TestClient]:
    """The LGO on `database_url`, seeded with the default world (plus `settings`)."""
    runtime = Runtime.start(LgoConfig(home=home, database_url=database_url, card_mode="bench"))
    try:
        with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
            answer = client.post("/driver/v1/seed", json=world_payload(**settings))
            assert answer.status_code == 200, answer.text
            yield client
    finally:
        runtime.db.dispose()


def login(client: TestClient, name: str) -> dict[str, str]:
    answer = client.post("/driver/v1/sessions", json={"login": name, "password": PASSWORDS[name]})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def seeded_id(client: TestClient, headers: dict[str, str], ref: str) -> int:
    """The LGO's id of a world local patient, found as a user would (birth date, then name)."""
    local = next(p for p in WORLD.lgo_seed.local_patients if p.id == ref)
    items = client.get("/driver/v1/patients", params={"birth_date": str(local.birth_date)}, headers=headers)
    assert items.status_code == 200, items.text
    wanted = fold(local.birth_name)
    found = [item["id"] for item in items.json()["items"] if item["birth_name"] == wanted]
    assert len(found) == 1, items.json()
    return int(found[0])


def person_body(person_id: str, *, five_only: bool = False) -> dict[str, Any]:
    """A world person's identity as typed from the identity document."""
    person = WORLD.person(person_id)
    document = person.id_document
    body: dict[str, Any] = {
        "birth_name": document.birth_name if document else person.birth_name,
        "first_names": list(
            document.first_names if document and document.first_names else person.first_names
        ),
        "sex": person.sex,
        "birth_date": str(person.birth_date),
        "birth_place": person.birth_place,
    }
    if not five_only:
        if person.used_name:
            body["used_name"] = person.used_name
        if person.used_first_name:
            body["used_first_name"] = person.used_first_name
    return body


def create(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/driver/v1/patients", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def audit_of(client: TestClient, headers: dict[str, str], patient_id: int) -> list[dict[str, Any]]:
    answer = client.get(
        "/driver/v1/audit", params={"object_type": "patient", "object_id": str(patient_id)}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items
