"""`flat_observations=True` gives each agent its Dict observation exactly as gymnasium flattens it."""
import numpy as np
import pytest
from gymnasium import spaces

import arena
import scenarios

# the quadrant with the recipe's slot options, whose rows are turned or widened after the fill
OPTIONS = {"hide_and_seek_quadrant": {"sensors__doors": 2, "sensors__doors_from_rank": True,
                                      "sensors__held_by_others": True, "sensors__boxes_from_rank": True},
           "shelter_construction": {"task__observe_rays": True}}


@pytest.mark.parametrize("name", scenarios.names())
def test_flat_observations_are_the_flattened_dicts(name):
    options = OPTIONS.get(name, {})
    plain = arena.parallel_env(name, **options)
    flat = arena.parallel_env(name, flat_observations=True, **options)
    agent = plain.possible_agents[0]
    assert flat.observation_space(agent).shape == (spaces.flatdim(plain.observation_space(agent)),)
    dict_obs, _ = plain.reset(seed=7)
    flat_obs, _ = flat.reset(seed=7)
    rng = np.random.default_rng(0)
    for _ in range(30):
        assert dict_obs.keys() == flat_obs.keys()
        for a, obs in flat_obs.items():
            assert obs.dtype == np.float32 and flat.observation_space(a).contains(obs)
            np.testing.assert_array_equal(obs, spaces.flatten(plain.observation_space(a), dict_obs[a]))
        if not plain.agents:
            break
        actions = {a: rng.integers(0, plain.action_space(a).nvec) for a in plain.agents}
        dict_obs, *_ = plain.step(actions)
        flat_obs, *_ = flat.step(actions)
