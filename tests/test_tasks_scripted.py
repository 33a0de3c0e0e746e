"""Scripted policies solve the single-agent tasks; rewards and termination are checked step by step."""
import math

import numpy as np
import pytest

import arena
from arena.scripted import IDLE, bearing, drive, wrap


def steer(snap, target, face=None, heading=None, grab=0, lock=0, gain=5.0):
    """Action of agent 0 that drives it to `target`, turning to look at `face` or to `heading`."""
    if face is not None:
        heading = bearing(np.asarray(face) - snap.agent_pos[0])
    turn = 0.0 if heading is None else wrap(heading - snap.agent_angle[0])
    return drive(snap.agent_pos[0], snap.agent_angvel[0], target, turn, grab, lock, gain)


def step(env, action):
    obs, rewards, terms, truncs, infos = env.step({"hider_0": action})
    rays = obs["hider_0"].get("shelter_rays_obs")
    if rays is not None:     # what the agent sees is what the reward counts
        assert rewards["hider_0"] == pytest.approx(env.scenario.task.ray_penalty * rays.sum())
    return rewards["hider_0"], terms["hider_0"], truncs["hider_0"], infos["hider_0"]


def test_lock_and_return_scripted():
    env = arena.parallel_env("lock_and_return")
    spawn, box = np.array([0.8, 0.6]), np.array([1.5, 2.2])   # both in the bottom-left room
    env.reset(seed=0, options={"placement": {"objects": [(*box, 0.0)], "agents": [(*spawn, 1.0)]}})

    def dist(snap, goal=None):
        """From the agent to `goal`, or to the box where it is in that snapshot."""
        return float(np.linalg.norm(snap.agent_pos[0] - (snap.obj_pos[0] if goal is None else goal)))

    # Approach: the shaped reward is 0.5 x the distance gained on the box.
    for _ in range(4):
        before = env.snapshot
        reward, *_ = step(env, steer(before, box - [0, 0.55], face=box))
        assert reward == pytest.approx(0.5 * (dist(before) - dist(env.snapshot)))
        assert reward > 0
    while dist(env.snapshot) > 0.6:
        step(env, steer(env.snapshot, box - [0, 0.55], face=box))

    def press_lock(vote=1):   # standing still, so the step's own progress is next to nothing
        reward, *_ = step(env, steer(env.snapshot, env.snapshot.agent_pos[0], face=box, lock=vote))
        return reward

    # As upstream, locking the target credits the distance still to go to it, and unlocking it
    # charges the distance to it again.
    reach = dist(env.snapshot)
    assert press_lock() == pytest.approx(5.0 + 0.5 * reach, abs=0.01)
    assert env.snapshot.obj_lock[0] == 0
    assert press_lock() == pytest.approx(0.0, abs=0.02)   # holding the vote keeps it locked
    reward = press_lock(0)
    assert reward == pytest.approx(-5.0 - 0.5 * dist(env.snapshot), abs=0.02)
    assert env.snapshot.obj_lock[0] == -1
    reach = dist(env.snapshot)
    assert press_lock() == pytest.approx(5.0 + 0.5 * reach, abs=0.01)

    # Return, voting lock while the box is in reach: now the shaped reward leads back to the spawn
    # point; within 0.1 m, +1 a step.
    successes = 0
    while True:
        before = env.snapshot
        reward, term, trunc, info = step(env, steer(before, spawn, lock=1))
        done = dist(env.snapshot, spawn) <= 0.1
        assert reward == pytest.approx(0.5 * (dist(before, spawn) - dist(env.snapshot, spawn)) + done)
        successes += done
        assert not term
        if trunc:
            break
    assert env.snapshot.t == 120 and successes > 60
    assert info["episode_stats"]["success"] == 1.0 and info["episode_stats"]["locks"] == 2.0


