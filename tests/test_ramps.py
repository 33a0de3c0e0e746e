"""Ramp heights, scripted: a LOW wall is crossed only from a ramp's high end standing against it,
landing on the side of the agent's centre; never from the low end, the side, across a gap, or
along a wall top; and an agent sees over a LOW wall only once it is up."""
import math

import scenarios
from test_mechanics import CLOSED_ROOM, act, make, run

# The room's west wall is the LOW segment x = 3, 3 <= y <= 6; the seeker starts west of it at y = 4.5.
WALL_X = 3.0
HINDER = (5.5, 5.5, 0)          # the hider, out of the way inside the room
BOX = (1.0, 1.0, 0)             # the box, out of the way


QUADRANT = scenarios.load("hide_and_seek_quadrant")
# x of a ramp pointing +x whose high end touches the wall's west face, and of one lying along it
AGAINST = WALL_X - QUADRANT.world.wall_thickness / 2 - QUADRANT.ramps.length / 2 - 0.003
ALONG = WALL_X - QUADRANT.world.wall_thickness / 2 - QUADRANT.ramps.width / 2 - 0.003


def ramp_scene(ramp, seeker, hider=HINDER):
    return make(CLOSED_ROOM, objects=[BOX, ramp], agents=[hider, seeker])


def climb_to_the_top(env, fx):
    """Push the seeker up the ramp until it is up; return that snapshot."""
    for _ in range(12):
        snap = run(env, 1, seeker_0=act(fx=fx))
        if snap.agent_elevated[1]:
            return snap
    raise AssertionError("never got up the ramp")


def drive(env, steps, **forces):
    """Push the seeker; return whether it was ever up, and the last snapshot."""
    up = False
    for _ in range(steps):
        snap = run(env, 1, seeker_0=act(**forces))
        up |= bool(snap.agent_elevated[1])
    return up, snap


def test_climbing_to_the_high_end_against_the_wall_crosses_it_and_lands_inside():
    env = ramp_scene((AGAINST, 4.5, 0), (2.1, 4.5, 0))
    up, snap = drive(env, 14, fx=5)          # at top speed it is up and down again within one step
    st = snap.static
    assert snap.agent_pos[1][0] > WALL_X + st.wall_half_thickness + st.agent_radius - 0.01
    assert not snap.agent_elevated[1]


def test_stepping_off_the_top_sideways_lands_on_the_side_of_the_centre():
    env = ramp_scene((AGAINST, 4.5, 0), (2.1, 4.5, 0))
    snap = climb_to_the_top(env, fx=1)
    assert snap.agent_pos[1][0] < WALL_X
    up, snap = drive(env, 6, fx=-1, fy=5)   # off the ramp's side, centre west of the wall
    st = snap.static
    assert not snap.agent_elevated[1]
    assert snap.agent_pos[1][0] < WALL_X - st.wall_half_thickness - st.agent_radius + 0.01


def test_ramp_with_its_low_end_at_the_wall_does_not_cross():
    env = ramp_scene((AGAINST, 4.5, math.pi), (2.1, 4.5, 0))
    up, snap = drive(env, 14, fx=5)
    assert snap.agent_pos[1][0] < WALL_X


def test_ramp_lying_along_the_wall_does_not_cross_from_its_side():
    env = ramp_scene((ALONG, 4.5, math.pi / 2), (ALONG, 3.9, math.pi / 2))   # uphill +y, along the wall
    up, snap = drive(env, 6, fy=4)
    assert up
    for _ in range(10):
        snap = run(env, 1, seeker_0=act(fx=5, fy=1))
        assert snap.agent_pos[1][0] < WALL_X
    assert not snap.agent_elevated[1]


def test_ramp_with_a_gap_to_the_wall_does_not_cross():
    env = ramp_scene((2.5, 4.5, 0), (1.9, 4.5, 0))   # high end 0.2 m short of the wall
    up, snap = drive(env, 14, fx=5)
    assert 2.7 < snap.agent_pos[1][0] < WALL_X      # over the ramp and down into the gap
    assert not snap.agent_elevated[1]


def test_no_walking_along_a_wall_top():
    env = ramp_scene((AGAINST, 4.5, 0), (2.1, 4.5, 0))
    st = climb_to_the_top(env, fx=1).static
    for _ in range(8):                      # along the wall, leaning on it
        snap = run(env, 1, seeker_0=act(fx=1, fy=5))
    assert not snap.agent_elevated[1]
    assert abs(snap.agent_pos[1][0] - WALL_X) >= st.wall_half_thickness + st.agent_radius - 0.01
    assert snap.agent_pos[1][1] > 5.0       # it went along, beside the wall, not on it


def test_no_seeing_over_a_wall_from_the_ramps_foot():
    hider = (3.5, 4.5, 0)
    env = ramp_scene((AGAINST, 4.5, 0), (2.1, 4.5, 0), hider)
    seen_up = False
    for _ in range(12):
        snap = run(env, 1, seeker_0=act(fx=1))
        sees = bool(snap.sees_agent[1, 0])
        if snap.agent_pos[1][0] < WALL_X:    # still west of the wall: seeing needs being up
            assert not sees or snap.agent_elevated[1], snap.agent_pos[1]
            seen_up |= sees
    assert seen_up


def test_from_the_ramp_onto_a_box_against_the_wall_and_over_it():
    # box surfing as upstream: ramp top, box and LOW wall are all 0.5 m high
    box_x = WALL_X - QUADRANT.world.wall_thickness / 2 - QUADRANT.boxes.size / 2 - 0.003
    ramp_x = box_x - QUADRANT.boxes.size / 2 - QUADRANT.ramps.length / 2 - 0.003
    env = make(CLOSED_ROOM, objects=[(box_x, 4.5, 0), (ramp_x, 4.5, 0)], agents=[HINDER, (ramp_x - 0.6, 4.5, 0)])
    up, snap = drive(env, 16, fx=5)
    assert up
    assert snap.agent_pos[1][0] > WALL_X and not snap.agent_elevated[1]
    # the same box 0.2 m short of the wall: down into the gap, not over
    env = make(CLOSED_ROOM, objects=[(box_x - 0.2, 4.5, 0), (ramp_x - 0.2, 4.5, 0)],
               agents=[HINDER, (ramp_x - 0.8, 4.5, 0)])
    up, snap = drive(env, 16, fx=5)
    assert snap.agent_pos[1][0] < WALL_X and not snap.agent_elevated[1]
