"""Lidar, vision and the observations built from them, on hand-placed worlds."""
import math

import numpy as np
import pytest

import arena
from arena.observations import doors_from_rank
from scenarios.errors import InputError

OPEN = dict(layout__kind="open", agents__hiders=1, agents__seekers=1, boxes__count=1, ramps__count=1,
            rules__prep_fraction=0.0)
CLOSED_ROOM = dict(layout__doors_per_wall=0, agents__hiders=1, agents__seekers=1, boxes__count=1, ramps__count=1,
                   rules__prep_fraction=0.0)


def make(overrides, objects, agents):
    env = arena.parallel_env(**overrides)
    obs, _ = env.reset(seed=0, options={"placement": {"objects": objects, "agents": agents}})
    return env, obs


def test_lidar_measures_distance_to_walls_boxes_and_agents():
    env, _ = make({**OPEN, "sensors__lidar_rays": 4},  # rays at 0, 90, 180, 270 degrees
                  objects=[(3.0, 4.0, 0.0), (5.5, 0.5, 0.0)], agents=[(1.0, 2.0, 0.0), (3.0, 2.0, 0.0)])
    lidar = env.snapshot.lidar
    # hider_0 at (1, 2): +x meets seeker_0's circle at 3 - 0.15; +y the wall at y = 6; -x the wall at x = 0.
    np.testing.assert_allclose(lidar[0], [1.85, 4.0, 1.0, 2.0], atol=1e-5)
    # seeker_0 at (3, 2): +y meets the box's lower face at y = 4 - 0.25.
    np.testing.assert_allclose(lidar[1], [3.0, 1.75, 1.85, 2.0], atol=1e-5)


def test_elevated_agent_sees_over_a_low_wall():
    # the ramp's high end against the wall: only near it is the seeker up
    env, _ = make(CLOSED_ROOM, objects=[(1.0, 1.0, 0), (2.72, 4.5, 0)], agents=[(4.5, 4.5, 0), (1.9, 4.5, 0)])
    assert not env.snapshot.sees_agent[1, 0]
    for _ in range(10):
        env.step({"hider_0": np.array([5, 5, 5, 0, 0]), "seeker_0": np.array([6, 5, 5, 0, 0])})
        if env.snapshot.agent_elevated[1]:
            break
    assert env.snapshot.agent_elevated[1]
    assert env.snapshot.sees_agent[1, 0]


def test_observations_show_what_is_seen_and_mask_the_rest():
    env, obs = make(OPEN, objects=[(3.0, 3.0, 0.0), (1.0, 5.0, 0.0)],
                    agents=[(1.0, 3.0, 0.0), (5.0, 3.0, math.pi)])
    hider = obs["hider_0"]
    # The box is in front of the hider; the ramp behind it; the seeker hidden behind the box.
    assert hider["mask_ab_obs"].tolist() == [1] and hider["mask_ar_obs"].tolist() == [0]
    np.testing.assert_allclose(hider["box_obs"][0][:2], [2.0, 0.0], atol=1e-6)
    assert not hider["ramp_obs"].any()
    assert hider["mask_aa_obs"].tolist() == [0]
    assert not hider["agent_qpos_qvel"].any()
    np.testing.assert_allclose(hider["observation_self"][:2], [1 / 6, 3 / 6], atol=1e-6)
    for agent, o in obs.items():
        assert env.observation_space(agent).contains(o)


def test_observations_of_a_visible_opponent():
    env, obs = make(OPEN, objects=[(5.0, 5.5, 0.0), (1.0, 5.5, 0.0)], agents=[(3.0, 3.0, 0.0), (1.0, 3.0, 0.0)])
    seeker = obs["seeker_0"]
    # seeker_0 fills slot 0 of the hider's others; hider_0 fills slot 0 of the seeker's.
    assert seeker["mask_aa_obs"][0] == 1
    np.testing.assert_allclose(seeker["agent_qpos_qvel"][0][:2], [2.0, 0.0], atol=1e-6)
    assert seeker["agent_qpos_qvel"][0][7] == 0.0   # a hider


def test_state_holds_every_entity_whatever_is_seen():
    env, _ = make(OPEN, objects=[(3.0, 3.0, 0.0), (1.0, 5.0, 0.0)], agents=[(1.0, 3.0, 0.0), (5.0, 3.0, math.pi)])
    state = env.state()
    assert env.state_space.contains(state)
    assert state.dtype == np.float32
    np.testing.assert_allclose(state[1:3], [1 / 6, 3 / 6], atol=1e-6)


