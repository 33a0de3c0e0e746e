"""Each mechanic shown by a scripted episode."""
import math

import numpy as np
import pytest

import arena
from arena.mechanics import ACTION_NVEC

IDLE = np.array([5, 5, 5, 0, 0])
# Open floor, one hider, one seeker, one box, one ramp; no preparation phase unless asked.
OPEN = dict(layout__kind="open", agents__hiders=1, agents__seekers=1, boxes__count=1, ramps__count=1,
            rules__prep_fraction=0.0)
# The quadrant room without doors: the only way in is over its LOW walls.
CLOSED_ROOM = dict(layout__doors_per_wall=0, agents__hiders=1, agents__seekers=1, boxes__count=1, ramps__count=1,
                   rules__prep_fraction=0.0)


def act(fx=0, fy=0, grab=0, lock=0):
    """Force components in [-5, 5] around the idle bin."""
    return np.array([5 + fx, 5 + fy, 5, grab, lock])


def make(overrides, objects, agents, seed=0):
    env = arena.parallel_env(**overrides)
    env.reset(seed=seed, options={"placement": {"objects": objects, "agents": agents}})
    return env


def run(env, steps, **actions):
    for _ in range(steps):
        env.step({a: actions.get(a, IDLE) for a in env.agents})
    return env.snapshot


def test_grabbed_box_follows_its_agent_and_stays_when_released():
    env = make(OPEN, objects=[(3.0, 3.0, 0), (5.0, 5.0, 0)], agents=[(2.5, 3.0, 0), (0.5, 0.5, 0)])
    snap = run(env, 1, hider_0=act(grab=1))
    assert snap.agent_grab[0] == 0

    def in_agent_frame(snap):
        c, s = math.cos(snap.agent_angle[0]), math.sin(snap.agent_angle[0])
        dx, dy = snap.obj_pos[0] - snap.agent_pos[0]
        return np.array([c * dx + s * dy, -s * dx + c * dy, snap.obj_angle[0] - snap.agent_angle[0]])

    held = in_agent_frame(snap)
    snap = run(env, 6, hider_0=act(fx=-5, fy=-3, grab=1))
    assert np.linalg.norm(snap.agent_pos[0] - np.array([2.5, 3.0])) > 1.0  # it moved far
    np.testing.assert_allclose(in_agent_frame(snap), held, atol=0.03)
    snap = run(env, 4, hider_0=act(fx=-5))   # let go and walk on: the box slides to a stop
    assert snap.agent_grab[0] == -1
    rest = snap.obj_pos[0].copy()
    snap = run(env, 4, hider_0=act(fx=-5))
    assert np.linalg.norm(snap.obj_pos[0] - rest) < 0.01
    assert np.linalg.norm(snap.agent_pos[0] - snap.obj_pos[0]) > 1.0


def test_without_grab_the_box_is_not_carried():
    env = make(OPEN, objects=[(3.0, 3.0, 0), (5.0, 5.0, 0)], agents=[(2.5, 3.0, 0), (0.5, 0.5, 0)])
    snap = run(env, 6, hider_0=act(fx=-5))
    assert np.linalg.norm(snap.obj_pos[0] - np.array([3.0, 3.0])) < 0.01


def test_locked_box_resists_the_other_team_and_stays_locked():
    env = make(OPEN, objects=[(3.0, 3.0, 0), (5.0, 5.0, 0)],
               agents=[(2.5, 3.0, 0), (3.5, 3.0, math.pi)])
    snap = run(env, 1, hider_0=act(lock=1))
    assert snap.obj_lock[0] == 0
    # The hider keeps voting lock as it walks off; the seeker pushes, grabs and votes either way: nothing gives.
    snap = run(env, 4, hider_0=act(fx=-5, lock=1), seeker_0=act(fx=-5, grab=1, lock=1))
    snap = run(env, 4, hider_0=act(fx=-5, lock=1), seeker_0=act(fx=-5, grab=1, lock=0))
    assert snap.obj_lock[0] == 0
    assert snap.agent_grab[1] == -1
    np.testing.assert_allclose(snap.obj_pos[0], [3.0, 3.0], atol=1e-9)
    # Out of reach of every hider, it stays locked whatever they vote.
    assert np.linalg.norm(snap.agent_pos[0] - [3.0, 3.0]) > 1.2
    assert run(env, 2).obj_lock[0] == 0