def test_sequential_lock_only_in_the_hidden_order():
    env = arena.parallel_env("sequential_lock")
    env.reset(seed=3)
    layout, snap = env.world.layout, env.snapshot
    largest = max(layout.rooms, key=lambda r: (r[2] - r[0]) * (r[3] - r[1]))
    x0, y0, x1, y1 = largest
    # A row of the four boxes along the largest room's long side, 1.3 m apart; the ramps in the
    # middle of the other rooms, out of the way.
    long_x = x1 - x0 >= y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    offsets = 1.3 * (np.arange(4) - 1.5)
    boxes = np.array([(cx + o, cy + 0.4) if long_x else (cx + 0.4, cy + o) for o in offsets])
    lane = boxes - ([0, 0.6] if long_x else [0.6, 0])   # where the agent stands to lock each box
    middles = [((r[0] + r[2]) / 2, (r[1] + r[3]) / 2) for r in layout.rooms if r != largest]
    ramps = [(middles[0][0] - 0.6, middles[0][1], 0.0), (middles[0][0] + 0.6, middles[0][1], 0.0), (*middles[1], 0.0)]
    objects = [(*b, 0.0) for b in boxes] + ramps
    facing = math.pi / 2 if long_x else 0.0   # towards its box
    env.reset(seed=3, options={"placement": {"objects": objects, "agents": [(*lane[3], facing)]}})
    assert env.snapshot.sees_obj[0, :4].any()

    def walk(k, vote):
        for _ in range(12):
            step(env, steer(env.snapshot, lane[k], face=boxes[k], lock=vote))
        return env.snapshot.obj_lock[:4].copy()

    def press(k, vote=1):
        reward, *_ = step(env, steer(env.snapshot, lane[k], face=boxes[k], lock=vote))
        return reward, env.snapshot.obj_lock[:4].copy()

    # Out of order, a vote to lock does nothing; the agent stands still, so the shaped part is small.
    walk(3, 0)
    reward, lock = press(3)
    assert abs(reward) < 0.1 and (lock == -1).all()
    walk(2, 0)
    reward, lock = press(2)
    assert abs(reward) < 0.1 and (lock == -1).all()
    walk(0, 0)
    # Locking credits the distance still to go to the box, as upstream.
    reach = np.linalg.norm(env.snapshot.agent_pos[0] - env.snapshot.obj_pos[0])
    reward, lock = press(0)
    assert reward == pytest.approx(5.0 + 0.5 * reach, abs=0.02)
    np.testing.assert_array_equal(lock, [0, -1, -1, -1])
    # Voting lock all the way along the row locks each box in turn as the agent reaches it.
    np.testing.assert_array_equal(walk(1, 1), [0, 0, -1, -1])
    np.testing.assert_array_equal(walk(2, 1), [0, 0, 0, -1])
    np.testing.assert_array_equal(walk(3, 1), [0, 0, 0, 0])
    reward, term, trunc, info = step(env, steer(env.snapshot, lane[3], face=boxes[3], lock=1))
    assert reward == pytest.approx(1.0, abs=0.1) and not term
    assert info == {} and not trunc
    # Voting unlock by the last box locked unlocks it (only that one: the order protects the rest),
    # and charges the distance to it, the target again.
    reward, lock = press(3, vote=0)
    reach = np.linalg.norm(env.snapshot.agent_pos[0] - env.snapshot.obj_pos[3])
    assert reward == pytest.approx(-5.0 - 0.5 * reach, abs=0.02)
    np.testing.assert_array_equal(lock, [0, 0, 0, -1])


def test_blueprint_construction_scripted():
    # Two sites: box 1 starts on the second; the agent carries box 0 onto the first.
    env = arena.parallel_env("blueprint_construction", layout__sites=2)
    env.reset(seed=5)
    sites = env.world.layout.sites.copy()
    side = np.array([1.0 if sites[0, 0] < 3.0 else -1.0, 0.0])   # box 0 starts towards the middle
    spare = [(0.6, 5.4), (1.4, 5.4), (2.2, 5.4), (5.4, 5.4), (5.4, 4.6), (0.6, 4.6)]
    objects = [(*(sites[0] + 0.9 * side), 0.0), (*sites[1], 0.0)] + [(*p, 0.0) for p in spare]
    agent = sites[0] + 1.4 * side
    env.reset(seed=5, options={"placement": {"objects": objects, "agents": [(*agent, math.pi * (side[0] > 0))]}})
    np.testing.assert_array_equal(env.world.layout.sites, sites)   # placement leaves the sites alone

    rewards = []
    for _ in range(40):
        snap = env.snapshot
        goal = sites[0] + snap.agent_pos[0] - snap.obj_pos[0]
        reward, term, trunc, info = step(env, steer(snap, goal, grab=1))
        rewards.append(reward)
        if term:
            break
    assert term and not trunc and not env.agents
    assert info["episode_stats"] == {"sites": 2.0, "sites_filled": 2.0, "complete": 1.0}
    assert rewards[-1] == pytest.approx(3.0 * 2, abs=0.1)              # the completion bonus
    dense = np.array(rewards[:-1])
    assert len(dense) > 3 and (dense < 0).all() and dense[-1] > dense[0]   # less negative as box 0 nears its site


