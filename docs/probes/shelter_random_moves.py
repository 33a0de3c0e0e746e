"""What random actions do to the rays reaching the cylinder in shelter_construction, by how often
the agent votes grab and lock.

    python docs/probes/shelter_random_moves.py [--episodes 20] [--size 6.0]

Prints, over the episodes, the mean and standard deviation of the return and of the rays shut
during an episode (`rays_reaching_start - rays_reaching`; negative when boxes drift out of the
way). The spread is what a learner can tell good actions from bad by."""
from __future__ import annotations

import argparse

import numpy as np

import arena
from arena.mechanics import ACTION_NVEC


def run(p_grab: float, p_lock: float, episodes: int, size: float, rng: np.random.Generator) -> np.ndarray:
    env = arena.parallel_env("shelter_construction", world__size=size, world__grid=round(size * 5))
    out = []
    for episode in range(episodes):
        env.reset(seed=episode)
        total = 0.0
        while env.agents:
            action = rng.integers(0, ACTION_NVEC)
            action[3], action[4] = rng.random() < p_grab, rng.random() < p_lock
            _, rewards, _, _, infos = env.step({env.agents[0]: action})
            total += sum(rewards.values())
        stats = next(iter(infos.values()))["episode_stats"]
        out.append((total, stats["rays_reaching_start"] - stats["rays_reaching"]))
    return np.array(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--size", type=float, default=6.0, help="floor size in m (the grid is 5 cells per m)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print("P(grab)  P(lock)  return mean (std)  rays shut mean (std)")
    for p_grab, p_lock in ((0.5, 0.5), (0.9, 0.03)):
        result = run(p_grab, p_lock, args.episodes, args.size, rng)
        (ret, shut), (ret_sd, shut_sd) = result.mean(0), result.std(0)
        print(f"{p_grab:7.2f}  {p_lock:7.2f}  {ret:11.2f} ({ret_sd:.2f})  {shut:14.2f} ({shut_sd:.2f})")


if __name__ == "__main__":
    main()
