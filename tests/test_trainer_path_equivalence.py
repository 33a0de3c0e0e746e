"""The trainer's path (TeamEnv over flat observations) sees bit for bit what the PettingZoo API gives
for the same seed and actions, over a whole episode and into the next one."""
import gymnasium as gym
import numpy as np
import pytest

import arena
from agents.envs import TeamEnv, array_layout, describe
from arena.mechanics import ACTION_NVEC

SCENARIO = "hide_and_seek_quadrant"


def _team_env():
    make = lambda: arena.parallel_env(SCENARIO, flat_observations=True)  # noqa: E731
    spec = describe(make(), flatten=True, use_state=True)
    out = {name: np.zeros(shape, dtype) for name, (shape, dtype) in array_layout(spec).items()}
    return TeamEnv(make(), spec, out, flatten=True), spec, out


def _expected(env, obs: dict, team) -> np.ndarray:
    rows = np.zeros((len(team.agents), team.obs_space.shape[0]), np.float32)
    for i, a in enumerate(team.agents):
        if a in obs:
            rows[i] = gym.spaces.flatten(env.observation_space(a), obs[a])
    return rows


@pytest.mark.parametrize("seed", [3, 11])
def test_team_env_matches_the_pettingzoo_api_over_an_episode(seed):
    reference = arena.parallel_env(SCENARIO)
    obs, _ = reference.reset(seed=seed)
    team_env, spec, out = _team_env()
    team_env.reset(seed=seed, stride=1)
    rng = np.random.default_rng(seed)
    episodes_ended = 0
    for step in range(reference.max_cycles + 5):
        for t in spec.teams:
            np.testing.assert_array_equal(out[f"obs/{t.name}/"], _expected(reference, obs, t), err_msg=f"step {step}")
        np.testing.assert_array_equal(out["state"], np.asarray(reference.state(), np.float32).ravel())
        table = rng.integers(0, ACTION_NVEC, size=(len(reference.possible_agents), 5))
        for t in spec.teams:
            out[f"action/{t.name}"][:] = [table[reference.possible_agents.index(a)] for a in t.agents]
        actions = {a: table[reference.possible_agents.index(a)] for a in reference.agents}
        obs, rewards, terms, truncs, _ = reference.step(actions)
        ended = team_env.step()
        for t in spec.teams:
            expected = [rewards.get(a, 0.0) for a in t.agents]
            np.testing.assert_array_equal(out[f"reward/{t.name}"], np.float32(expected), err_msg=f"step {step}")
        if not reference.agents:
            for t in spec.teams:
                np.testing.assert_array_equal(out[f"final_obs/{t.name}/"], _expected(reference, obs, t))
            assert ended and ended[0]["length"] == step + 1
            episodes_ended += 1
            obs, _ = reference.reset(seed=seed + 1)
        else:
            assert not ended
    assert episodes_ended == 1


def test_the_comparison_sees_a_different_action():
    reference = arena.parallel_env(SCENARIO)
    reference.reset(seed=3)
    team_env, spec, out = _team_env()
    team_env.reset(seed=3, stride=1)
    table = np.ones((len(reference.possible_agents), 5), np.int64)
    for t in spec.teams:
        out[f"action/{t.name}"][:] = 0
    for _ in range(5):
        obs, *_ = reference.step({a: table[i] for i, a in enumerate(reference.agents)})
        team_env.step()
    assert any(not np.array_equal(out[f"obs/{t.name}/"], _expected(reference, obs, t)) for t in spec.teams)
