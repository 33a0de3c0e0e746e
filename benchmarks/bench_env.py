"""Env throughput beside bare physics and the naive yardstick, in one run: `python benchmarks/bench_env.py`.
The same measurements as `arena bench` (PettingZoo step, the trainer's TeamEnv, bare physics), with the yardstick found in ../shared/bench when present."""
import argparse
from pathlib import Path

from agents.envs import steps_per_second
from arena.benchmark import report

YARDSTICK = Path(__file__).resolve().parents[2] / "shared" / "bench" / "naive_pymunk_world.py"

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", default="hide_and_seek_quadrant")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(report(args.scenario, args.seconds, YARDSTICK if YARDSTICK.is_file() else None, steps_per_second))
