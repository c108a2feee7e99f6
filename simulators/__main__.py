"""`python -m simulators`: runs every simulated service and the control plane in one process."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from simulators.core.runtime import Runtime
from simulators.core.settings import RuntimeSettings


def _port_pair(text: str) -> tuple[str, int]:
    name, sep, port = text.partition("=")
    if not sep or not name or not port.isdigit():
        raise argparse.ArgumentTypeError(f"attendu service=port, reçu {text!r}")
    return name, int(port)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulators", description="Simulateurs segur-bench.")
    parser.add_argument(
        "--home", type=Path, default=Path("var"), help="dossier d'exécution ($SEGUR_BENCH_HOME)"
    )
    parser.add_argument("--services", default=None, help="services à démarrer, séparés par des virgules")
    parser.add_argument(
        "--port", action="append", type=_port_pair, default=[], help="service=port (répétable)"
    )
    parser.add_argument(
        "--control-port", type=int, default=None, help="port du plan de contrôle (défaut 7900)"
    )
    parser.add_argument("--bind", default="127.0.0.1", help="adresse d'écoute des services nationaux")
    parser.add_argument("--world", default="default", help="monde chargé (scenarios/worlds/<nom>.yaml)")
    parser.add_argument(
        "--cards", choices=["pcsc", "bench", "none"], default=None, help="transport des cartes"
    )
    parser.add_argument("--ready-file", type=Path, default=None, help="fichier JSON écrit quand tout écoute")
    parser.add_argument("--fault-seed", type=int, default=None, help="graine des pannes probabilistes")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


async def serve(settings: RuntimeSettings) -> int:
    runtime = Runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await runtime.start()
    except Exception as exc:
        logging.getLogger("simulators").error("démarrage impossible : %s", exc)
        await runtime.stop()
        return 2
    print(f"simulateurs prêts ; plan de contrôle {runtime.control_url}", flush=True)
    await stop.wait()
    await runtime.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s : %(message)s"
    )
    settings = RuntimeSettings(
        home=args.home.resolve(),
        services=[s.strip() for s in args.services.split(",") if s.strip()] if args.services else None,
        ports=dict(args.port),
        control_port=args.control_port,
        bind=args.bind,
        world=args.world,
        cards=args.cards,
        ready_file=args.ready_file,
        fault_seed=args.fault_seed,
    )
    return asyncio.run(serve(settings))


if __name__ == "__main__":
    sys.exit(main())
