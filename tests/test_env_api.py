"""PettingZoo's own conformance tests on every built-in scenario, and whole-episode determinism."""
import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test, render_test
from pettingzoo.utils import parallel_to_aec

import arena
import scenarios


@pytest.mark.parametrize("name", scenarios.names())
def test_parallel_api(name):
    parallel_api_test(arena.parallel_env(name), num_cycles=300)


@pytest.mark.parametrize("name", scenarios.names())
def test_parallel_seed(name):
    parallel_seed_test(lambda: arena.parallel_env(name))


def test_render_through_aec():
    render_test(lambda render_mode=None: parallel_to_aec(arena.parallel_env(render_mode=render_mode)))


def test_aec_form_plays_the_same_steps_as_the_parallel_env():
    par, aec = arena.parallel_env(), arena.env()
    first, _ = par.reset(seed=3)
    aec.reset(seed=3)
    rng = np.random.default_rng(0)
    order = list(aec.agents)
    assert order == par.agents
    paid = 0.0
    for _ in range(40):   # into the main phase (after 32 preparation steps), where rewards are paid
        actions = {a: rng.integers(0, par.action_space(a).nvec) for a in par.agents}
        obs, rewards, _, _, _ = par.step(actions)
        for agent in order:   # the AEC form takes the agents in turn, then steps the world once
            assert aec.agent_selection == agent
            aec.step(actions[agent])
        for agent in order:
            seen = aec.observe(agent)
            assert all(np.array_equal(seen[k], obs[agent][k]) for k in obs[agent])
            assert aec.rewards[agent] == rewards[agent]
        paid += sum(abs(r) for r in rewards.values())
    assert paid > 0
    assert not all(np.array_equal(obs[a]["observation_self"], first[a]["observation_self"]) for a in order)


def _episode(name, seed):
    env = arena.parallel_env(name)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    trace = [obs, env.state()]
    while env.agents:
        actions = {a: rng.integers(0, env.action_space(a).nvec) for a in env.agents}
        trace += list(env.step(actions))
        trace.append(env.snapshot.obj_pos)
    return trace


def _flatten(x):
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flatten(item)]
    return [np.asarray(x)]


@pytest.mark.parametrize("name", scenarios.names())
def test_whole_episode_is_deterministic(name):
    a, b = _flatten(_episode(name, 7)), _flatten(_episode(name, 7))
    assert len(a) == len(b)
    assert all(x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(a, b))
    c = _flatten(_episode(name, 8))
    assert not all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, c))
