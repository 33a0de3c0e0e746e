"""The fort detector: the hiders' locked boxes seal their room when no path an agent fits through
leads in from outside. Boxes are placed by hand at one door of the quadrant room; near misses beside
every positive case."""
import dataclasses
import math

import numpy as np
import pytest

import arena
from arena import forts
from arena.scripted import bearing, drive
from arena.snapshot import HIDERS

IDLE = np.array([5, 5, 5, 0, 0])
LOCK = np.array([5, 5, 5, 0, 1])
HALF = 0.25   # the default box: 0.5 m square


def _one_door_env(**overrides):
    return arena.parallel_env(**{"layout__door_dropout": 1.0, **overrides})


def _clear_seed(env, seed) -> int:
    """The first seed from `seed` on whose door stands 0.9 m or more from the corners of its wall,
    leaving room for two boxes beside it."""
    while True:
        env.reset(seed=seed)
        layout = env.world.layout
        door = forts.room_doors(layout, layout.room)[0]
        middle = (door[:2] + door[2:]) / 2
        x0, y0, x1, y1 = layout.room
        coordinate, lo, hi = (middle[1], y0, y1) if door[0] == door[2] else (middle[0], x0, x1)
        if lo + 0.9 <= coordinate <= hi - 0.9:
            return seed
        seed += 1


def _frame(env, seed):
    """The single door of the hiders' room: its middle, the unit vector along it and the one into the room."""
    env.reset(seed=seed)
    layout = env.world.layout
    door = forts.room_doors(layout, layout.room)[0]
    middle = (door[:2] + door[2:]) / 2
    along = (door[2:] - door[:2]) / np.linalg.norm(door[2:] - door[:2])
    inward = np.array([-along[1], along[0]])
    inward *= np.sign(inward @ (forts.room_centre(layout.room) - middle))
    return middle, along, inward


def _snapshot(boxes, locked=(True, True), seed=1, hider_outside=False):
    """The room of `seed` with the two boxes at (metres along the door, metres into the room, angle
    from square), locked by the hiders as `locked` says, the hiders deep in the room."""
    env = _one_door_env()
    seed = _clear_seed(env, seed)
    middle, along, inward = _frame(env, seed)
    square = math.atan2(along[1], along[0])
    objects = [(*(middle + a * along + d * inward), square + turn) for a, d, turn in boxes] + [(0.5, 0.5, 0.0)]
    deep = forts.room_centre(env.world.layout.room)
    hiders = [(*deep, 0.0), (*(deep + 0.5 * along), 0.0)]
    if hider_outside:
        hiders[1] = (*(middle - 1.0 * inward), 0.0)
    env.reset(seed=seed, options={"placement": {"objects": objects,
                                                "agents": hiders + [(0.5, 1.5, 0.0), (1.5, 0.5, 0.0)]}})
    snap = env.snapshot
    lock = np.array([HIDERS if on else -1 for on in locked] + [-1], dtype=snap.obj_lock.dtype)
    return dataclasses.replace(snap, obj_lock=lock), env.world.layout


def _fort(boxes, **kwargs) -> bool:
    snap, layout = _snapshot(boxes, **kwargs)
    return forts.fort(snap, layout, np.array([0, 1]), HIDERS)


FAR = (-1.5, 1.5, 0.0)   # a box well away from the door


def test_one_locked_box_flush_against_the_door_seals_the_room():
    assert _fort([(0.0, HALF + 0.03, 0.0), FAR])


def test_two_locked_boxes_side_by_side_seal_the_door():
    assert _fort([(-HALF, HALF + 0.03, 0.0), (HALF, HALF + 0.03, 0.0)])


def test_a_box_locked_outside_the_door_seals_it_too():
    assert _fort([(0.0, -HALF - 0.03, 0.0), FAR])


def test_a_box_turned_45_degrees_across_the_door_seals_it():
    assert _fort([(0.0, HALF * math.sqrt(2) + 0.03, math.pi / 4), FAR])


def test_two_boxes_inside_the_door_with_a_channel_an_agent_fits_through_are_not_a_fort():
    # 0.1 m inside a 0.4 m door, 0.4 m apart: wider than an agent (0.3 m)
    assert not _fort([(-0.2 - HALF, 0.1 + HALF, 0.0), (0.2 + HALF, 0.1 + HALF, 0.0)])
    assert _fort([(-0.1 - HALF, 0.1 + HALF, 0.0), (0.1 + HALF, 0.1 + HALF, 0.0)])   # 0.2 m: too narrow


def test_a_box_leaving_a_gap_an_agent_fits_through_is_not_a_fort():
    # covering the door from one jamb but leaving 0.35 m at the other
    assert not _fort([(0.35 + HALF - 0.2, HALF + 0.03, 0.0), FAR])


def test_a_box_near_the_door_but_not_in_it_is_not_a_fort():
    assert not _fort([(0.2 + HALF + 0.05, HALF + 0.03, 0.0), FAR])     # beside it, along the wall
    assert not _fort([(0.0, 0.35 + HALF, 0.0), FAR])                   # 0.35 m into the room


def test_an_unlocked_box_in_the_door_is_not_a_fort():
    assert not _fort([(0.0, HALF + 0.03, 0.0), FAR], locked=(False, False))


