"""How often hand-written hiders (`arena/scripted.py`) build a fort in the preparation phase of the
quadrant game, and how long carrying a box to its door takes them: what the mechanics allow in
its 32 steps, to set trained hiders against.

    python docs/probes/scripted_forts.py [--episodes 300] [--env-kwargs '{boxes__mass: 1.0}']

One hider per door carries the nearest free box to it and locks it; seekers stand still (they are
frozen in the preparation phase anyway). Prints the fort rate by the number of doors, then, by how
far each box starts from the door it is carried to, the step at which it shut that door."""
from __future__ import annotations

import argparse

import numpy as np
import yaml

import arena
from arena.scripted import play

BANDS = [(0.0, 1.0), (1.0, 1.5), (1.5, 2.0), (2.0, np.inf)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument("--env-kwargs", type=yaml.safe_load, default={}, help="scenario options, as for arena train")
    args = parser.parse_args()
    env = arena.parallel_env("hide_and_seek_quadrant", **args.env_kwargs)
    results, carries = [], []
    for seed in range(args.episodes):
        team, stats = play(env, seed)
        results.append({"doors": len(team.doors), **stats})
        carries += [(c.distance, np.inf if c.done_at is None else c.done_at) for c in team.carriers]
    print("doors  episodes  fort  hidden")
    for n in sorted({r["doors"] for r in results}):
        rs = [r for r in results if r["doors"] == n]
        print(f"{n:5d}  {len(rs):8d}  {np.mean([r['fort_prep'] for r in rs]):4.2f}  "
              f"{np.mean([r['hidden_fraction'] for r in rs]):6.2f}")
    print(f"  all  {len(results):8d}  {np.mean([r['fort_prep'] for r in results]):4.2f}")
    prep = env.snapshot.static.prep_steps
    carries = np.array(carries)
    print(f"\nbox starts  boxes  median step shut  shut in time (of {prep} steps)")
    for lo, hi in BANDS:
        steps = carries[(carries[:, 0] >= lo) & (carries[:, 0] < hi), 1]
        if len(steps):
            band = f"{lo:.1f}-{hi:.1f} m" if hi < np.inf else f">= {lo:.1f} m"
            print(f"{band:>10}  {len(steps):5d}  {np.median(steps):16.0f}  {np.mean(steps < prep):26.2f}")


if __name__ == "__main__":
    main()
