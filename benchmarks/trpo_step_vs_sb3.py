"""Our TRPO update beside sb3-contrib's, from identical weights on identical rollouts.

    pip install -e ".[bench]"
    python benchmarks/trpo_step_vs_sb3.py [--task Hopper-v5] [--updates 3] [--seed 0]

SB3 collects each rollout and trains as usual; just before its update, our actor and critic are
given SB3's weights and our `TRPO.update` runs on SB3's rollout (observations as SB3 normalised them,
SB3's actions, log-probabilities, values, advantages and returns). Printed per update: the size of
SB3's policy step and how far ours lands from it, once with the KL limit and damping scaled by the
action dimensions (as `bench_baselines.py` passes them, see there) and once unscaled; and the mean
squared error of the value against the returns on that rollout, before the update and after SB3's
and our critic fits (10 epochs of minibatches of 128 each, in a different random order)."""
from __future__ import annotations

import argparse

import numpy as np
import torch

from agents import config
from agents.envs import TeamSpec
from agents.policy import TeamPolicy
from agents.trpo import TRPO as OurTRPO


def _layers(net, head) -> list[torch.Tensor]:
    """The weights and biases of a 2-layer MLP and its output layer, in that order."""
    return [net[0].weight, net[0].bias, net[2].weight, net[2].bias, head.weight, head.bias]


def sb3_actor(policy) -> list[torch.Tensor]:
    """SB3's actor parameters in the order of ours (first layer, second layer, head, log-std)."""
    return _layers(policy.mlp_extractor.policy_net, policy.action_net) + [policy.log_std]


def our_actor(policy: TeamPolicy) -> list[torch.Tensor]:
    return _layers(policy.actor.trunk.encoder.net, policy.actor.head) + [policy.actor.log_std]


def sb3_critic(policy) -> list[torch.Tensor]:
    return _layers(policy.mlp_extractor.value_net, policy.value_net)


def our_critic(policy: TeamPolicy) -> list[torch.Tensor]:
    return _layers(policy.critic.trunk.encoder.net, policy.critic.head)


def flat(params) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in params])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Hopper-v5")
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from sb3_contrib import TRPO
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import VecNormalize

    torch.set_num_threads(1)
    env = VecNormalize(make_vec_env(args.task, n_envs=1, seed=args.seed), norm_obs=True, norm_reward=False)
    model = TRPO("MlpPolicy", env, n_steps=2048, batch_size=128, learning_rate=1e-3, seed=args.seed, device="cpu",
                 policy_kwargs=dict(net_arch=[64, 64]), target_kl=0.01, cg_max_steps=15, cg_damping=0.1,
                 line_search_shrinking_factor=0.8, line_search_max_iter=10)
    dims = int(np.prod(env.action_space.shape))
    team = TeamSpec("agent", ("agent",), env.observation_space, env.action_space)
    variants = {}
    for name, scale in (("scaled", dims), ("unscaled", 1)):
        cfg = config.resolve("trpo", ("compare", dict(target=f"gym:{args.task}", hidden=[64, 64], activation="tanh",
                                                       max_kl=0.01 * scale, cg_damping=0.1 * scale, cg_iters=15,
                                                       backtrack_coef=0.8, backtrack_iters=10, lr=1e-3, epochs=10,
                                                       minibatches=16)))
        policy = TeamPolicy(team, 0, cfg)
        variants[name] = (policy, OurTRPO(policy, cfg))
    sb3_train = model.train
    print(f"{args.task}, {dims} action dimensions; steps from identical weights on SB3's rollouts")
    print(f"{'update':>6}  {'SB3 step':>9}  {'scaled: max |diff|':>19} {'cosine':>8}  {'unscaled: max |diff|':>21} "
          f"{'cosine':>8}  {'value MSE before':>16} {'SB3':>7} {'ours':>7}")

    def compare():
        buf = model.rollout_buffer
        obs = torch.as_tensor(buf.observations).float()
        shape = obs.shape[:2]
        stored = {"logp": "log_probs", "values": "values", "advantages": "advantages", "returns": "returns"}
        batch = {"actor_in": {"": obs}, "critic_in": {"": obs}, "first": torch.zeros(shape), "mask": torch.ones(shape),
                 "h_actor": None, "h_critic": None, "actions": torch.as_tensor(buf.actions).float(),
                 **{k: torch.as_tensor(getattr(buf, name)).float().reshape(shape) for k, name in stored.items()}}
        start = flat(sb3_actor(model.policy))
        theirs_now = sb3_actor(model.policy) + sb3_critic(model.policy)
        after = {}
        for name, (policy, algo) in variants.items():
            with torch.no_grad():
                for ours, theirs in zip(our_actor(policy) + our_critic(policy), theirs_now):
                    ours.copy_(theirs)
            algo.update(batch, 0.0)   # observations arrive normalised by SB3; our normaliser stays the identity
            after[name] = flat(our_actor(policy))
        sb3_train()
        theirs = flat(sb3_actor(model.policy)) - start
        row = f"{model._n_updates:>6}  {theirs.norm():>9.4f}"
        for name in variants:
            ours = after[name] - start
            cos = float(ours @ theirs / (ours.norm() * theirs.norm()).clamp(min=1e-12))
            row += f"  {float((ours - theirs).abs().max()):>19.2e} {cos:>8.5f}"
        with torch.no_grad():
            fitted = {"sb3": model.policy.predict_values(obs.reshape(-1, obs.shape[-1])).reshape(shape),
                      "ours": variants["scaled"][0].critic(batch["critic_in"], None, batch["first"])[0]}
        fitted["before"] = batch["values"]
        mse = {k: float(((v - batch["returns"]) ** 2).mean()) for k, v in fitted.items()}
        print(row + f"  {mse['before']:>16.2f} {mse['sb3']:>7.2f} {mse['ours']:>7.2f}", flush=True)

    model.train = compare
    model.learn(total_timesteps=2048 * args.updates)


if __name__ == "__main__":
    main()
