"""Flat observations written in place equal gymnasium's flatten of the Dict, entry for entry."""
import gymnasium as gym
import numpy as np

from agents.envs import TeamEnv, array_layout, as_parallel, describe
from agents.commands.learn import env_factory


def test_in_place_flattening_matches_gymnasium():
    env = as_parallel(env_factory("lock_and_return", {})())  # Dict obs with task extras
    spec = describe(env, flatten=True)
    out = {name: np.zeros(shape, dtype) for name, (shape, dtype) in array_layout(spec).items()}
    team_env = TeamEnv(env, spec, out, flatten=True)
    for seed in range(3):
        team_env.reset(seed)
        raw, _ = env.reset(seed=seed)
        for a, obs in raw.items():
            team, i = team_env.slot[a]
            expected = gym.spaces.flatten(env.observation_space(a), obs)
            np.testing.assert_array_equal(out[f"obs/{team.name}/"][i], expected)
