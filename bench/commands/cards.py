"""`segur-bench cards ...`: the virtual cards through the control plane (list, insert, remove), a
card read through the APDU client (PC/SC or bench reader), and the APDU round-trip benchmark."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import httpx

from bench import exitcodes

TIMEOUT_S = 30.0


def _control_url() -> str:
    explicit = os.environ.get("SEGUR_BENCH_CONTROL_URL")
    if explicit:
        return explicit.rstrip("/")
    port = os.environ.get("SEGUR_BENCH_PORT_CONTROL") or "7900"
    return f"http://127.0.0.1:{port}/_bench"


control_option = click.option(
    "--control",
    "control",
    default=_control_url,
    show_default="http://127.0.0.1:7900/_bench",
    help="Plan de contrôle du banc (ou SEGUR_BENCH_CONTROL_URL).",
)


def _fail(message: str, code: int = exitcodes.BENCH_FAILED) -> SystemExit:
    click.echo(message, err=True)
    return SystemExit(code)


def _call(control: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"{control}/cards{path}"
    try:
        response = httpx.request(method, url, json=body, timeout=TIMEOUT_S)
    except httpx.HTTPError as err:
        raise _fail(
            f"Plan de contrôle injoignable ({url}) : {err}. La pile est-elle démarrée (segur-bench up) ?"
        ) from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        code = exitcodes.USAGE if response.status_code in (404, 409, 422) else exitcodes.BENCH_FAILED
        raise _fail(f"Refusé par le banc ({response.status_code}) : {detail}", code)
    result: dict[str, Any] = response.json()
    return result


def _slot_line(slot: dict[str, Any]) -> str:
    card = f"{slot['card_id']} ({slot['label']})" if slot.get("present") else "vide"
    return f"  lecteur {slot['slot']}  « {slot['reader']} »  {card}"


@click.group("cards")
def cards_group() -> None:
    """Cartes virtuelles (Vitale, CPS) : insertion, retrait, lecture, lecteurs PC/SC."""


@cards_group.command("list")
@control_option
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
def list_cmd(control: str, as_json: bool) -> None:
    """Liste les cartes du monde et les lecteurs."""
    cards = _call(control, "GET", "/cards")["cards"]
    slots = _call(control, "GET", "/slots")
    if as_json:
        click.echo(json.dumps({"cards": cards, **slots}, ensure_ascii=False, indent=2))
        return
    mode = slots.get("mode")
    where = slots.get("pcscd_socket") or slots.get("bench_reader") or "pcscd du système"
    click.echo(f"Lecteurs (transport {mode}, {where}) :")
    for slot in slots["slots"]:
        click.echo(_slot_line(slot))
    click.echo("Cartes du monde :")
    for card in cards:
        inserted = f"  [lecteur {card['slot']}]" if card.get("slot") is not None else ""
        click.echo(f"  {card['card_id']:<22} {card['kind']:<7} {card['label']}{inserted}")


@cards_group.command("insert")
@click.argument("slot", type=click.IntRange(0, 1))
@click.argument("card_id")
@control_option
def insert_cmd(slot: int, card_id: str, control: str) -> None:
    """Insère la carte CARD_ID du monde dans le lecteur SLOT (0 Vitale, 1 CPS)."""
    state = _call(control, "POST", f"/slots/{slot}/insert", {"card_id": card_id})
    click.echo(f"Carte {card_id} insérée dans le lecteur {slot} (« {state['reader']} »).")


@cards_group.command("remove")
@click.argument("slot", type=click.IntRange(0, 1))
@control_option
def remove_cmd(slot: int, control: str) -> None:
    """Retire la carte du lecteur SLOT."""
    state = _call(control, "POST", f"/slots/{slot}/remove")
    click.echo(f"Lecteur {slot} (« {state['reader']} ») vide.")


def _transport_for(slots: dict[str, Any], mode: str | None) -> Any:
    from protocols.apdu import open_transport

    mode = mode or slots.get("mode")
    if mode not in ("pcsc", "bench"):
        raise _fail("Cartes désactivées (--cards none) : rien à lire.")
    return open_transport(
        mode,
        pcscd_socket=slots.get("pcscd_socket"),
        bench_reader=slots.get("bench_reader") or "127.0.0.1:7920",
    )


def _read_card(conn: Any) -> dict[str, Any]:
    from protocols.apdu.cps import CpsCard
    from protocols.apdu.vitale import AID_VITALE, read_vitale

    probe = conn.transmit(bytes([0x00, 0xA4, 0x04, 0x0C, len(AID_VITALE)]) + AID_VITALE)
    if probe.ok:
        data = read_vitale(conn)
        return {
            "type": "Vitale",
            "serial": data.serial,
            "insured_nir": data.insured_nir,
            "organisme": f"{data.regime}/{data.caisse}/{data.centre}",
            "beneficiaries": [b.__dict__ for b in data.beneficiaries],
        }
    card = CpsCard(conn)
    holder = card.holder()
    certificates = card.certificates()
    status = card.pin_status()
    return {
        "type": holder.card_type,
        "serial": card.serial(),
        "holder": holder.__dict__,
        "situations": [s.__dict__ for s in card.situations()],
        "certificates": {
            "auth": certificates.auth.subject.rfc4514_string(),
            "sign": certificates.sign.subject.rfc4514_string(),
        },
        "pin": {"verified": status.verified, "tries_left": status.tries_left, "blocked": status.blocked},
    }


def _print_card(info: dict[str, Any]) -> None:
    if info["type"] == "Vitale":
        click.echo(
            f"Carte Vitale n° {info['serial']}, assuré {info['insured_nir']}, organisme {info['organisme']}"
        )
        for b in info["beneficiaries"]:
            click.echo(
                f"  NIR {b['nir']}  {b['usage_name']} {b['first_name']}  né(e) {b['birth_date']}"
                f"  rang {b['rang']}  qualité {b['qualite']}"
            )
        return
    holder = info["holder"]
    click.echo(
        f"Carte {info['type']} n° {info['serial']} : {holder['first_name']} {holder['last_name']}"
        f" ({holder['id_nat_ps']})"
    )
    for s in info["situations"]:
        what = f"profession {s['profession']}" if s["profession"] else (s["role"] or "sans profession")
        section = f", section {s['section']}" if s["section"] else ""
        click.echo(
            f"  situation {s['number']} : {what}{section}, {s['structure_name']} ({s['structure_id']})"
        )
    click.echo(f"  certificat d'authentification : {info['certificates']['auth']}")
    click.echo(f"  certificat de signature : {info['certificates']['sign']}")
    pin = info["pin"]
    state = (
        "bloqué" if pin["blocked"] else ("vérifié" if pin["verified"] else f"{pin['tries_left']} essai(s)")
    )
    click.echo(f"  code porteur : {state}")


@cards_group.command("read")
@click.argument("slot", type=click.IntRange(0, 1))
@control_option
@click.option(
    "--transport",
    type=click.Choice(["pcsc", "bench"]),
    default=None,
    help="Par défaut celui de la pile (plan de contrôle).",
)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
def read_cmd(slot: int, control: str, transport: str | None, as_json: bool) -> None:
    """Lit la carte du lecteur SLOT avec le client APDU (comme le ferait un LGO)."""
    from protocols.apdu import ApduError, CardIOError

    slots = _call(control, "GET", "/slots")
    try:
        with _transport_for(slots, transport) as cards:
            reader = cards.find_reader(slots["slots"][slot]["reader"])
            if not cards.wait_for_card(reader, True, timeout=5.0):
                raise _fail(f"Aucune carte dans le lecteur {slot} (« {reader} »).", exitcodes.USAGE)
            with cards.connect(reader) as conn:
                info = _read_card(conn)
    except (CardIOError, ApduError) as err:
        raise _fail(f"Lecture impossible : {err}") from None
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        _print_card(info)


# --- bench: APDU round-trip time ---------------------------------------------------------------


def _measure(conn: Any, iterations: int) -> dict[str, float]:
    """SELECT round trips, then a full read of the Vitale card in this reader."""
    from protocols.apdu.vitale import read_vitale

    select_mf = bytes.fromhex("00A4000C023F00")
    for _ in range(20):  # warm-up
        conn.transmit_raw(select_mf)
    samples = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        conn.transmit_raw(select_mf)
        samples.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    beneficiaries = len(read_vitale(conn).beneficiaries)
    vitale_ms = (time.perf_counter() - t0) * 1000
    result = {
        "apdu_median_ms": statistics.median(samples),
        "apdu_p95_ms": sorted(samples)[int(0.95 * len(samples)) - 1],
        "vitale_read_ms": vitale_ms,
        "beneficiaries": beneficiaries,
    }
    return result


def _bench_transport(transport: Any, iterations: int, t_start: float) -> dict[str, Any]:
    """Measures from `t_start` (before the transport was brought up) to the first APDU answered."""
    from protocols.apdu.cps import CpsCard

    names = transport.reader_names()
    if not transport.wait_for_card(names[0], True, 10.0) or not transport.wait_for_card(names[1], True, 10.0):
        raise _fail("Les cartes n'apparaissent pas dans les lecteurs.")
    with transport.connect(names[0], timeout=5.0) as conn:
        conn.transmit(bytes.fromhex("00A4000C023F00"))
        first_ms = (time.perf_counter() - t_start) * 1000
        result: dict[str, Any] = {"start_to_first_apdu_ms": first_ms, **_measure(conn, iterations)}
    with transport.connect(names[1], timeout=5.0) as conn:
        card = CpsCard(conn)
        card.verify_pin("1234")
        t0 = time.perf_counter()
        card.sign(b"banc segur")
        result["cps_sign_ms"] = (time.perf_counter() - t0) * 1000
    return result


@cards_group.command("bench")
@click.option("--iterations", type=click.IntRange(10, 100_000), default=1000, show_default=True)
@click.option(
    "--transport",
    "transports",
    type=click.Choice(["pcsc", "bench"]),
    multiple=True,
    help="Transports mesurés (par défaut : pcsc si disponible, et bench).",
)
def bench_cmd(iterations: int, transports: tuple[str, ...]) -> None:
    """Mesure le temps d'aller-retour APDU (cartes d'exemple, pcscd privé, sans journal)."""
    from protocols.apdu import CardIOError, open_transport
    from simulators.cards.bench_reader import BenchReaderServer
    from simulators.cards.models import CardManager
    from simulators.cards.pcscd import PrivatePcscd, free_port_pair, pcsc_available
    from simulators.cards.samples import sample_catalog
    from simulators.cards.vpcd import VpcdLink

    wanted = transports or (("pcsc", "bench") if pcsc_available() else ("bench",))
    catalog, defaults = sample_catalog()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="segur-cards-bench-") as tmp:
        for mode in wanted:
            manager = CardManager(catalog, ["Banc Segur 00 00", "Banc Segur 00 01"], defaults)
            manager.reset()
            t_start = time.perf_counter()
            if mode == "pcsc":
                daemon = PrivatePcscd(Path(tmp) / "pcsc", port=free_port_pair())
                try:
                    endpoint = daemon.start()
                except Exception as err:
                    raise _fail(f"pcscd : {err}") from None
                links = []
                for index in (0, 1):
                    card, _ = manager.current(index)
                    assert card is not None
                    link = VpcdLink(endpoint.host, endpoint.ports[index], card)
                    link.start()
                    links.append(link)
                try:
                    with open_transport("pcsc", pcscd_socket=endpoint.socket) as transport:
                        results[mode] = _bench_transport(transport, iterations, t_start)
                except CardIOError as err:
                    raise _fail(f"PC/SC : {err}") from None
                finally:
                    for link in links:
                        link.stop()
                    daemon.stop()
            else:
                server = BenchReaderServer(manager, ("127.0.0.1", 0))
                server.start()
                try:
                    with open_transport("bench", bench_reader=server.address) as transport:
                        results[mode] = _bench_transport(transport, iterations, t_start)
                finally:
                    server.stop()
    for mode, r in results.items():
        label = "PC/SC (pcscd + vpcd + pyscard)" if mode == "pcsc" else "lecteur du banc (socket)"
        click.echo(f"{label} :")
        click.echo(
            f"  démarrage (transport, cartes insérées) jusqu'à la première APDU : {r['start_to_first_apdu_ms']:.0f} ms"
        )
        click.echo(
            f"  aller-retour APDU ({iterations} SELECT) : médiane {r['apdu_median_ms']:.3f} ms,"
            f" 95e centile {r['apdu_p95_ms']:.3f} ms"
        )
        click.echo(
            f"  lecture Vitale complète ({r['beneficiaries']} bénéficiaires) : {r['vitale_read_ms']:.1f} ms"
        )
        click.echo(f"  signature CPS (MSE + PSO CDS, RSA 2048) : {r['cps_sign_ms']:.1f} ms")
