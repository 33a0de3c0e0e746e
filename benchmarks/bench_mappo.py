"""End-to-end MAPPO throughput on an arena scenario, beside what the pieces cost alone.

    python benchmarks/bench_mappo.py [--scenario hide_and_seek_quadrant] [--steps 100000] [--envs N]
                                     [--repeat 1] [--no-recipe]

Prints env-steps/s (one step of one env with all its agents) for: the bare envs in one process with
random actions, the vectorised envs with random actions, and full MAPPO training (collection with
batched policy inference + updates): plain, overlapped (the envs in two groups: the workers step
one group while the policies act for the other), with 2 torch threads for the gradient update
(the env workers wait then), both, both with half the epochs (what the update costs), both
with the update's matrix products in bfloat16 (`bf16`), and that with one actor per rank in a team
(`actor_per_rank`), each with its ratio to plain (1 update thread and no overlap, whatever the
recipe says). The hyperparameters are the scenario's recipe
(agents/recipes/<scenario>.yaml) when it has one, else the algorithm's defaults; --envs and
--encoder override them. With --repeat N the trainings alternate N times and the ratio is taken
over the summed times, which evens out a machine whose load drifts."""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from agents import config
from agents.commands.learn import default_recipe, env_factory
from agents.trainer import Trainer, open_envs
from arena.benchmark import yardstick_steps_per_second

YARDSTICK = Path(__file__).resolve().parents[2] / "shared" / "bench" / "naive_pymunk_world.py"


def random_steps_per_s(make_env, cfg, n_envs: int, workers: int, seconds: float = 5.0) -> float:
    cfg = config.resolve(cfg.algo, ("bench", {**cfg.__dict__, "workers": workers}))
    vec = open_envs(make_env, cfg, n_envs)
    rng = np.random.default_rng(0)
    spaces = {t.name: t.action_space for t in vec.spec.teams}
    try:
        vec.reset(0)
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for team, space in spaces.items():
                action = vec.arrays[f"action/{team}"]
                action[:] = rng.integers(0, space.nvec, action.shape) if hasattr(space, "nvec") else 0
            vec.step()
            steps += n_envs
        return steps / (time.perf_counter() - start)
    finally:
        vec.close()


def train_steps_per_s(make_env, cfg) -> tuple[int, float, dict]:
    """(steps, seconds, last returns) of a MAPPO training run from scratch."""
    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(cfg, make_env, run_dir)
        start = time.perf_counter()
        result = trainer.train()
        elapsed = time.perf_counter() - start
    return result["step"], elapsed, {k: round(v, 2) for k, v in result.items() if k.startswith("return/")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="hide_and_seek_quadrant")
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--envs", type=int, help="default: the recipe's")
    parser.add_argument("--encoder", choices=("mlp", "entity"), help="default: the recipe's, else mlp")
    parser.add_argument("--hidden", type=int, nargs="+", help="layer widths, as arena train's; default: the recipe's")
    parser.add_argument("--algo", default="mappo", choices=("mappo", "ippo"))
    parser.add_argument("--repeat", type=int, default=1, help="alternate the trainings N times")
    parser.add_argument("--no-recipe", action="store_true", help="start from the algorithm's defaults")
    parser.add_argument("--only", action="store_true", help="train the recipe as it is, no variants")
    args = parser.parse_args()
    recipe = None if args.no_recipe else default_recipe(args.scenario)
    layers = [(str(recipe), {k: v for k, v in config.read_yaml(recipe).items() if k != "algo"})] if recipe else []
    layers.append(("bench", dict(target=args.scenario, steps=args.steps, envs=args.envs,
                                 encoder=args.encoder or (None if recipe else "mlp"), hidden=args.hidden)))
    cfg = config.resolve(args.algo, *layers)
    make_env = env_factory(cfg.target, cfg.env_kwargs, flat=cfg.encoder == "mlp")
    print(f"{args.algo} on {args.scenario} ({recipe or 'no recipe'}), {cfg.envs} envs x {cfg.rollout_len} steps, "
          f"encoder {cfg.encoder} {cfg.hidden}, {os.cpu_count()} cores")
    print(f"  bare envs, 1 process, random actions: {random_steps_per_s(make_env, cfg, 8, 1):8.0f} env-steps/s")
    print(f"  vectorised envs, random actions:      {random_steps_per_s(make_env, cfg, cfg.envs, 0):8.0f} env-steps/s")
    def variant(threads: int, overlap: bool, epochs: int = cfg.epochs, bf16: bool = False, per_rank: bool = False):
        return config.resolve(args.algo, ("bench", {**cfg.__dict__, "update_threads": threads, "overlap": overlap,
                                                    "epochs": epochs, "bf16": bf16, "actor_per_rank": per_rank}))

    variants = {"plain": variant(1, False), "overlapped": variant(1, True), "2 update threads": variant(2, False),
                "overlapped, 2 update threads": variant(2, True),
                f"both, {cfg.epochs // 2} epochs not {cfg.epochs}": variant(2, True, cfg.epochs // 2),
                "both, bfloat16 update": variant(2, True, bf16=True),
                "bfloat16, one actor per rank": variant(2, True, bf16=True, per_rank=True)}
    if args.only:
        variants = {"recipe": cfg}
    totals = {name: [0, 0.0] for name in variants}
    yardsticks = []
    for _ in range(args.repeat):
        if YARDSTICK.is_file():  # between the trainings, so that it sees the same load
            yardsticks.append(yardstick_steps_per_second(YARDSTICK, 5.0))
            print(f"  naive yardstick ({YARDSTICK.name}): {yardsticks[-1]:8.0f} env-steps/s", flush=True)
        for name, variant_cfg in variants.items():
            steps, elapsed, returns = train_steps_per_s(make_env, variant_cfg)
            totals[name][0] += steps
            totals[name][1] += elapsed
            print(f"  MAPPO training end to end, {name + ':':29s} {steps / elapsed:8.0f} env-steps/s "
                  f"({steps} steps in {elapsed:.1f} s; last returns {returns})", flush=True)
    speed = {name: steps / seconds for name, (steps, seconds) in totals.items()}
    runs = f", over {args.repeat} runs each" if args.repeat > 1 else ""
    if yardsticks:
        naive = float(np.median(yardsticks))
        for name, rate in speed.items():
            print(f"  {name} end to end / naive yardstick: {rate / naive:.2f}x ({rate:.0f} / {naive:.0f}{runs})")
    for name in list(variants)[1:] if "plain" in speed else ():
        print(f"  {name} / plain: {speed[name] / speed['plain']:.3f} "
              f"({speed[name]:.0f} / {speed['plain']:.0f} env-steps/s{runs})")


if __name__ == "__main__":
    main()
