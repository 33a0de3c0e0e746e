import copy

import gymnasium as gym
import numpy as np
import pytest
import torch

from agents import config
from agents.envs import TeamSpec
from agents.policy import TeamPolicy
from agents.trpo import TNPG, TRPO, conjugate_gradient, line_search


def random_batch(cfg, T=16, B=8, seed=0, action_space=gym.spaces.Discrete(3)):
    """A rollout-shaped batch from a small policy with random advantages."""
    torch.manual_seed(seed)
    team = TeamSpec("agent", ("agent",), gym.spaces.Box(-1, 1, (4,), np.float32), action_space)
    policy = TeamPolicy(team, 0, cfg)
    obs = torch.randn(T, B, 4)
    first = torch.zeros(T, B)
    with torch.no_grad():
        dist, _ = policy.actor({"": obs}, None, first)
        actions = dist.sample()
        logp = dist.log_prob(actions)
    adv = torch.randn(T, B)
    values = torch.zeros(T, B)
    batch = dict(actor_in={"": obs}, critic_in={"": obs}, actions=actions, logp=logp, values=values,
                 advantages=adv, returns=adv + values, mask=torch.ones(T, B), first=first, h_actor=None, h_critic=None)
    return policy, batch


def test_conjugate_gradient_solves_a_spd_system():
    A = torch.tensor([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]], dtype=torch.float64)
    b = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    assert torch.allclose(conjugate_gradient(lambda v: A @ v, b, 10), torch.linalg.solve(A, b))


@pytest.mark.parametrize("max_kl", [0.01, 0.001])
@pytest.mark.parametrize("action_space", [gym.spaces.Discrete(3), gym.spaces.Box(-1, 1, (2,), np.float32)],
                         ids=["discrete", "continuous"])
def test_trpo_step_keeps_kl_under_delta_and_improves_the_surrogate(max_kl, action_space):
    cfg = config.resolve("trpo", ("test", {"max_kl": max_kl, "epochs": 1, "minibatches": 1}))
    policy, batch = random_batch(cfg, action_space=action_space)
    with torch.no_grad():   # from a copy: no tensor of the old distribution can share the live parameters
        old = copy.deepcopy(policy.actor)(batch["actor_in"], None, batch["first"])[0]
    stats = TRPO(policy, cfg).update(batch, 0.0)
    with torch.no_grad():
        new = policy.actor(batch["actor_in"], None, batch["first"])[0]
        kl = old.kl(new).mean().item()
    assert stats["accepted"] == 1.0 and stats["improvement"] > 0
    assert 0 < kl <= max_kl
    assert kl == pytest.approx(stats["kl"], rel=1e-4)


def test_line_search_restores_the_parameters_when_no_step_qualifies():
    layer = torch.nn.Linear(3, 2)
    params = list(layer.parameters())
    before = [p.detach().clone() for p in params]
    calls = []

    def evaluate():  # every trial step makes the surrogate worse
        calls.append(1)
        return -float(len(calls)), 0.0

    step = torch.ones(sum(p.numel() for p in params))
    stats = line_search(params, step, evaluate, max_kl=0.01, shrink=0.5, iters=5)
    assert stats["accepted"] == 0.0 and len(calls) == 6
    assert all(torch.equal(a, b) for a, b in zip(before, params))


def test_line_search_shrinks_until_the_kl_limit_holds():
    layer = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.zeros_(layer.weight)
    params = list(layer.parameters())
    evaluate = lambda: (layer.weight.item(), layer.weight.item() ** 2)  # noqa: E731 surrogate w, "KL" w^2
    stats = line_search(params, torch.tensor([1.0]), evaluate, max_kl=0.1, shrink=0.5, iters=10)
    assert stats["accepted"] == 1.0 and stats["backtracks"] == 2  # 1, 0.5 too far; 0.25^2 <= 0.1
    assert layer.weight.item() == pytest.approx(0.25)


def test_tnpg_step_has_the_natural_gradient_length():
    # with s = F^-1 g, the step alpha / sqrt(g^T F^-1 g) * s has F-norm sqrt(s^T F s) * alpha / sqrt(g^T s) = alpha,
    # so for small alpha the KL is about alpha^2 / 2
    cfg = config.resolve("tnpg", ("test", {"npg_alpha": 0.02, "epochs": 1, "minibatches": 1, "cg_iters": 50,
                                           "cg_damping": 1e-4}))
    policy, batch = random_batch(cfg)
    stats = TNPG(policy, cfg).update(batch, 0.0)
    assert stats["kl"] == pytest.approx(0.02**2 / 2, rel=0.25)


def test_trpo_solves_cartpole(tmp_path):
    from test_agents_ppo import solve_cartpole

    assert solve_cartpole("trpo", tmp_path, 40_000, rollout_len=128, minibatches=8) >= 475
