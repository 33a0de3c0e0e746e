"""The env API refuses hostile arguments with an InputError naming what is wrong, and keeps working after."""
import math

import numpy as np
import pytest

import arena
from arena.mechanics import ACTION_NVEC
from scenarios.errors import InputError

IDLE = [5, 5, 5, 0, 0]
FOUR = [[1.0, 1.0, 0.0]] * 4

RESETS = {
    "seed_negative": (dict(seed=-1), "seed"),
    "seed_2_70": (dict(seed=2**70), "seed"),
    "seed_string": (dict(seed="3"), "seed"),
    "seed_bool": (dict(seed=True), "seed"),
    "options_list": (dict(options=["placement"]), "options must be a dict"),
    "option_typo": (dict(options={"placment": {}}), "did you mean 'placement'"),
    "overrides_list": (dict(options={"overrides": ["spawn__boxes_at_doors"]}), "'overrides' must be a dict"),
    "override_key_typo": (dict(options={"overrides": {"spawn__boxes_at_door": 1.0}}), "did you mean 'boxes_at_doors'"),
    "override_nan": (dict(options={"overrides": {"rules__prep_fraction": math.nan}}), "rules.prep_fraction"),
    "placement_nan": (dict(options={"placement": {"agents": [[math.nan, 1.0, 0.0]] * 4}}), "NaN"),
    "placement_inf": (dict(options={"placement": {"objects": [[1.0, math.inf, 0.0]] * 3}}), "NaN or infinite"),
    "placement_outside": (dict(options={"placement": {"agents": [[50.0, 1.0, 0.0]] * 4}}), "outside the outer walls"),
    "placement_text": (dict(options={"placement": {"agents": "here"}}), "placement 'agents'"),
}


@pytest.fixture(scope="module")
def env():
    env = arena.parallel_env()
    env.reset(seed=0)
    return env


@pytest.mark.parametrize("case", sorted(RESETS))
def test_hostile_reset_arguments_are_refused(case, env):
    kwargs, message = RESETS[case]
    with pytest.raises(InputError, match=message):
        env.reset(**kwargs)
    env.reset(seed=np.int64(7), options={"placement": {"agents": FOUR}})  # a valid reset still works after
    assert np.allclose(env.snapshot.agent_pos, 1.0, atol=0.2)


def _actions(env, **changes):
    return {**{a: IDLE for a in env.agents}, **changes}


STEPS = {
    "not_a_dict": (lambda env: [IDLE] * len(env.agents), "must be a dict"),
    "none_action": (lambda env: _actions(env, hider_0=None), "action of hider_0"),
    "unknown_agent": (lambda env: _actions(env, hidr_0=IDLE), "unknown agent 'hidr_0'; did you mean 'hider_0'"),
    "stranger": (lambda env: _actions(env, **{"42": IDLE}), "unknown agent '42'"),
    "floats": (lambda env: _actions(env, hider_0=[5.5, 5, 5, 0, 0]), "5 whole numbers"),
    "too_short": (lambda env: _actions(env, hider_0=[5, 5]), "5 whole numbers"),
    "too_large": (lambda env: _actions(env, hider_0=list(ACTION_NVEC)), "component 0 is 11"),
    "missing": (lambda env: {env.agents[0]: IDLE}, "actions missing"),
}


@pytest.mark.parametrize("case", sorted(STEPS))
def test_hostile_actions_are_refused(case, env):
    env.reset(seed=1)
    make, message = STEPS[case]
    with pytest.raises(InputError, match=message):
        env.step(make(env))
    _, rewards, *_ = env.step(_actions(env))  # lists of ints are actions too
    assert set(rewards) == set(env.agents)


def test_an_unrelated_reset_option_is_a_warning_not_silence(env):
    with pytest.warns(UserWarning, match="ignoring unknown key 'colour'"):
        env.reset(seed=0, options={"colour": "red"})
