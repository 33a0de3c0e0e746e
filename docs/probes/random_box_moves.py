"""How far random hiders move the boxes in the preparation phase, by how often they vote grab and lock.

    python docs/probes/random_box_moves.py [--episodes 100]

Boxes start 0.4-0.6 m inside the doors of the hiders' room (so no door is shut at the start);
every agent takes uniform random moves, and grabs and votes lock with the chances given. A lock
vote of an agent in reach freezes a box for that step and releases its grab, which is what keeps
boxes still under a policy that votes lock half the time."""
from __future__ import annotations

import argparse

import numpy as np

import arena
from arena.mechanics import ACTION_NVEC


def run(p_grab: float, p_lock: float, episodes: int, rng: np.random.Generator) -> dict[str, float]:
    env = arena.parallel_env("hide_and_seek_quadrant", spawn__boxes_at_doors=1.0, spawn__boxes_door_distance=0.6,
                             spawn__boxes_door_distance_min=0.4)
    stats = []
    for episode in range(episodes):
        env.reset(seed=episode)
        while env.agents:
            actions = {}
            for agent in env.agents:
                action = rng.integers(0, ACTION_NVEC)
                action[3], action[4] = rng.random() < p_grab, rng.random() < p_lock
                actions[agent] = action
            _, _, _, _, infos = env.step(actions)
        stats.append(next(iter(infos.values()))["episode_stats"])
    return {k: float(np.mean([s[k] for s in stats])) for k in ("max_box_move_prep", "num_box_lock_prep", "fort_prep")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=100)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print("P(grab)  P(lock vote)  box moved furthest in prep (m)  boxes locked at its end  fort")
    for p_grab, p_lock in ((0.5, 0.5), (0.5, 0.1), (0.5, 0.0), (0.9, 0.1)):
        s = run(p_grab, p_lock, args.episodes, rng)
        print(f"{p_grab:7.1f}  {p_lock:12.1f}  {s['max_box_move_prep']:30.2f}  {s['num_box_lock_prep']:23.2f}  "
              f"{s['fort_prep']:4.2f}")


if __name__ == "__main__":
    main()
