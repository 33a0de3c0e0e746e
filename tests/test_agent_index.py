"""`sensors.agent_index`: each observation says which agent of its team it is."""
import numpy as np
from gymnasium import spaces

import arena


def test_off_by_default():
    env = arena.parallel_env("hide_and_seek_quadrant")
    assert "agent_index" not in env.observation_space("hider_0").spaces


def test_one_hot_rank_within_the_team_and_the_rest_unchanged():
    env = arena.parallel_env("hide_and_seek_quadrant", agents__hiders={"min": 1, "max": 3},
                             agents__seekers={"min": 1, "max": 2}, sensors__agent_index=True)
    plain = arena.parallel_env("hide_and_seek_quadrant", agents__hiders={"min": 1, "max": 3},
                               agents__seekers={"min": 1, "max": 2})
    assert env.observation_space("seeker_0")["agent_index"].shape == (3,)
    sizes = set()
    for seed in range(8):
        obs, _ = env.reset(seed=seed)
        plain_obs, _ = plain.reset(seed=seed)
        sizes.add(len(env.agents))
        for _ in range(3):
            for agent in env.agents:
                rank = int(agent.rsplit("_", 1)[1])
                assert obs[agent]["agent_index"].tolist() == [int(k == rank) for k in range(3)]
                for key, value in plain_obs[agent].items():
                    np.testing.assert_array_equal(obs[agent][key], value)
            actions = {a: env.action_space(a).sample() for a in env.agents}
            obs, *_ = env.step(actions)
            plain_obs, *_ = plain.step(actions)
    assert len(sizes) > 1   # episodes with different team sizes


def test_flat_observations_carry_the_index_in_its_columns():
    env = arena.parallel_env("hide_and_seek_quadrant", sensors__agent_index=True, flat_observations=True)
    dict_env = arena.parallel_env("hide_and_seek_quadrant", sensors__agent_index=True)
    flat, _ = env.reset(seed=3)
    obs, _ = dict_env.reset(seed=3)
    for agent in env.agents:
        expected = spaces.flatten(dict_env.observation_space(agent), obs[agent])
        np.testing.assert_array_equal(flat[agent], expected)
