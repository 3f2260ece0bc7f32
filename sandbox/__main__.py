"""`python -m sandbox up|down|serve|seed`: the stand-ins and their world, from a shell."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

DATA = Path("data")
ENV_FILE = DATA / "sandbox.env"
PID_FILE = DATA / "sandbox.pid"
LOG_FILE = DATA / "sandbox.log"
WORLD_DIR = DATA / "world"
WORLD_ENV = DATA / "world.env"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start the stand-ins in the background")
    up.add_argument("--if-down", action="store_true", help="do nothing when already up")
    up.add_argument("--odoo-version", type=int, choices=(16, 19), default=19)
    up.add_argument(
        "--odoo-subscriptions",
        action="store_true",
        help="serve Odoo Enterprise's subscription sale orders (Odoo 19 only)",
    )

    commands.add_parser("down", help="stop the stand-ins")

    serve = commands.add_parser("serve", help="run the stand-ins in the foreground")
    serve.add_argument("--odoo-version", type=int, choices=(16, 19), default=19)
    serve.add_argument("--odoo-subscriptions", action="store_true")

    seed = commands.add_parser("seed", help="build a world and load it into the stand-ins")
    seed.add_argument("--seed", type=int, default=1)
    seed.add_argument("--size", choices=("small", "demo"), default="small")
    seed.add_argument("--odoo-version", type=int, choices=(16, 19), default=None)
    seed.add_argument("--out", type=Path, default=None, help="only write the files here")
    seed.add_argument("--no-plant", action="store_true", help="plant no discrepancies")

    args = parser.parse_args(argv)
    if args.command == "up":
        if args.odoo_subscriptions and args.odoo_version != 19:
            parser.error("--odoo-subscriptions needs --odoo-version 19")
        return _up(
            if_down=args.if_down,
            odoo_version=args.odoo_version,
            subscriptions=args.odoo_subscriptions,
        )
    if args.command == "down":
        return _down()
    if args.command == "serve":
        return _serve(odoo_version=args.odoo_version, subscriptions=args.odoo_subscriptions)
    return _seed(args)


def _up(*, if_down: bool, odoo_version: int, subscriptions: bool) -> int:
    if is_up():
        if if_down:
            print(f"sandbox already up; environment in {ENV_FILE}")
            return 0
        print(f"sandbox already up; run `python -m sandbox down` first ({ENV_FILE})")
        return 1

    DATA.mkdir(exist_ok=True)
    ENV_FILE.unlink(missing_ok=True)
    with LOG_FILE.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sandbox",
                "serve",
                "--odoo-version",
                str(odoo_version),
                *(["--odoo-subscriptions"] if subscriptions else []),
            ],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print(f"sandbox failed to start; see {LOG_FILE}", file=sys.stderr)
            return 1
        if is_up():
            print(f"sandbox up (pid {process.pid}); environment in {ENV_FILE}")
            return 0
        time.sleep(0.2)
    print(f"sandbox did not answer within 60 s; see {LOG_FILE}", file=sys.stderr)
    return 1


def _down() -> int:
    if PID_FILE.exists():
        pid = int(PID_FILE.read_text().strip())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        PID_FILE.unlink(missing_ok=True)
    ENV_FILE.unlink(missing_ok=True)
    print("sandbox down")
    return 0


def _serve(*, odoo_version: int, subscriptions: bool) -> int:
    from sandbox.stack import start_sandbox, write_env_file

    sandbox = start_sandbox(odoo_version=odoo_version, odoo_subscriptions=subscriptions)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    PID_FILE.write_text(str(os.getpid()))
    write_env_file(ENV_FILE, sandbox.env)
    print(f"serving {sorted(sandbox.servers)} for Odoo {odoo_version}", flush=True)
    stop.wait()
    sandbox.stop()
    return 0


def _seed(args: argparse.Namespace) -> int:
    from sandbox.stack import admin_call, read_env_file, running_urls, write_env_file
    from sandbox.world import build_world, stand_in_payloads, write_world

    env = read_env_file(ENV_FILE) if ENV_FILE.exists() else {}
    running_version = int(env.get("TRUEUP_SANDBOX_ODOO_VERSION", "19"))
    version = args.odoo_version or running_version
    world = build_world(
        seed=args.seed, size=args.size, odoo_version=version, plant=not args.no_plant
    )

    if args.out is not None:
        write_world(world, args.out)
        print(f"world written to {args.out} ({len(world.answer_key)} planted)")
        return 0

    if not env or not is_up():
        print("the sandbox is not up; run `python -m sandbox up` first", file=sys.stderr)
        return 1
    if version != running_version:
        print(
            f"the sandbox runs Odoo {running_version}, not {version}; restart it with "
            f"`python -m sandbox down && python -m sandbox up --odoo-version {version}`",
            file=sys.stderr,
        )
        return 1

    write_world(world, WORLD_DIR)
    write_env_file(WORLD_ENV, {"TRUEUP_AS_OF": world.as_of.isoformat()})
    urls = running_urls(env)
    for system, payload in stand_in_payloads(world).items():
        loaded = admin_call(urls[system], "load", payload)
        print(f"{system}: loaded {loaded['loaded']}")
    print(f"world seed {args.seed} ({args.size}, Odoo {version}) in {WORLD_DIR}")
    return 0


def is_up() -> bool:
    from sandbox.stack import admin_call, read_env_file, running_urls

    if not ENV_FILE.exists():
        return False
    try:
        urls = running_urls(read_env_file(ENV_FILE))
        return all(admin_call(url, "health")["ok"] for url in urls.values())
    except (OSError, KeyError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(main())
