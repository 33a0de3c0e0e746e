"""Commands for scenario authors: list, validate, print the schema, preview, benchmark."""
from __future__ import annotations

import argparse
from pathlib import Path

import scenarios
from agents.commands.argtypes import number, output_file
from scenarios.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser("scenarios", help="list the built-in scenarios, or print the JSON Schema",
                              description="List built-in scenarios with a one-line description each. "
                                          "`arena scenarios schema` prints the JSON Schema of scenario files.")
    p.add_argument("what", nargs="?", choices=["schema"], help="print the JSON Schema instead (default: the list)")
    p.set_defaults(run=_scenarios)

    p = subparsers.add_parser("validate", help="check scenario files",
                              description="Check scenario YAML files, and that each can be reset (a sample "
                                          "of seeds); errors name the file, key and reason.")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files to check")
    p.set_defaults(run=_validate)

    p = subparsers.add_parser("preview", help="draw a freshly reset world as a PNG",
                              description="Reset a scenario once and draw the world as a PNG.")
    p.add_argument("scenario", nargs="?", default=scenarios.DEFAULT,
                   help=f"built-in name or YAML path (default {scenarios.DEFAULT})")
    p.add_argument("--out", default="layout.png", type=output_file("--out", (".png",)),
                   help="PNG to write (default layout.png)")
    p.add_argument("--seed", type=number(int, 0, 2**63 - 1, "--seed"), default=0, help="reset seed (default 0)")
    p.add_argument("--size", type=number(int, 64, 4096, "--size"), default=640,
                   help="image side in pixels (default 640; 64 to 4096)")
    p.set_defaults(run=_preview)

    p = subparsers.add_parser("bench", help="env-steps/s beside the bare physics of the same world",
                              description="Step the environment through the PettingZoo API with random "
                                          "actions on one core, and the bare pymunk substeps of the same world.")
    p.add_argument("scenario", nargs="?", default=scenarios.DEFAULT,
                   help=f"built-in name or YAML path (default {scenarios.DEFAULT})")
    p.add_argument("--seconds", type=number(float, 0, 3600.0, "--seconds", low_open=True), default=5.0,
                   help="time per measurement (default 5; at most 3600)")
    p.add_argument("--yardstick", type=Path,
                   help="naive_pymunk_world.py to measure in the same run (default: none)")
    p.set_defaults(run=_bench)


def _scenarios(args) -> int:
    if args.what == "schema":
        print(scenarios.json_schema())
        return 0
    names = scenarios.names()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {scenarios.describe(name)}")
    return 0


def _validate(args) -> int:
    from arena import feasibility

    failed = []
    for path in args.files:
        try:
            sc = scenarios.load(Path(path))
        except InputError as e:
            failed.append(str(e))
            continue
        try:
            feasibility.check(sc)
        except InputError as e:
            failed.append(f"{path}: {e}")
            continue
        print(f"{path}: ok ({sc.name}, {sc.layout.kind} layout, horizon {sc.horizon})")
    if failed:
        raise InputError("\n".join(failed))
    return 0


def _preview(args) -> int:
    out = args.out
    scenarios.load(args.scenario)  # a bad scenario stops us before pygame and the numba kernels load
    import pygame

    import arena
    from arena.render import Renderer
    from replays.files import atomic_output

    env = arena.parallel_env(args.scenario)
    env.reset(seed=args.seed)
    rgb = Renderer(env.snapshot.static, width=args.size).frame(env.snapshot)
    with atomic_output(out) as tmp:
        pygame.image.save(pygame.image.frombuffer(rgb.tobytes(), (rgb.shape[1], rgb.shape[0]), "RGB"), str(tmp))
    print(f"wrote {out} ({env.scenario.name}, seed {args.seed}, agents {', '.join(env.agents)})")
    return 0


def _bench(args) -> int:
    scenarios.load(args.scenario)
    from agents.envs import steps_per_second
    from arena.benchmark import report

    if args.yardstick is not None and not args.yardstick.is_file():
        raise InputError(f"--yardstick {args.yardstick}: no such file")
    print(report(args.scenario, args.seconds, args.yardstick, steps_per_second))
    return 0