def test_without_a_clock_no_observation_tells_when_the_preparation_phase_ends():
    clocks = {}
    for clock in (True, False):
        env = arena.parallel_env(sensors__clock=clock)
        obs, _ = env.reset(seed=0)
        idle = {agent: np.array([5, 5, 5, 0, 0]) for agent in env.agents}
        seen, states = [], []
        while env.agents:
            seen.append(obs["hider_0"]["observation_self"][10:12].copy())
            states.append(env.state())
            obs, *_ = env.step(idle)
        clocks[clock] = np.array(seen), np.array(states)
    with_clock, without = clocks[True][0], clocks[False][0]
    assert with_clock[:, 1].tolist() == [1.0] * 32 + [0.0] * 48 and with_clock[-1, 0] > 0.9
    assert not without.any()
    np.testing.assert_array_equal(clocks[True][1], clocks[False][1])   # the critic's state keeps the clock


def _door_centres(obs, agent):
    """Where an agent's observation puts the centre of each door it has, in world coordinates."""
    present = obs[agent]["mask_ad_obs"].astype(bool)
    return obs[agent]["door_obs"][present, :2] + obs[agent]["observation_self"][:2] * 6.0


def test_doors_from_rank_send_teammates_first_to_different_doors_of_their_room():
    for doors in (1, 2):
        seen = {}
        for from_rank in (False, True):
            env = arena.parallel_env(layout__door_dropout=1.0 if doors == 1 else 0.0, sensors__doors=3,
                                     sensors__doors_from_rank=from_rank)
            obs, _ = env.reset(seed=3)
            seen[from_rank] = {a: _door_centres(obs, a) for a in env.agents}, env.state()
        plain, turned = seen[False][0], seen[True][0]
        assert len(plain["hider_0"]) == doors
        for agent in plain:
            np.testing.assert_allclose(plain[agent], plain["hider_0"], atol=1e-5)
        for rank in (0, 1):
            for team in ("hider", "seeker"):
                expect = np.roll(plain["hider_0"], -rank, axis=0)
                np.testing.assert_allclose(turned[f"{team}_{rank}"], expect, atol=1e-5)
        np.testing.assert_array_equal(seen[False][1], seen[True][1])   # the critic's state keeps one order
    assert not np.allclose(turned["hider_0"][0], turned["hider_1"][0])


def test_doors_from_rank_turn_only_the_doors_of_the_hiders_room():
    table = np.array([[0, 0, 1, 0, 1], [1, 0, 1, 0, 1], [2, 0, 1, 0, 0]], np.float32)   # two own doors, one other
    rows = doors_from_rank(table, team=np.array([0, 0, 0, 1]))
    assert rows[:, :, 0].tolist() == [[0, 1, 2], [1, 0, 2], [0, 1, 2], [0, 1, 2]]


def test_doors_from_rank_needs_door_slots():
    with pytest.raises(InputError, match="sensors.doors_from_rank needs door slots"):
        arena.parallel_env(sensors__doors_from_rank=True)


def test_boxes_from_rank_send_teammates_first_to_different_boxes():
    seen = {}
    for from_rank in (False, True):
        env = arena.parallel_env(sensors__boxes_from_rank=from_rank, sensors__held_by_others=True,
                                 sensors__objects_always_seen=True)
        obs, _ = env.reset(seed=4)
        env.step({a: np.array([5, 5, 1, 0, 0]) for a in env.agents})
        obs, *_ = env.step({a: np.array([5, 5, 1, 0, 0]) for a in env.agents})
        seen[from_rank] = obs, env.state()
    (plain, plain_state), (turned, turned_state) = seen[False], seen[True]
    for team in ("hider", "seeker"):
        for rank in (0, 1):
            agent = f"{team}_{rank}"
            for key in ("box_obs", "mask_ab_obs"):
                np.testing.assert_array_equal(turned[agent][key], np.roll(plain[agent][key], -rank, axis=0))
            for key in ("observation_self", "ramp_obs", "agent_qpos_qvel"):
                np.testing.assert_array_equal(turned[agent][key], plain[agent][key])
    assert not np.allclose(turned["hider_0"]["box_obs"][0], turned["hider_1"]["box_obs"][0])
    np.testing.assert_array_equal(plain_state, turned_state)   # the critic's state keeps one order
