"""Commands for scenario authors: list, validate, print the schema, preview, benchmark."""
from __future__ import annotations

import argparse
from pathlib import Path

import scenarios
from scenarios.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser("scenarios", help="list the built-in scenarios, or print the JSON Schema",
                              description="List built-in scenarios with a one-line description each. "
                                          "`arena scenarios schema` prints the JSON Schema of scenario files.")
    p.add_argument("what", nargs="?", choices=["schema"], help="print the JSON Schema instead")
    p.set_defaults(run=_scenarios)

    p = subparsers.add_parser("validate", help="check scenario files",
                              description="Check scenario YAML files, and that each can be reset (a sample "
                                          "of seeds); errors name the file, key and reason.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=_validate)

    p = subparsers.add_parser("preview", help="draw a freshly reset world as a PNG")
    p.add_argument("scenario", nargs="?", default=scenarios.DEFAULT, help="built-in name or YAML path")
    p.add_argument("--out", default="layout.png", help="PNG to write (default layout.png)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--size", type=int, default=640, help="image side in pixels")
    p.set_defaults(run=_preview)

    p = subparsers.add_parser("bench", help="env-steps/s beside the bare physics of the same world",
                              description="Step the environment through the PettingZoo API with random "
                                          "actions on one core, and the bare pymunk substeps of the same world.")
    p.add_argument("scenario", nargs="?", default=scenarios.DEFAULT, help="built-in name or YAML path")
    p.add_argument("--seconds", type=float, default=5.0, help="time per measurement (default 5)")
    p.add_argument("--yardstick", type=Path, help="naive_pymunk_world.py to measure in the same run")
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
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise InputError(f"--out {out}: the preview is a PNG, give a path ending in .png")
    if args.size < 64:
        raise InputError(f"--size {args.size}: give at least 64 pixels")
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
    from arena.benchmark import report

    if args.seconds <= 0:
        raise InputError(f"--seconds {args.seconds}: give a positive duration")
    if args.yardstick is not None and not args.yardstick.is_file():
        raise InputError(f"--yardstick {args.yardstick}: no such file")
    print(report(args.scenario, args.seconds, args.yardstick))
    return 0
