"""End-to-end MAPPO throughput on an arena scenario, beside what the pieces cost alone.

    python benchmarks/bench_mappo.py [--scenario hide_and_seek_quadrant] [--steps 100000] [--envs 64]

Prints env-steps/s (one step of one env with all its agents) for: the bare envs in one process with
random actions, the vectorised envs with random actions, and full MAPPO training (collection with
batched policy inference + updates), with the MLP encoder unless --encoder says otherwise."""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

from agents import config
from agents.commands.learn import env_factory
from agents.trainer import Trainer, open_envs


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="hide_and_seek_quadrant")
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--encoder", default="mlp", choices=("mlp", "entity"))
    parser.add_argument("--algo", default="mappo", choices=("mappo", "ippo"))
    args = parser.parse_args()
    cfg = config.resolve(args.algo, ("bench", dict(target=args.scenario, steps=args.steps, envs=args.envs,
                                                   encoder=args.encoder)))
    make_env = env_factory(cfg.target, cfg.env_kwargs)
    print(f"{args.algo} on {args.scenario}, {args.envs} envs, encoder {args.encoder}, {os.cpu_count()} cores")
    print(f"  bare envs, 1 process, random actions: {random_steps_per_s(make_env, cfg, 8, 1):8.0f} env-steps/s")
    print(f"  vectorised envs, random actions:      {random_steps_per_s(make_env, cfg, args.envs, 0):8.0f} env-steps/s")
    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(cfg, make_env, run_dir)
        start = time.perf_counter()
        result = trainer.train()
        elapsed = time.perf_counter() - start
    returns = {k: round(v, 2) for k, v in result.items() if k.startswith("return/")}
    print(f"  MAPPO training end to end:            {result['step'] / elapsed:8.0f} env-steps/s "
          f"({result['step']} steps in {elapsed:.1f} s; last returns {returns})")


if __name__ == "__main__":
    main()
