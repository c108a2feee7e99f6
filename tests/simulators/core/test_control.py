"""The control plane through its HTTP listener: health, reset, seed, faults, exchanges, bodies, clock."""

from __future__ import annotations

import httpx
from core_testkit import client_context

from protocols.pki import TestPKI
from simulators.core.testing import RunningStack

PROBLEM = "application/problem+json"


def ping(stack: RunningStack, pki: TestPKI, service: str = "echo", **headers: str) -> httpx.Response:
    with httpx.Client(verify=client_context(pki)) as client:
        return client.post(stack.url(service) + "/ping", content=b"<ping/>", headers=headers)


def test_health_lists_every_service_with_port_and_fidelity(stack: RunningStack) -> None:
    health = httpx.get(f"{stack.control_url}/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"echo", "plain", "insi"}
    echo = body["services"]["echo"]
    assert echo["state"] == "up" and echo["port"] == stack.host("echo").port
    assert echo["fidelity"] == {"ping": "bench-contract"} and echo["mtls"] is True
    single = httpx.get(f"{stack.control_url}/echo/health").json()
    assert single["service"] == "echo" and single["state"] == "up"


def test_reset_stamps_later_records_with_the_scenario(stack: RunningStack, pki: TestPKI) -> None:
    before = stack.host("echo").service.resets  # type: ignore[union-attr]
    assert httpx.post(f"{stack.control_url}/echo/reset", json={"scenario_id": "scn-42"}).status_code == 200
    assert stack.host("echo").service.resets == before + 1  # type: ignore[union-attr]
    request_id = ping(stack, pki).headers["x-request-id"]
    found = httpx.get(f"{stack.control_url}/exchanges", params={"scenario_id": "scn-42"}).json()["exchanges"]
    assert [r["id"] for r in found] == [request_id]
    everything = httpx.post(f"{stack.control_url}/reset", json={"scenario_id": "scn-43"}).json()
    assert everything == {"reset": ["echo", "insi", "plain"], "scenario_id": "scn-43"}
    assert stack.host("plain").context.scenario_id == "scn-43"


def test_seed_passes_the_payload_and_refusals_are_french_problems(stack: RunningStack) -> None:
    assert httpx.post(f"{stack.control_url}/echo/seed", json={"software": []}).json() == {"seeded": 1}
    refused = httpx.post(f"{stack.control_url}/echo/seed", json={"bad": 1})
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    assert "refusée" in refused.json()["detail"]


def test_unknown_service_and_route_answer_problem_json_in_french(stack: RunningStack) -> None:
    unknown = httpx.get(f"{stack.control_url}/dmp/health")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM
    assert unknown.json()["detail"].startswith("Service inconnu : dmp")
    invalid = httpx.get(f"{stack.control_url}/exchanges", params={"correlation": "sans-egal"})
    assert invalid.status_code == 400 and "clé=valeur" in invalid.json()["detail"]
    bad_body = httpx.post(f"{stack.control_url}/echo/expect", json={"timeout_s": "beaucoup"})
    assert bad_body.status_code == 422 and "timeout_s" in bad_body.json()["detail"]


def test_faults_rules_packs_listing_and_removal(stack: RunningStack) -> None:
    added = httpx.post(
        f"{stack.control_url}/faults",
        json={"id": "f1", "service": "echo", "operation": "ping", "action": {"kind": "delay", "ms": 10}},
    )
    assert added.status_code == 201 and added.json()["added"] == ["f1"]
    pack = httpx.post(f"{stack.control_url}/faults", json={"pack": "insi.indisponible"})
    assert pack.status_code == 201 and pack.json()["added"] == ["insi-indisponible"]
    short = httpx.post(f"{stack.control_url}/insi/faults", json={"pack": "lent"})
    assert short.status_code == 201
    listed = httpx.get(f"{stack.control_url}/faults").json()["rules"]
    assert {r["id"] for r in listed} >= {"f1", "insi-indisponible"}
    assert next(r for r in listed if r["id"] == "f1")["state"] == {
        "hits": 0,
        "remaining": None,
        "active": True,
    }
    assert httpx.delete(f"{stack.control_url}/faults/f1").json() == {"removed": "f1", "service": "echo"}
    assert httpx.delete(f"{stack.control_url}/faults/f1").status_code == 404
    assert httpx.delete(f"{stack.control_url}/faults", params={"service": "insi"}).status_code == 200
    assert httpx.get(f"{stack.control_url}/faults").json()["rules"] == []


def test_fault_payload_errors(stack: RunningStack) -> None:
    unknown = httpx.post(f"{stack.control_url}/faults", json={"pack": "insi.nexistepas"})
    assert unknown.status_code == 404 and "inconnu" in unknown.json()["detail"]
    elsewhere = httpx.post(f"{stack.control_url}/echo/faults", json={"pack": "insi.indisponible"})
    assert elsewhere.status_code == 422 and "vise le service insi" in elsewhere.json()["detail"]
    bad_kind = httpx.post(f"{stack.control_url}/echo/faults", json={"action": {"kind": "explosion"}})
    assert bad_kind.status_code == 422 and bad_kind.headers["content-type"] == PROBLEM
    no_host = httpx.post(f"{stack.control_url}/faults", json={"service": "dmp", "action": {"kind": "reset"}})
    assert no_host.status_code == 404


def test_pack_fault_answers_in_the_service_shape(stack: RunningStack, pki: TestPKI) -> None:
    httpx.post(f"{stack.control_url}/insi/faults", json={"pack": "indisponible"})
    answer = ping(stack, pki, "insi")
    assert answer.status_code == 500 and answer.json()["fault"] == "BANC_INDISPONIBLE"


def test_exchange_filters_and_bodies(stack: RunningStack, pki: TestPKI) -> None:
    first = ping(stack, pki, **{"x-ins": "111"}).headers["x-request-id"]
    ping(stack, pki, **{"x-ins": "222"})
    found = httpx.get(f"{stack.control_url}/echo/exchanges", params={"correlation": "ins=111"}).json()
    assert [r["id"] for r in found["exchanges"]] == [first] and found["count"] == 1
    record = found["exchanges"][0]
    body = httpx.get(f"{stack.control_url}/bodies/{record['request']['body_sha256']}")
    assert body.content == b"<ping/>"
    assert httpx.get(f"{stack.control_url}/bodies/{'0' * 64}").status_code == 404
    assert httpx.get(f"{stack.control_url}/exchanges/nope").status_code == 404


def test_clock_endpoint_sets_modes(stack: RunningStack, pki: TestPKI) -> None:
    frozen = httpx.post(
        f"{stack.control_url}/echo/clock", json={"mode": "frozen", "now": "2027-05-01T08:00:00Z"}
    )
    assert frozen.json() == {"mode": "frozen", "now": "2027-05-01T08:00:00+00:00", "offset_s": 0.0}
    request_id = ping(stack, pki).headers["x-request-id"]
    record = httpx.get(f"{stack.control_url}/exchanges/{request_id}").json()
    assert record["started_at"].startswith("2027-05-01T08:00:00")
    advanced = httpx.post(f"{stack.control_url}/echo/clock", json={"advance_s": 60}).json()
    assert advanced["now"] == "2027-05-01T08:01:00+00:00"
    assert httpx.post(f"{stack.control_url}/echo/clock", json={}).status_code == 422
    assert httpx.post(f"{stack.control_url}/echo/clock", json={"mode": "real"}).json()["mode"] == "real"


def test_openapi_crl_and_service_router(stack: RunningStack, pki: TestPKI) -> None:
    spec = httpx.get(f"{stack.control_url}/openapi.json").json()
    assert (
        "/_bench/{service}/expect" in spec["paths"]
        and spec["info"]["title"] == "Plan de contrôle segur-bench"
    )
    crl = httpx.get(f"{stack.control_url}/pki/crl/organisations.crl")
    assert crl.headers["content-type"] == "application/pkix-crl" and crl.content == pki.crl_der(
        "organisations"
    )
    extra = httpx.get(f"{stack.control_url}/echo/extra").json()
    assert extra["service"] == "echo" and extra["started"] is True
