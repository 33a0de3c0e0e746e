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


def test_aec_form_steps():
    env = arena.env()
    env.reset(seed=3)
    for agent in env.agent_iter(max_iter=50):
        _, _, term, trunc, _ = env.last()
        env.step(None if term or trunc else env.action_space(agent).sample())


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
