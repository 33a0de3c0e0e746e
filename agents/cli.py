"""The `arena` command. Each subcommand lives in `agents/commands/<group>.py`, which exposes
`register(subparsers)`; this file only wires them together and turns bad input into exit code 2."""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from scenarios.errors import InputError

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

COMMAND_MODULES = ("author", "learn", "watch", "plot")


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"arena: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="arena", description="Multi-agent hide-and-seek: author, train, watch.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"agents.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"agents.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if argv is None:  # a real command: `kill` unwinds like Ctrl-C, so workers and shared memory are released
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        return int(args.run(args) or 0)
    except InputError as e:
        print(f"arena: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("arena: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
