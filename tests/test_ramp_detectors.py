"""The ramp statistics on hand-made snapshots, independent of the ramp physics. Ramp use: a seeker gets
into the hiders' room over a LOW wall while elevated, having got on outside. Ramp defence: every ramp
locked by the hiders or shut in their sealed room when the preparation phase ends."""
import dataclasses

import numpy as np

import arena
from arena.tasks.hide_and_seek import HideAndSeek

# The quadrant room is (3, 3)-(6, 6): LOW walls on x = 3 and y = 3 from 3 to 6 (no doors here).
NO_DOORS = dict(layout__doors_per_wall=0, layout__door_dropout=0.0, rules__prep_fraction=0.0)
# one door on each wall
WITH_DOORS = dict(layout__doors_per_wall=1, layout__door_dropout=0.0, rules__prep_fraction=0.0)


def _crossings(path, seeker=True, seed=0, **overrides):
    """Episode statistic `seeker_ramp_crossings` when seeker_0 (or hider_0) follows `path`, a list of
    (x, y, elevated), everyone else standing still; and the env's layout."""
    env = arena.parallel_env(**{**NO_DOORS, **overrides})
    env.reset(seed=seed)
    first = env.snapshot
    task = HideAndSeek(env.scenario, first, env.world.layout)
    who = int(np.flatnonzero(first.static.agent_team == (1 if seeker else 0))[0])
    snap = first
    for t, (x, y, up) in enumerate(path, start=1):
        pos, elevated = first.agent_pos.copy(), first.agent_elevated.copy()
        pos[who], elevated[who] = (x, y), up
        snap = dataclasses.replace(first, t=t, agent_pos=pos, agent_elevated=elevated)
        task.step(snap)
    return task.episode_stats(snap)["seeker_ramp_crossings"], env.world.layout


UP_OVER_DOWN_INSIDE = [(2.0, 4.5, False), (2.5, 4.5, True), (2.9, 4.5, True), (3.2, 4.5, True), (3.5, 4.5, False)]


def test_a_seeker_over_the_wall_into_the_room_on_a_ramp_is_a_crossing():
    assert _crossings(UP_OVER_DOWN_INSIDE)[0] == 1.0


def test_a_crossing_within_one_step_counts_when_the_seeker_was_up_at_a_substep():
    # got on outside, over the wall and down inside between two snapshots: only `agent_rose` shows it
    env = arena.parallel_env(**NO_DOORS)
    env.reset(seed=0)
    first = env.snapshot
    task = HideAndSeek(env.scenario, first, env.world.layout)
    who = int(np.flatnonzero(first.static.agent_team == 1)[0])
    counts = []
    for rose in (False, True):
        task = HideAndSeek(env.scenario, first, env.world.layout)
        snap = first
        for t, (x, y, up) in enumerate([(2.6, 4.5, False), (3.4, 4.5, rose)], start=1):
            pos, rose_now = first.agent_pos.copy(), np.zeros_like(first.agent_elevated)
            pos[who], rose_now[who] = (x, y), up
            snap = dataclasses.replace(first, t=t, agent_pos=pos, agent_rose=rose_now)
            task.step(snap)
        counts.append(task.episode_stats(snap)["seeker_ramp_crossings"])
    assert counts == [0.0, 1.0]


def test_a_hider_doing_the_same_is_no_seeker_crossing():
    assert _crossings(UP_OVER_DOWN_INSIDE, seeker=False)[0] == 0.0


def test_climbing_a_ramp_and_stepping_down_outside_is_no_crossing():
    path = [(2.0, 4.5, False), (2.5, 4.5, True), (2.8, 4.5, True), (2.6, 4.5, False)]
    assert _crossings(path)[0] == 0.0


