"""The centralised state (`env.state()`) carries the task's extra observation entries."""
import numpy as np
import pytest
from gymnasium import spaces

import arena
import scenarios
from arena import forts, tasks
from arena.observations import Slots, state_space
from arena.scripted import FortBuilders
from scenarios.errors import InputError


@pytest.mark.parametrize("name", scenarios.names())
def test_state_matches_state_space(name):
    env = arena.parallel_env(name)
    env.reset(seed=3)
    rng = np.random.default_rng(0)
    for _ in range(3):
        state = env.state()
        assert state.shape == env.state_space.shape and state.dtype == env.state_space.dtype
        assert env.state_space.contains(state)
        env.step({a: rng.integers(0, env.action_space(a).nvec) for a in env.agents})
    extras = sum(spaces.flatdim(s) for s in tasks.observation_extras(env.scenario).values())
    base = state_space(Slots.of(env.scenario)).shape[0]
    assert env.state_space.shape[0] == base + env.slots.agents * extras


def test_state_follows_the_spawn_point_of_lock_and_return():
    """Same world, other spawn point: only the extra (the spawn relative to the agent) tells them apart."""
    env = arena.parallel_env("lock_and_return", task__observe_spawn=True)
    env.reset(seed=0, options={"placement": {"objects": [(1.5, 2.2, 0.0)], "agents": [(0.8, 0.6, 1.0)]}})
    env.task.spawn = np.array([1.8, 1.6])
    state = env.state()
    env.task.spawn = np.array([0.8, 0.6])
    moved = env.state()
    tail = 2 * env.slots.agents
    assert np.array_equal(state[:-tail], moved[:-tail])
    np.testing.assert_allclose(state[-tail:-tail + 2] - moved[-tail:-tail + 2], [1.0, 1.0], atol=1e-6)
    assert not state[-2:].any()   # the second agent slot stays empty


def test_state_carries_the_blueprint_sites_and_their_mask():
    env = arena.parallel_env("blueprint_construction")   # one to four sites: four slots
    env.reset(seed=4)
    slots, n = env.scenario.layout.sites.max, len(env.snapshot.static.sites)
    own = env.state()[-env.slots.agents * 3 * slots:][:3 * slots]
    sites, mask = own[:2 * slots].reshape(slots, 2), own[2 * slots:]
    assert slots == 4 and 1 <= n < 4
    np.testing.assert_array_equal(mask, [1] * n + [0] * (slots - n))
    np.testing.assert_allclose(sites[:n], env.snapshot.static.sites - env.snapshot.agent_pos[0], atol=1e-6)
    assert not sites[n:].any()
    before = env.state()
    env.step({"hider_0": np.array([10, 5, 5, 0, 0])})    # push along +x: the relative sites move
    after = env.state()
    assert not np.array_equal(before[-env.slots.agents * 3 * slots:], after[-env.slots.agents * 3 * slots:])


def test_hide_and_seek_state_is_unchanged_in_size():
    env = arena.parallel_env("hide_and_seek_quadrant")
    assert env.state_space.shape == state_space(env.slots).shape


def test_state_lidar_appends_every_agents_lidar_in_its_slot():
    plain = arena.parallel_env("hide_and_seek_rooms", agents__hiders=1, agents__seekers=2)
    env = arena.parallel_env("hide_and_seek_rooms", agents__hiders=1, agents__seekers=2, sensors__state_lidar=True)
    plain.reset(seed=5)
    obs, _ = env.reset(seed=5)
    rays = env.slots.rays
    assert env.state_space.shape[0] == plain.state_space.shape[0] + env.slots.agents * rays
    state = env.state()
    assert np.array_equal(state[:plain.state_space.shape[0]], plain.state())   # the rest is unchanged
    lidar = state[plain.state_space.shape[0]:].reshape(env.slots.agents, rays)
    for agent in env.agents:
        np.testing.assert_allclose(lidar[env.possible_agents.index(agent)], obs[agent]["lidar"])
    seen = {env.possible_agents.index(a) for a in env.agents}
    assert not lidar[[s for s in range(env.slots.agents) if s not in seen]].any()   # absent agents: zeros
    assert lidar[sorted(seen)].min() > 0


def test_state_vision_appends_who_sees_whom_by_slot():
    plain = arena.parallel_env("hide_and_seek_rooms", agents__hiders=1, agents__seekers=2)
    env = arena.parallel_env("hide_and_seek_rooms", agents__hiders=1, agents__seekers=2, sensors__state_vision=True)
    plain.reset(seed=5)
    env.reset(seed=5)
    n, base = env.slots.agents, plain.state_space.shape[0]
    assert env.state_space.shape[0] == base + n * n
    rng = np.random.default_rng(0)
    seen_any = False
    for _ in range(20):
        state = env.state()
        assert np.array_equal(state[:base], plain.state())
        vision = state[base:].reshape(n, n)
        slot = [env.possible_agents.index(a) for a in env.agents]
        np.testing.assert_array_equal(vision[np.ix_(slot, slot)], env.snapshot.sees_agent)
        absent = [s for s in range(n) if s not in slot]
        assert not vision[absent].any() and not vision[:, absent].any()
        seen_any |= bool(vision.any())
        actions = {a: rng.integers(0, env.action_space(a).nvec) for a in env.agents}
        env.step(actions)
        plain.step(actions)
    assert seen_any


def test_state_forts_appends_what_a_fort_is_made_of():
    """Scripted hiders carry boxes to the doors: at the end of the preparation phase the state says
    each door of their room is fully blocked by their locked boxes exactly when a fort is detected."""
    kwargs = dict(sensors__doors=2, spawn__hiders="room")   # the scripted hiders start in their room
    plain = arena.parallel_env("hide_and_seek_quadrant", **kwargs)
    env = arena.parallel_env("hide_and_seek_quadrant", sensors__state_forts=True, **kwargs)
    base = plain.state_space.shape[0]
    assert env.state_space.shape[0] == base + 2 * 2 + 1
    prep = env.scenario.prep_steps
    outcomes = set()
    for seed in range(6):
        plain.reset(seed=seed)
        env.reset(seed=seed)
        start = env.state()
        assert np.array_equal(start[:base], plain.state())
        n_doors = len(forts.room_doors(env.world.layout, env.world.layout.room))
        cover = start[base:-1].reshape(2, 2)
        assert not cover[:, 0].any() and not cover[n_doors:].any()   # nothing locked yet; unused slots zero
        assert start[-1] == 1.0                                       # both hiders start in their room
        team = FortBuilders(env)
        while env.snapshot.t < prep:
            _, _, _, _, infos = env.step(team.act(env.snapshot))
        cover = env.state()[base:-1].reshape(2, 2)[:n_doors]
        while env.agents:
            _, _, _, _, infos = env.step(team.act(env.snapshot))
        fort = infos[team.names[0]]["episode_stats"]["fort_prep"]
        assert (cover[:, 0] == 1.0).all() == bool(fort)
        assert (cover[:, 1] >= cover[:, 0]).all()                     # any box blocks at least what locked ones do
        outcomes.add(bool(fort))
    assert outcomes == {True, False}                                  # both kinds of episode were checked


def test_state_forts_needs_door_slots():
    with pytest.raises(InputError, match="sensors.doors"):
        arena.parallel_env("hide_and_seek_quadrant", sensors__state_forts=True)
