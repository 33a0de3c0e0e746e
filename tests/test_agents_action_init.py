"""`action_init` sets the actor's initial choice probabilities of chosen action components."""
import gymnasium as gym
import numpy as np
import pytest
import torch

from agents import config
from agents.envs import TeamSpec
from agents.policy import TeamPolicy
from scenarios.errors import InputError

OBS = gym.spaces.Box(-1, 1, (6,), np.float32)


def _policy(action_space, **overrides):
    cfg = config.resolve("mappo", ("test", overrides))
    return TeamPolicy(TeamSpec("hider", ("a",), OBS, action_space), 0, cfg)


def test_chosen_components_start_at_the_given_probabilities_and_the_rest_uniform():
    policy = _policy(gym.spaces.MultiDiscrete([3, 2, 2]), action_init={2: [0.9, 0.1]}, critic="obs")
    with torch.no_grad():
        dist, _ = policy.actor({"": torch.randn(1, 64, 6)}, None, torch.zeros(1, 64))
    lock, move = dist.logp[1][..., 1, :].exp(), dist.logp[0][..., 0, :].exp()
    torch.testing.assert_close(lock.mean((0, 1)), torch.tensor([0.9, 0.1]), atol=0.02, rtol=0)
    torch.testing.assert_close(move.mean((0, 1)), torch.full((3,), 1 / 3), atol=0.02, rtol=0)


@pytest.mark.parametrize("bad", [{2: [0.5, 0.6]}, {2: [1.0, 0.0]}, {"lock": [0.9, 0.1]}, {2: 0.1}])
def test_malformed_action_init_is_a_clear_error(bad):
    with pytest.raises(InputError, match="action_init"):
        config.resolve("mappo", ("test", {"action_init": bad}))


@pytest.mark.parametrize("space", [gym.spaces.MultiDiscrete([3, 2]), gym.spaces.Box(-1, 1, (2,), np.float32)])
def test_action_init_that_does_not_fit_the_action_space_is_a_clear_error(space):
    with pytest.raises(InputError, match="does not fit"):
        _policy(space, action_init={2: [0.9, 0.1]}, critic="obs")