def test_lock_is_a_vote_each_step_as_upstream():
    env = make(OPEN, objects=[(3.0, 3.0, 0), (5.0, 5.0, 0)], agents=[(2.5, 3.0, 0), (3.5, 3.0, math.pi)])
    assert run(env, 1, hider_0=act(lock=1)).obj_lock[0] == 0
    assert run(env, 1, hider_0=act(lock=1)).obj_lock[0] == 0      # holding the vote keeps it locked
    assert run(env, 1, hider_0=act(lock=0)).obj_lock[0] == -1     # its team votes unlock in reach
    snap = run(env, 6, seeker_0=act(fx=-5))
    assert snap.obj_pos[0][0] < 2.9

    env = make({**OPEN, "agents__hiders": 2}, objects=[(3.0, 3.0, 0), (5.0, 5.0, 0)],
               agents=[(2.5, 3.0, 0), (3.0, 2.5, math.pi / 2), (3.5, 3.0, math.pi)])
    assert run(env, 1, hider_0=act(lock=1)).obj_lock[0] == -1     # a team-mate in reach votes unlock
    assert run(env, 1, hider_0=act(lock=1), hider_1=act(lock=1)).obj_lock[0] == 0
    assert run(env, 1).obj_lock[0] == -1
    # The other team's votes neither veto a lock nor unlock one.
    assert run(env, 1, seeker_0=act(lock=1)).obj_lock[0] == 1
    assert run(env, 1, seeker_0=act(lock=1)).obj_lock[0] == 1


def test_low_wall_stops_an_agent_without_a_ramp():
    # Seeker left of the room's LOW wall (x = 3), ramp far away.
    env = make(CLOSED_ROOM, objects=[(1.0, 1.0, 0), (1.0, 2.5, 0)], agents=[(5.0, 5.0, 0), (1.8, 4.5, 0)])
    snap = run(env, 12, seeker_0=act(fx=5))
    assert snap.agent_pos[1][0] < 3.0
    assert not snap.agent_elevated[1]


def test_ramp_lifts_an_agent_over_a_low_wall():
    # Ramp against the wall, uphill towards it (+x), the seeker behind its low end.
    # Ramp against the wall, uphill towards it (+x), the seeker behind its low end.
    env = make(CLOSED_ROOM, objects=[(1.0, 1.0, 0), (2.72, 4.5, 0)], agents=[(5.0, 5.0, 0), (1.9, 4.5, 0)])
    elevated_seen = False
    for _ in range(12):
        snap = run(env, 1, seeker_0=act(fx=5))
        elevated_seen |= bool(snap.agent_elevated[1])
    assert elevated_seen
    assert snap.agent_pos[1][0] > 3.2          # inside the room
    assert not snap.agent_elevated[1]          # and back on the floor


def test_tall_outer_wall_stops_even_an_elevated_agent():
    env = make(CLOSED_ROOM, objects=[(1.0, 1.0, 0), (5.3, 1.0, 0)], agents=[(5.0, 5.0, 0), (4.4, 1.0, 0)])
    snap = run(env, 15, seeker_0=act(fx=5))
    assert snap.agent_pos[1][0] < 6.0


def test_hider_behind_a_wall_is_not_seen_and_in_the_open_is():
    room = make(CLOSED_ROOM, objects=[(1.0, 1.0, 0), (1.0, 2.5, 0)], agents=[(4.5, 4.5, 0), (1.5, 4.5, 0)])
    assert not room.snapshot.sees_agent[1, 0]     # seeker faces the hider, a wall between
    open_ = make(OPEN, objects=[(5.0, 1.0, 0), (5.0, 5.0, 0)], agents=[(3.0, 3.0, 0), (1.0, 3.0, 0)])
    assert open_.snapshot.sees_agent[1, 0]        # in the cone, nothing between
    behind = make(OPEN, objects=[(5.0, 1.0, 0), (5.0, 5.0, 0)], agents=[(3.0, 3.0, 0), (1.0, 3.0, math.pi)])
    assert not behind.snapshot.sees_agent[1, 0]   # out of the cone
    boxed = make(OPEN, objects=[(2.0, 3.0, 0), (5.0, 5.0, 0)], agents=[(3.0, 3.0, 0), (1.0, 3.0, 0)])
    assert not boxed.snapshot.sees_agent[1, 0]    # a box between


def test_seen_and_hidden_rewards():
    env = make(OPEN, objects=[(5.0, 1.0, 0), (5.0, 5.0, 0)], agents=[(3.0, 3.0, 0), (1.0, 3.0, 0)])
    _, rewards, *_ = env.step({a: IDLE for a in env.agents})
    assert rewards == {"hider_0": -1.0, "seeker_0": 1.0}
    env = make(OPEN, objects=[(5.0, 1.0, 0), (5.0, 5.0, 0)], agents=[(3.0, 3.0, 0), (1.0, 3.0, math.pi)])
    _, rewards, *_ = env.step({a: IDLE for a in env.agents})
    assert rewards == {"hider_0": 1.0, "seeker_0": -1.0}


