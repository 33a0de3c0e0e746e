"""Env-steps/s of MAPPO training with rollouts on Ray workers (1, 2, ...) beside the local backend,
in the same run, with what one update costs on the Ray side.

    python benchmarks/bench_ray.py [--scenario hide_and_seek_quadrant] [--envs-per-worker 4]
                                   [--rollout-len 128] [--updates 4] [--workers 1 2] [--cpus N]

Every training has `envs-per-worker x workers` envs (the local backend gets the same envs, on
as many worker processes); the first update of each is left out (numba compiles, Ray starts
actors). Per configuration: env-steps/s of the whole loop, the scaling efficiency against one Ray
worker (throughput / (workers x one worker's)), and per update: the seconds to put the weights in
the object store and send the rollout calls (`broadcast`), to wait for and gather the rollouts
(`gather`: the workers' collection plus the transfer), and the learner's update (the rest). The
last lines estimate synchronous throughput on more cores from the 1-worker figures (docs/ray.md)."""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import ray

from agents import config
from agents.commands.learn import env_factory
from agents.trainer import Trainer


def train(scenario: str, envs: int, rollout_len: int, updates: int, **extra) -> dict:
    cfg = config.resolve("mappo", ("bench", dict(target=scenario, envs=envs, rollout_len=rollout_len,
                                                 steps=envs * rollout_len * updates, seed=0, **extra)))
    with tempfile.TemporaryDirectory() as run:
        Trainer(cfg, env_factory(cfg.target, cfg.env_kwargs), run).train()
        rows = [json.loads(line) for line in (Path(run) / "metrics.jsonl").read_text().splitlines()][1:]
    per_update = envs * rollout_len
    seconds = float(np.sum([per_update / m["steps_per_s"] for m in rows]))
    out = {"steps_per_s": per_update * len(rows) / seconds, "update_s": seconds / len(rows)}
    if rows and "ray/gather_s" in rows[0]:
        out.update({k: float(np.mean([m[f"ray/{k}"] for m in rows])) for k in ("broadcast_s", "gather_s")})
        out["learner_s"] = out["update_s"] - out["broadcast_s"] - out["gather_s"]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="hide_and_seek_quadrant")
    parser.add_argument("--envs-per-worker", type=int, default=4)
    parser.add_argument("--rollout-len", type=int, default=128)
    parser.add_argument("--updates", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--cpus", type=int, default=None, help="CPUs of the local Ray (default: all)")
    args = parser.parse_args()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    base = dict(rollout_len=args.rollout_len, updates=args.updates)
    one = None
    print(f"{args.scenario}, MAPPO, {args.envs_per_worker} envs per worker, rollout_len {args.rollout_len}")
    for w in args.workers:
        envs = w * args.envs_per_worker
        local = train(args.scenario, envs, workers=w, **base)
        remote = train(args.scenario, envs, ray="local", ray_workers=w, **base)
        one = one or remote
        efficiency = remote["steps_per_s"] / (w * one["steps_per_s"])
        print(f"workers {w} ({envs} envs): local {local['steps_per_s']:7.0f} steps/s | ray {remote['steps_per_s']:7.0f}"
              f" steps/s, scaling efficiency {efficiency:.0%} | per update: broadcast {remote['broadcast_s'] * 1e3:.1f} ms,"
              f" gather {remote['gather_s']:.2f} s, learner {remote['learner_s']:.2f} s")
    steps = args.envs_per_worker * args.rollout_len
    worker_rate = steps / one["gather_s"]  # one worker's env-steps/s while collecting
    learner_per_step = one["learner_s"] / steps  # learner seconds per env step of the batch
    print(f"one worker collects {worker_rate:.0f} env-steps/s; the learner takes {learner_per_step * 1e6:.0f} us "
          "per env step of a batch (on this CPU)")
    for cores in (64, 512):
        rate = cores / (1 / worker_rate + learner_per_step * cores)
        print(f"{cores} workers, synchronous: {rate:,.0f} steps/s = {rate * 3600 / 1e6:,.0f} M steps/hour "
              f"(the learner limits at {1 / (learner_per_step * worker_rate):.0f} workers, at most "
              f"{1 / learner_per_step:,.0f} steps/s)")
    ray.shutdown()


if __name__ == "__main__":
    main()
