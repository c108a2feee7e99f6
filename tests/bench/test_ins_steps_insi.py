"""The INS step library's checks of the INSi simulator's journal, against the real simulator on its
mutual-TLS listener (world `default`) and the real control plane. The LGO's own INSi client makes
the calls, as the reference LGO does behind `POST /driver/v1/patients/{id}/insi/search`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from bench.steps_lib import ins_insi
from bench.steps_lib.state import ScenarioBench
from bench.targets import ControlPlane
from reference_lgo.clients.insi import InsiClient, InsiSettings, LpsSoftware
from reference_lgo.domain.identity_traits import StrictTraits
from scenarios import load_world
from simulators.core.testing import RunningStack, running_stack
from simulators.insi import DESCRIPTOR

SOFTWARE = LpsSoftware(
    "SEGURBANC-LGO-REF", "segur-bench-lgo", "0.1.0", "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
)
BLANCHARD = StrictTraits("BLANCHARD", ("ISABELLE", "MARTINE"), "F", "1979-11-03", "67482")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    home = tmp_path_factory.mktemp("ins-steps-home")
    with running_stack(
        home, descriptors=[DESCRIPTOR], database_url=f"sqlite:///{home / 'journal.sqlite'}"
    ) as s:
        assert s.host("insi").state == "up", s.host("insi").error
        yield s


@pytest.fixture(scope="module")
def client(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InsiClient]:
    directory: Path = tmp_path_factory.mktemp("pki-export")
    stack.pki.export(directory, [])
    settings = InsiSettings.from_pki_export(
        directory, endpoint=stack.url("insi"), software=SOFTWARE, emitter="3692012347", timeout_s=10
    )
    insi = InsiClient(settings)
    yield insi
    insi.close()


@pytest.fixture()
def bench(stack: RunningStack) -> Iterator[ScenarioBench]:
    control = ControlPlane(stack.control_url)
    scenario_id = f"ins-steps-{uuid.uuid4().hex[:8]}"
    control.reset(scenario_id)
    run = SimpleNamespace(control=control, world=load_world(), target=None)
    yield ScenarioBench(run=cast(Any, run), current=cast(Any, SimpleNamespace(scenario_id=scenario_id)))
    control.close()


def test_a_manual_traits_search_is_found_by_credential_and_code(
    bench: ScenarioBench, client: InsiClient
) -> None:
    ins_insi.check_no_bench_exchange(bench)
    client.search_traits(BLANCHARD, auth="manu")
    record = ins_insi.check_bench_exchange(bench, "par les traits", credential="INSI-MANU", code="00")
    assert record["operation"] == "rechercherInsAvecTraitsIdentite"
    with pytest.raises(AssertionError, match="certificat INSI-AUTO"):
        ins_insi.check_bench_exchange(bench, "par les traits", credential="INSI-AUTO")
    with pytest.raises(AssertionError, match="ne devait pas être appelé"):
        ins_insi.check_no_bench_exchange(bench)
    assert len(ins_insi.bench_calls(bench)) == 1


def test_the_birth_place_sent_is_read_back_from_the_journaled_request(
    bench: ScenarioBench, client: InsiClient
) -> None:
    outcome = client.search_traits(
        StrictTraits("LEFEBVRE", ("NICOLAS", "PIERRE"), "M", "1975-03-14", "62041")
    )
    assert outcome.code == "00"
    ins_insi.check_request_birth_place(bench, "62041")
    with pytest.raises(AssertionError, match="lieu de naissance 59350"):
        ins_insi.check_request_birth_place(bench, "59350")
    assert sorted(str(r["correlation"].get("code_cr")) for r in ins_insi.bench_calls(bench)) == [
        "00",
        "02",
        "02",
    ]


def test_an_automatic_verification_and_a_forgotten_person(bench: ScenarioBench, client: InsiClient) -> None:
    result = client.verify(BLANCHARD, matricule="279116748235053", oid="1.2.250.1.213.1.4.8", auth="auto")
    assert result.ok
    ins_insi.check_bench_exchange(
        bench, "de vérification", credential="INSI-AUTO", ins_value="279116748235053"
    )
    ins_insi.forget_person(bench, "blanchard-isabelle")
    assert client.search_traits(BLANCHARD, auth="manu").code == "01"