def test_blueprint_dense_reward_is_the_mean_over_site_corners_of_the_smooth_min_box_corner_distance():
    """Upstream's construction_dense with use_corners: for each site corner a smooth minimum over the
    corners of every box, then the mean over site corners (not a sum over sites)."""
    env = arena.parallel_env("blueprint_construction", layout__sites=2)
    env.reset(seed=2)
    sites = env.world.layout.sites.copy()
    far = [(0.5 + 0.7 * j, 5.5, 0.0) for j in range(6)]
    # Each box a quarter turn round and 0.3 m off its site, towards the middle of the floor.
    boxes = [(sites[k, 0] + (0.3 if sites[k, 0] < 3 else -0.3), sites[k, 1], math.pi / 2) for k in range(2)]
    env.reset(seed=2, options={"placement": {"objects": boxes + far, "agents": [(5.5, 0.5, 0.0)]}})
    square = np.array([[0.25, 0.25], [-0.25, 0.25], [-0.25, -0.25], [0.25, -0.25]])
    box_corners = np.concatenate([np.array(b[:2]) + square for b in boxes + far])   # a square turned by 90 degrees is itself
    site_corners = np.concatenate([s + square for s in sites])
    d = np.linalg.norm(site_corners[:, None] - box_corners[None], axis=-1)
    w = np.exp(-1.5 * d)
    expected = -0.05 * ((d * w).sum(axis=1) / w.sum(axis=1)).mean()
    reward, term, *_ = step(env, IDLE)
    assert reward == pytest.approx(expected, abs=1e-3)
    assert not term


@pytest.mark.parametrize("observe_rays", [False, True])
def test_shelter_construction_scripted(observe_rays):
    # One ray per side, from upstream's first start point: near each corner, along the diagonals to
    # a cylinder fixed at the centre. The agent carries a box into the bottom-right ray.
    env = arena.parallel_env("shelter_construction", task__rays_per_side=1, task__observe_rays=observe_rays,
                             layout__cylinder={"radius": 0.5, "sides": 12})
    assert ("shelter_rays_obs" in env.observation_space("hider_0").spaces) == observe_rays
    objects = [(1.0, 3.0, 0), (3.0, 5.0, 0), (5.0, 3.0, 0),                       # elongated
               (0.7, 2.0, 0), (2.0, 0.7, 0), (4.0, 5.3, 0), (5.3, 4.0, 0), (4.4, 0.7, 0)]
    env.reset(seed=0, options={"placement": {"objects": objects, "agents": [(4.85, 0.7, math.pi)]}})
    reward, *_ = step(env, IDLE)
    assert reward == pytest.approx(-0.004)
    for _ in range(20):
        snap = env.snapshot
        reward, *_ = step(env, steer(snap, np.array([4.0, 2.0]) + snap.agent_pos[0] - snap.obj_pos[7], grab=1))
    assert np.linalg.norm(env.snapshot.obj_pos[7] - [4.0, 2.0]) < 0.1
    assert reward == pytest.approx(-0.003)
    while env.agents:
        reward, term, trunc, info = step(env, IDLE)
        assert not term
    assert env.snapshot.t == 240 and info["episode_stats"]["rays_reaching"] == 3.0
    assert info["episode_stats"]["rays_reaching_start"] == 4.0

