"""Our PPO and TRPO beside Stable-Baselines3 PPO and sb3-contrib TRPO, same budgets and settings.

    pip install -e ".[bench]"
    python benchmarks/bench_baselines.py [--tasks CartPole-v1 Pendulum-v1 Hopper-v5] [--seeds 0] [--quick]

Both sides get the same hyperparameters (networks 64-64 tanh, rollout size, minibatch size, epochs,
learning rate, GAE, KL limit and CG settings), the same number of env steps, and are scored with the
same deterministic evaluation (mean return of 10 episodes). Wall-clock is the training time only.
Our runs step the envs in worker processes; SB3 uses its default DummyVecEnv.

sb3-contrib's TRPO averages a Gaussian policy's KL over the action dimensions (a torch `Normal`, not
an `Independent`), so for Box actions its `target_kl` bounds the KL per dimension, and its CG damping
acts on the Fisher matrix divided by the dimensions. Ours bounds the KL of the whole action, so for
the same trust region it gets `max_kl` and `cg_damping` times the action dimensions; from identical
weights on an identical rollout the two then take the same step (`trpo_step_vs_sb3.py`)."""
from __future__ import annotations

import argparse
import functools
import tempfile
import time

import gymnasium as gym
import numpy as np

# task -> (steps, shared settings, PPO settings, TRPO settings); PPO settings follow rl-baselines3-zoo.
TASKS = {
    "CartPole-v1": (100_000, dict(envs=8, norm_obs=False),
                    dict(rollout_len=32, batch=256, epochs=20, gamma=0.98, gae_lambda=0.8, lr=1e-3),
                    dict(rollout_len=256, batch=128, epochs=10, gamma=0.99, gae_lambda=0.95, lr=1e-3)),
    "Pendulum-v1": (100_000, dict(envs=4, norm_obs=False),
                    dict(rollout_len=1024, batch=64, epochs=10, gamma=0.9, gae_lambda=0.95, lr=1e-3),
                    dict(rollout_len=1024, batch=128, epochs=10, gamma=0.9, gae_lambda=0.95, lr=1e-3)),
    "Hopper-v5": (100_000, dict(envs=1, norm_obs=True),
                  dict(rollout_len=2048, batch=64, epochs=10, gamma=0.99, gae_lambda=0.95, lr=3e-4),
                  dict(rollout_len=2048, batch=128, epochs=10, gamma=0.99, gae_lambda=0.95, lr=1e-3)),
}


def ours(algo: str, task: str, steps: int, shared: dict, hp: dict, seed: int) -> tuple[float, float]:
    from agents import config
    from agents.trainer import Trainer, evaluate

    envs = shared["envs"]
    overrides = dict(target=f"gym:{task}", steps=steps, seed=seed, envs=envs, norm_obs=shared["norm_obs"],
                     rollout_len=hp["rollout_len"], minibatches=hp["rollout_len"] * envs // hp["batch"],
                     epochs=hp["epochs"], gamma=hp["gamma"], gae_lambda=hp["gae_lambda"], lr=hp["lr"],
                     hidden=[64, 64], activation="tanh")
    if algo == "trpo":
        space = gym.make(task).action_space
        dims = int(np.prod(space.shape)) if isinstance(space, gym.spaces.Box) else 1
        overrides.update(max_kl=0.01 * dims, cg_iters=15, cg_damping=0.1 * dims, backtrack_coef=0.8, backtrack_iters=10)
    cfg = config.resolve(algo, ("bench", overrides))
    make_env = functools.partial(gym.make, task)
    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(cfg, make_env, run_dir)  # envs are built outside the clock, as for SB3
        start = time.perf_counter()
        trainer.train()
        elapsed = time.perf_counter() - start
        score = evaluate(run_dir, make_env, episodes=10)["mean"]["return/agent"]
    return score, elapsed


def sb3(algo: str, task: str, steps: int, shared: dict, hp: dict, seed: int) -> tuple[float, float]:
    import torch
    from sb3_contrib import TRPO
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.evaluation import evaluate_policy
    from stable_baselines3.common.vec_env import VecNormalize

    torch.set_num_threads(1)  # as ours: small networks run fastest on one thread
    env = make_vec_env(task, n_envs=shared["envs"], seed=seed)
    if shared["norm_obs"]:
        env = VecNormalize(env, norm_obs=True, norm_reward=False)
    common = dict(n_steps=hp["rollout_len"], batch_size=hp["batch"], gamma=hp["gamma"], gae_lambda=hp["gae_lambda"],
                  learning_rate=hp["lr"], seed=seed, device="cpu", policy_kwargs=dict(net_arch=[64, 64]))
    if algo == "ppo":
        model = PPO("MlpPolicy", env, n_epochs=hp["epochs"], **common)
    else:
        model = TRPO("MlpPolicy", env, n_critic_updates=hp["epochs"], target_kl=0.01, cg_max_steps=15,
                     cg_damping=0.1, line_search_shrinking_factor=0.8, line_search_max_iter=10, **common)
    start = time.perf_counter()
    model.learn(total_timesteps=steps)
    elapsed = time.perf_counter() - start
    if shared["norm_obs"]:
        env.training = False
    score, _ = evaluate_policy(model, env, n_eval_episodes=10, deterministic=True)
    return float(score), elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--algos", nargs="+", default=["ppo", "trpo"], choices=["ppo", "trpo"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the steps (smoke test)")
    args = parser.parse_args()
    print(f"{'task':<14}{'algo':<6}{'steps':>8}  {'ours return':>12}{'SB3 return':>12}  {'ours s':>8}{'SB3 s':>8}")
    for task in args.tasks:
        steps, shared, ppo_hp, trpo_hp = TASKS[task]
        steps = steps // 10 if args.quick else steps
        for algo in args.algos:
            hp = ppo_hp if algo == "ppo" else trpo_hp
            runs = {side: [fn(algo, task, steps, shared, hp, seed) for seed in args.seeds]
                    for side, fn in (("ours", ours), ("sb3", sb3))}
            score = {side: np.mean([r[0] for r in rs]) for side, rs in runs.items()}
            secs = {side: np.mean([r[1] for r in rs]) for side, rs in runs.items()}
            print(f"{task:<14}{algo:<6}{steps:>8}  {score['ours']:>12.1f}{score['sb3']:>12.1f}  "
                  f"{secs['ours']:>8.1f}{secs['sb3']:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