def test_a_hider_outside_the_room_is_not_a_fort():
    assert not _fort([(0.0, HALF + 0.03, 0.0), FAR], hider_outside=True)


@pytest.mark.parametrize("seed", [0, 10, 20, 30])
def test_the_door_is_shut_on_several_layouts_and_not_by_the_far_box_alone(seed):
    snap, layout = _snapshot([(0.0, HALF + 0.03, 0.0), FAR], seed=seed)
    doors = forts.room_doors(layout, layout.room)
    assert forts.doors_shut(snap, layout.room, doors, HIDERS).all()
    open_snap = dataclasses.replace(snap, obj_lock=np.array([-1, HIDERS, -1], dtype=snap.obj_lock.dtype))
    assert not forts.doors_shut(open_snap, layout.room, doors, HIDERS).any()


def _walk_in(boxes, seed=1, steps=24):
    """Hiders lock the two boxes in a short preparation phase; then a seeker drives from outside the
    door straight into the room. The episode statistics and whether the seeker got in."""
    env = _one_door_env(rules__prep_fraction=0.25, horizon=steps)
    seed = _clear_seed(env, seed)
    middle, along, inward = _frame(env, seed)
    square = math.atan2(along[1], along[0])
    objects = [(*(middle + a * along + d * inward), square) for a, d in boxes] + [(0.5, 0.5, 0.0)]
    hiders = []
    for a, d in boxes:   # each behind its box, facing it
        spot = middle + a * along + (d + HALF + 0.2) * inward
        hiders.append((*spot, bearing(-inward)))
    start, goal = middle - 0.6 * inward, middle + 1.5 * inward
    env.reset(seed=seed, options={"placement": {"objects": objects,
                                                "agents": hiders + [(*start, 0.0), (0.5, 1.5, 0.0)]}})
    while env.agents:
        snap = env.snapshot
        seeker = drive(snap.agent_pos[2], snap.agent_angvel[2], goal, 0.0)
        env.step({"hider_0": LOCK, "hider_1": LOCK, "seeker_0": seeker, "seeker_1": IDLE})
    inside = bool(forts.inside(env.snapshot.agent_pos[2:3], env.world.layout.room)[0])
    return env.task.stats, inside   # the episode statistics, as the env handed them out


def test_a_seeker_walks_through_the_channel_the_detector_calls_open():
    stats, got_in = _walk_in([(-0.2 - HALF, 0.1 + HALF), (0.2 + HALF, 0.1 + HALF)])
    assert stats["num_box_lock_prep"] == 2
    assert stats["fort_prep"] == 0.0 and got_in


def test_a_seeker_cannot_pass_two_boxes_the_detector_calls_a_fort():
    stats, got_in = _walk_in([(-HALF - 0.01, HALF + 0.03), (HALF + 0.01, HALF + 0.03)])
    assert stats["num_box_lock_prep"] == 2
    assert stats["fort_prep"] == 1.0 and not got_in


def test_the_doors_of_a_room_are_those_on_its_outline_and_none_without_a_room():
    env = arena.parallel_env("hide_and_seek_rooms")
    others = 0
    for seed in range(6):
        env.reset(seed=seed)
        layout = env.world.layout
        x0, y0, x1, y1 = layout.room
        middles = (layout.doors[:, :2] + layout.doors[:, 2:]) / 2
        on_x = np.isclose(middles[:, 0], x0) | np.isclose(middles[:, 0], x1)
        on_y = np.isclose(middles[:, 1], y0) | np.isclose(middles[:, 1], y1)
        within = (middles[:, 0] >= x0) & (middles[:, 0] <= x1) & (middles[:, 1] >= y0) & (middles[:, 1] <= y1)
        assert forts.of_room(layout, layout.room).tolist() == ((on_x | on_y) & within).tolist()
        assert not forts.of_room(layout, None).any()
        others += int((~((on_x | on_y) & within)).sum())
    assert others > 0   # some doors lead between other rooms


def test_a_path_crosses_a_low_wall_in_either_direction_and_not_beside_it():
    walls = np.array([[3.0, 3.0, 3.0, 6.0, 0]])   # LOW, on x = 3
    assert forts.crosses_low_wall(np.array([2.5, 4.0]), np.array([3.5, 4.5]), walls)
    assert forts.crosses_low_wall(np.array([3.5, 4.5]), np.array([2.5, 4.0]), walls)
    assert not forts.crosses_low_wall(np.array([2.5, 2.0]), np.array([3.5, 2.5]), walls)   # below its end
    assert not forts.crosses_low_wall(np.array([2.5, 4.0]), np.array([2.9, 4.5]), walls)   # short of it
    assert not forts.crosses_low_wall(np.array([2.5, 4.0]), np.array([3.5, 4.5]), walls + [0, 0, 0, 0, 1])  # TALL


def test_the_centre_of_a_room_that_is_not_square():
    assert forts.room_centre((1.0, 2.0, 5.0, 8.0)).tolist() == [3.0, 5.0]


def test_gap_points_run_evenly_from_one_end_of_the_door_to_the_other():
    points = forts.gap_points(np.array([[3.0, 4.2, 3.0, 4.6]]))[0]
    assert np.allclose(points[:, 0], 3.0) and np.allclose(points[:, 1], np.linspace(4.2, 4.6, forts.DOOR_SAMPLES))
