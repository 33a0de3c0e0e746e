"""PPO's clipped objective, min(r A, clip(r) A): a sample whose ratio already left the clip range in
the direction its advantage favours gives no gradient; one on the other side still pulls the policy
back. (With max in place of min the two cases swap, and both tests fail.)"""
import math

import torch

from agents import config
from agents.ppo import PPO
from test_agents_trpo import random_batch


def _actor_moves(ratio: float, advantage_sign: float) -> bool:
    """One PPO epoch on a batch whose every sample has probability ratio `ratio` to the policy that
    collected it and an advantage of sign `advantage_sign`; no value or entropy term."""
    cfg = config.resolve("ppo", ("test", {"epochs": 1, "minibatches": 1, "vf_coef": 0.0, "clip_coef": 0.2,
                                          "norm_adv": False, "target_kl": None}))
    policy, batch = random_batch(cfg)
    batch["logp"] = batch["logp"] - math.log(ratio)   # the stored probabilities: ratio = pi / pi_old
    batch["advantages"] = advantage_sign * (batch["advantages"].abs() + 0.1)
    before = [p.detach().clone() for p in policy.actor.parameters()]
    PPO(policy, cfg).update(batch, 0.0)
    return not all(torch.equal(a, b) for a, b in zip(before, policy.actor.parameters()))


def test_samples_past_the_clip_in_their_advantages_direction_give_no_gradient():
    assert not _actor_moves(1.5, +1.0)   # already more likely than 1 + clip: no further push
    assert not _actor_moves(0.5, -1.0)   # already less likely than 1 - clip


def test_samples_past_the_clip_against_their_advantage_still_pull_the_policy():
    assert _actor_moves(1.5, -1.0)
    assert _actor_moves(0.5, +1.0)
    assert _actor_moves(1.0, +1.0)       # inside the clip range