def test_walking_the_wall_top_round_the_corner_and_down_outside_is_no_crossing():
    # on the wall at x = 3, its centre weaving either side of it, round the corner at (3, 3) and
    # down outside below y = 3: the straight line from where it got on to where it got off cuts the wall
    path = [(2.0, 4.5, False), (2.6, 4.5, True), (3.02, 4.3, True), (2.98, 4.0, True), (3.02, 3.6, True),
            (2.98, 3.2, True), (3.02, 3.02, True), (3.4, 2.98, True), (3.8, 3.02, True), (3.9, 2.6, False)]
    assert _crossings(path)[0] == 0.0


def test_getting_on_inside_and_down_outside_the_room_is_no_crossing():
    assert _crossings(UP_OVER_DOWN_INSIDE[::-1])[0] == 0.0


def test_riding_through_a_door_while_elevated_is_no_crossing():
    env = arena.parallel_env(**WITH_DOORS)
    env.reset(seed=0)
    door = next(d for d in env.world.layout.doors if d[0] == d[2])   # the door in the wall x = 3
    y = (door[1] + door[3]) / 2
    path = [(2.0, y, False), (2.5, y, True), (2.9, y, True), (3.2, y, True), (3.5, y, False)]
    assert _crossings(path, **WITH_DOORS)[0] == 0.0
    # beside the door, over the wall, it counts
    beside = y + 0.6 if y + 0.6 < 5.8 else y - 0.6
    assert _crossings([(x, beside, up) for x, _, up in path], **WITH_DOORS)[0] == 1.0


def test_two_separate_crossings_count_twice():
    back_out = [(3.5, 4.5, False), (4.0, 4.5, False)]
    second = [(x, y + 1.0, up) for x, y, up in UP_OVER_DOWN_INSIDE]
    # the second trip starts from outside again: teleported there on the ground
    assert _crossings(UP_OVER_DOWN_INSIDE + back_out + second)[0] == 2.0


def _defended(ramps, locks, box_locks=(-1,), seed=0, **overrides):
    """`ramps_defended_prep` when the preparation phase ends with the ramps at `ramps` ((x, y) each),
    locked as `locks` says (team or -1), and the one box in the only door of the room, locked as
    `box_locks` says."""
    env = arena.parallel_env(**{"layout__door_dropout": 1.0, "ramps__count": len(ramps), "boxes__count": 1,
                                "rules__prep_fraction": 0.5, "horizon": 4, **overrides})
    env.reset(seed=seed)
    first, layout = env.snapshot, env.world.layout
    door = layout.doors[0]
    middle = (door[:2] + door[2:]) / 2
    inward = np.array([1.0, 0.0]) if door[0] == door[2] else np.array([0.0, 1.0])   # the room is (3, 3)-(6, 6)
    box = middle + (0.25 + 0.03) * inward
    task = HideAndSeek(env.scenario, first, layout)
    snap = dataclasses.replace(first, t=first.static.prep_steps, obj_pos=np.array([box, *ramps], dtype=float),
                               obj_angle=np.zeros(1 + len(ramps)),
                               obj_lock=np.array([*box_locks, *locks], dtype=first.obj_lock.dtype))
    task.step(snap)
    return task.stats["ramps_defended_prep"]


def test_a_ramp_locked_by_the_hiders_is_defended():
    assert _defended([(1.0, 1.0)], [0]) == 1.0
    assert _defended([(1.0, 1.0)], [1]) == 0.0   # locked by the seekers: theirs to use


def test_one_ramp_of_two_locked_is_half_defended_and_no_stage():
    from arena import stages
    share = _defended([(1.0, 1.0), (1.0, 2.5)], [0, -1])
    assert share == 0.5
    assert not stages.STAGES["ramp_defence"]({"ramps_defended_prep": share})


def test_a_ramp_shut_in_the_sealed_room_is_defended_and_a_reachable_one_is_not():
    assert _defended([(4.5, 4.5)], [-1], box_locks=(0,)) == 1.0    # the door shut by the hiders' locked box
    assert _defended([(4.5, 4.5)], [-1], box_locks=(-1,)) == 0.0   # the box unlocked: seekers walk in
    assert _defended([(1.0, 1.0)], [-1], box_locks=(0,)) == 0.0    # sealed room, ramp left outside
