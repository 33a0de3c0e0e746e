"""Grab and lock reach as upstream's lock_grab_radius (0.25 m from the agent's centre to the
object's outline, the object in sight), and the quadrant's spawn and lock rules as upstream's."""
import math

import numpy as np
import pytest

import arena
from arena.snapshot import RAMP
from test_mechanics import CLOSED_ROOM, OPEN, act, make, run

BOX_FACE = 2.75          # west face of a 0.5 m box centred at x = 3
RADIUS = 0.15


def box_scene(agent_x, heading=0.0, y=3.0):
    return make(OPEN, objects=[(3.0, 3.0, 0), (5.0, 5.0, 0)], agents=[(agent_x, y, heading), (1.0, 5.5, 0)])


@pytest.mark.parametrize("action", ["grab", "lock"])
def test_reach_is_a_quarter_metre_from_the_agents_centre(action):
    def reaches(surface_gap, heading=0.0):
        env = box_scene(BOX_FACE - RADIUS - surface_gap, heading)
        snap = run(env, 1, hider_0=act(**{action: 1}))
        return snap.agent_grab[0] == 0 if action == "grab" else snap.obj_lock[0] == 0

    assert reaches(0.05)                  # 0.20 m from its centre
    assert reaches(0.09)                  # 0.24 m: just in
    assert not reaches(0.11)              # 0.26 m: just out
    assert not reaches(0.20)              # 0.35 m: the old 0.6 m from the surface would reach it
    assert not reaches(0.05, math.pi)     # in reach but behind it: out of its vision cone


def test_no_grab_through_a_wall():
    # the room's LOW west wall at x = 3 between the agent and a box 0.2 m from the agent's centre
    env = make(CLOSED_ROOM, objects=[(3.28, 4.5, 0), (1.0, 1.0, 0)], agents=[(5.5, 5.5, 0), (2.83, 4.5, 0)])
    start = env.snapshot
    gap = 3.28 - 0.25 - start.agent_pos[1][0]
    assert gap <= 0.25 and not start.sees_obj[1, 0]
    snap = run(env, 1, seeker_0=act(grab=1, lock=1))
    assert snap.agent_grab[1] == -1 and snap.obj_lock[0] == -1


def test_the_quadrants_ramp_cannot_be_locked():
    env = make(dict(agents__hiders=1, agents__seekers=1, rules__prep_fraction=0.0),
               objects=[(5.0, 1.0, 0), (1.0, 1.0, 0), (2.0, 5.0, 0)], agents=[(1.6, 5.0, 0), (4.0, 4.0, 0)])
    assert env.snapshot.static.obj_kind[2] == RAMP        # in reach and in sight
    snap = run(env, 2, hider_0=act(lock=1))
    assert snap.obj_lock[2] == -1
    assert run(env, 1, hider_0=act(grab=1)).agent_grab[0] == 2   # it can be grabbed


def test_quadrant_hiders_spawn_over_the_whole_floor():
    env = arena.parallel_env()
    inside = []
    for seed in range(20):
        env.reset(seed=seed)
        x0, y0, x1, y1 = env.world.layout.room
        hiders = env.snapshot.agent_pos[env.snapshot.static.agent_team == 0]
        inside += (((hiders > [x0, y0]) & (hiders < [x1, y1])).all(axis=1)).tolist()
    assert any(inside) and not all(inside)
    assert 0.1 < np.mean(inside) < 0.5     # about the room's quarter of the floor