def test_seekers_do_not_move_in_the_preparation_phase():
    env = make({**OPEN, "rules__prep_fraction": 0.5, "horizon": 10},
               objects=[(5.0, 1.0, 0), (5.0, 5.0, 0)], agents=[(3.0, 3.0, 0), (1.0, 3.0, 0)])
    start = env.snapshot.agent_pos.copy()
    for t in range(5):
        _, rewards, *_ = env.step({"hider_0": act(fy=5), "seeker_0": np.array([10, 10, 10, 1, 1])})
        assert rewards == {"hider_0": 0.0, "seeker_0": 0.0}
    snap = env.snapshot
    np.testing.assert_array_equal(snap.agent_pos[1], start[1])
    assert snap.agent_pos[0][1] > start[0][1] + 0.5
    env.step({"hider_0": IDLE, "seeker_0": act(fx=5)})
    assert env.snapshot.agent_pos[1][0] > start[1][0] + 0.1


def test_leaving_the_play_area_replaces_the_reward_after_the_preparation_phase():
    # as upstream's RestrictAgentsRect inside its PreparationPhase: -10 instead of the step's reward
    env = make({**OPEN, "world__margin": 1.0}, objects=[(5.0, 1.0, 0), (5.0, 5.0, 0)],
               agents=[(3.0, 3.0, 0), (-0.5, 3.0, math.pi)])
    _, rewards, *_ = env.step({a: IDLE for a in env.agents})
    assert rewards == {"hider_0": 1.0, "seeker_0": -10.0}   # the hider is hidden: +1; the seeker is out
    env = make({**OPEN, "world__margin": 1.0, "rules__prep_fraction": 0.5, "horizon": 10},
               objects=[(5.0, 1.0, 0), (5.0, 5.0, 0)], agents=[(3.0, 3.0, 0), (-0.5, 3.0, math.pi)])
    _, rewards, *_ = env.step({a: IDLE for a in env.agents})
    assert rewards == {"hider_0": 0.0, "seeker_0": 0.0}     # not during preparation


def test_an_object_out_of_the_play_area_costs_every_agent_when_penalised():
    scene = dict(objects=[(-0.5, 1.0, 0), (5.0, 5.0, 0)], agents=[(3.0, 3.0, 0), (1.0, 3.0, math.pi)])
    env = make({**OPEN, "world__margin": 1.0, "task__rewards__penalize_objects_out": True}, **scene)
    _, rewards, *_ = env.step({a: IDLE for a in env.agents})
    assert rewards == {"hider_0": -10.0, "seeker_0": -10.0}
    env = make({**OPEN, "world__margin": 1.0, "task__rewards__penalize_objects_out": False}, **scene)
    _, rewards, *_ = env.step({a: IDLE for a in env.agents})
    assert rewards == {"hider_0": 1.0, "seeker_0": -1.0}


def test_bad_actions_are_clear_errors():
    env = arena.parallel_env()
    env.reset(seed=0)
    with pytest.raises(arena.InputError, match="hider_0: component 0 is 11"):
        env.step({a: (ACTION_NVEC if a == "hider_0" else IDLE) for a in env.agents})
    with pytest.raises(arena.InputError, match="missing for seeker_1"):
        env.step({a: IDLE for a in env.agents[:-1]})


def test_random_full_game_stays_finite_and_inside():
    env = arena.parallel_env("hide_and_seek_rooms")
    rng = np.random.default_rng(0)
    steps = 0
    for episode in range(12):
        env.reset(seed=episode)
        st = env.snapshot.static
        while env.agents:
            # Biased random actions: long pushes in one direction find the weak spots.
            actions = {a: rng.integers(0, ACTION_NVEC) for a in env.agents}
            obs, rewards, *_ = env.step(actions)
            snap = env.snapshot
            for arr in (snap.agent_pos, snap.obj_pos, snap.agent_vel, snap.obj_vel):
                assert np.isfinite(arr).all()
            for pos in (snap.agent_pos, snap.obj_pos):
                assert (pos > -st.margin).all() and (pos < st.size + st.margin).all()
            assert all(np.isfinite(o["observation_self"]).all() for o in obs.values())
            steps += 1
    assert steps >= 2000
