"""The `arena` command. Each subcommand lives in `agents/commands/<group>.py`, which exposes
`register(subparsers)`; this file only wires them together and turns bad input into exit code 2.
Bare `arena` prints the help and exits 2 (no command is a usage error, as with git)."""
from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import signal
import sys
from importlib.metadata import PackageNotFoundError, version

from scenarios.errors import InputError

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

COMMAND_MODULES = ("author", "learn", "watch", "plot")


def _nearest(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            message += _nearest(choice[1], re.findall(r"'([^']*)'", choice[2]))
        self.print_usage(sys.stderr)
        print(f"arena: error: {message}", file=sys.stderr)
        raise SystemExit(2)

    def unrecognized(self, extras: list[str]):
        flags = [s for action in self._actions for s in action.option_strings]
        hints = "".join(_nearest(word.split("=")[0], flags) for word in extras if word.startswith("-"))
        self.error(f"unrecognized arguments: {' '.join(extras)}{hints}")


def _version() -> str:
    try:
        return version("emergent-arena")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, _Parser]]:
    parser = _Parser(prog="arena", description="Multi-agent hide-and-seek: author, train, watch.",
                     epilog="`arena COMMAND --help` describes each command.")
    parser.add_argument("--version", action="version", version=f"arena (emergent-arena) {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"agents.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"agents.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser, sub.choices


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser, commands = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            commands.get(args.command, parser).unrecognized(extras)
        if args.command is None:
            parser.print_help()
            return 2
        if argv is None:  # a real command: `kill` unwinds like Ctrl-C, so workers and shared memory are released
            signal.signal(signal.SIGTERM, _interrupt)
        return int(args.run(args) or 0)
    except InputError as e:
        print(f"arena: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("arena: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
