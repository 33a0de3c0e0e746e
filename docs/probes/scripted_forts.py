"""How often hand-written hiders (`arena/scripted.py`) build a fort in the preparation phase of the
quadrant game: what the mechanics allow in its 32 steps, to set trained hiders against.

    python docs/probes/scripted_forts.py [--episodes 300]

One hider per door carries the nearest free box to it and locks it; seekers stand still (they are
frozen in the preparation phase anyway). Prints the fort rate by the number of doors."""
from __future__ import annotations

import argparse

import numpy as np

import arena
from arena.scripted import play


def episode(env, seed: int) -> dict:
    team, stats = play(env, seed)
    return {"doors": len(team.doors), **stats}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=300)
    args = parser.parse_args()
    env = arena.parallel_env("hide_and_seek_quadrant")
    results = [episode(env, seed) for seed in range(args.episodes)]
    print("doors  episodes  fort  hidden")
    for n in sorted({r["doors"] for r in results}):
        rs = [r for r in results if r["doors"] == n]
        print(f"{n:5d}  {len(rs):8d}  {np.mean([r['fort_prep'] for r in rs]):4.2f}  "
              f"{np.mean([r['hidden_fraction'] for r in rs]):6.2f}")
    print(f"  all  {len(results):8d}  {np.mean([r['fort_prep'] for r in results]):4.2f}")


if __name__ == "__main__":
    main()
