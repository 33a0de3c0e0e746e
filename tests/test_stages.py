"""The statistics the emergence stages are read from, on scripted episodes."""
import math

import numpy as np

import pytest

import arena
from arena import forts
from scenarios.errors import InputError

IDLE = np.array([5, 5, 5, 0, 0])
LOCK = np.array([5, 5, 5, 0, 1])


def _shut_if_boxes_locked(env) -> np.ndarray:
    """Which doors of the hiders' room the two boxes would shut, were the hiders to lock them."""
    snap, layout = env.snapshot, env.world.layout
    as_if_locked = type(snap)(**{**snap.__dict__, "obj_lock": np.array([0, 0, -1], dtype=np.int8)})
    return forts.doors_shut(as_if_locked, layout.room, forts.room_doors(layout, layout.room), team=0)


def _fort_episode(lock_both=True, hider_outside=False, seed=3, env=None, actions_at=lambda t: {}, **overrides):
    """Both doors of the hiders' room shut by a box, a hider at each voting lock from the start (or
    as `actions_at(step)` says); the hider episode statistics."""
    env = env or arena.parallel_env(**{"layout__door_dropout": 0.0, **overrides})   # two doors unless told
    env.reset(seed=seed)
    doors = env.world.layout.doors
    room_centre = np.array([4.5, 4.5])
    objects, agents = [], []
    for x0, y0, x1, y1 in doors:
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        inward = room_centre - centre
        inward = inward * (np.abs(inward) == np.abs(inward).max())
        inward /= np.linalg.norm(inward)
        objects.append((*centre, 0.0))
        spot = centre + 0.45 * inward
        agents.append((*spot, math.atan2(-inward[1], -inward[0])))   # facing its door
    objects.append((1.0, 1.0, 0.0))                                   # the ramp, far away
    agents += [(*room_centre, 0.0)] * (2 - len(agents))               # a hider with no door to shut
    if hider_outside:
        agents[1] = (1.5, 4.5, 0.0)
    agents += [(1.0, 2.0, 0.0), (2.0, 1.0, 0.0)]                      # seekers
    env.reset(seed=seed, options={"placement": {"objects": objects, "agents": agents}})
    actions = {"hider_0": LOCK, "hider_1": LOCK if lock_both else IDLE, "seeker_0": IDLE, "seeker_1": IDLE}
    infos, t = {}, 0
    while env.agents:   # the hiders keep voting lock; as upstream, a vote to unlock would unlock
        _, _, _, _, infos = env.step({**actions, **actions_at(t)})
        t += 1
    return infos["hider_0"]["episode_stats"]


def test_scripted_fort_is_detected():
    stats = _fort_episode()
    assert stats["num_box_lock_prep"] == 2
    assert stats["fort_prep"] == 1.0
    assert stats["fort_prep_doors_2"] == 1.0 and "fort_prep_doors_1" not in stats


def test_an_open_door_is_not_a_fort():
    stats = _fort_episode(lock_both=False)
    assert stats["num_box_lock_prep"] == 1
    assert stats["fort_prep"] == 0.0
    assert stats["fort_prep_doors_2"] == 0.0


def test_one_door_shut_is_a_fort_when_the_room_has_one_door():
    stats = _fort_episode(lock_both=False, layout__door_dropout=1.0, boxes__count=1)
    assert stats["num_box_lock_prep"] == 1
    assert stats["fort_prep"] == 1.0
    assert stats["fort_prep_doors_1"] == 1.0 and "fort_prep_doors_2" not in stats


def test_door_dropout_leaves_one_wall_of_the_room_without_a_door():
    def doors(seed, **overrides):
        env = arena.parallel_env(**overrides)
        env.reset(seed=seed)
        return forts.room_doors(env.world.layout, env.world.layout.room)

    assert {len(doors(seed, layout__door_dropout=0.5)) for seed in range(40)} == {1, 2}
    single = [doors(seed, layout__door_dropout=1.0) for seed in range(20)]
    assert all(len(d) == 1 for d in single)
    vertical = [d[0][0] == d[0][2] for d in single]   # either wall may keep the door
    assert any(vertical) and not all(vertical)
    assert all(len(doors(seed, layout__door_dropout=0.0)) == 2 for seed in range(20))


def test_a_hider_left_outside_is_not_a_fort():
    assert _fort_episode(hider_outside=True)["fort_prep"] == 0.0


def test_seeker_crossing_a_low_wall_by_ramp_is_counted():
    env = arena.parallel_env(layout__doors_per_wall=0, agents__hiders=1, agents__seekers=1, boxes__count=1,
                             ramps__count=1, rules__prep_fraction=0.0, horizon=20)
    env.reset(seed=0, options={"placement": {"objects": [(1.0, 1.0, 0), (2.72, 4.5, 0)],   # against the wall
                                             "agents": [(5.0, 5.0, 0), (1.9, 4.5, 0)]}})
    infos = {}
    while env.agents:
        _, _, _, _, infos = env.step({"hider_0": IDLE, "seeker_0": np.array([10, 5, 5, 0, 0])})
    assert infos["seeker_0"]["episode_stats"]["seeker_ramp_crossings"] == 1.0


def test_ramp_locked_by_hiders_in_preparation():
    env = arena.parallel_env(layout__kind="open", agents__hiders=1, agents__seekers=1, boxes__count=1,
                             ramps__count=1, ramps__lockable=True, horizon=10)   # the quadrant's is not
    env.reset(seed=0, options={"placement": {"objects": [(5.0, 5.0, 0), (3.0, 3.0, 0)],
                                             "agents": [(2.6, 3.0, 0), (0.5, 0.5, 0)]}})
    infos = {}
    while env.agents:
        _, _, _, _, infos = env.step({"hider_0": LOCK, "seeker_0": IDLE})
    assert infos["hider_0"]["episode_stats"]["ramps_locked_by_hiders_prep"] == 1.0


def test_door_curriculum_starts_boxes_shutting_every_door():
    from arena import forts
    env = arena.parallel_env(spawn__boxes_at_doors=1.0)
    door_counts = set()
    for seed in range(8):
        env.reset(seed=seed)
        layout, snap = env.world.layout, env.snapshot
        shut = _shut_if_boxes_locked(env)
        door_counts.add(len(shut))
        assert shut.all()
        assert forts.inside(snap.obj_pos[:2], layout.room).all()
    assert door_counts == {1, 2}   # with one door, the spare box starts anywhere in the room
    env = arena.parallel_env()
    env.reset(seed=0)
    layout = env.world.layout
    assert not forts.doors_shut(env.snapshot, layout.room, forts.room_doors(layout, layout.room), 0).any()


def test_door_distance_moves_boxes_into_the_room_and_apart():
    from arena import forts
    env = arena.parallel_env(spawn__boxes_at_doors=1.0, spawn__boxes_door_distance=2.0)
    opened = 0
    for seed in range(20):
        env.reset(seed=seed)
        layout, snap = env.world.layout, env.snapshot
        boxes = snap.obj_pos[:2]
        assert forts.inside(boxes, layout.room).all()
        assert np.linalg.norm(boxes[0] - boxes[1]) > 0.5  # two 0.5 m boxes never overlap
        opened += not _shut_if_boxes_locked(env).all()
    assert opened >= 15


def test_door_spread_around_starts_boxes_beside_the_doors_too_at_any_angle():
    from arena import forts
    sideways, turned = {"normal": [], "around": []}, {"normal": 0, "around": 0}
    for spread in ("normal", "around"):
        env = arena.parallel_env(spawn__boxes_at_doors=1.0, spawn__boxes_door_distance=1.5,
                                 spawn__boxes_door_spread=spread)
        for seed in range(60):
            env.reset(seed=seed)
            layout, snap = env.world.layout, env.snapshot
            door = forts.room_doors(layout, layout.room)[0]
            along = (door[2:] - door[:2]) / np.linalg.norm(door[2:] - door[:2])
            offset = snap.obj_pos[0] - (door[:2] + door[2:]) / 2
            assert forts.inside(snap.obj_pos[:2], layout.room).all()
            assert np.linalg.norm(offset) < 2.0
            square = np.isclose(np.cos(4 * (snap.obj_angle[0] - np.arctan2(along[1], along[0]))), 1.0)
            sideways[spread].append(abs(offset @ along))   # how far along the door's wall
            turned[spread] += not square
    assert turned["normal"] == 0 and turned["around"] >= 50   # `normal` boxes face their door
    assert np.mean(sideways["around"]) > 1.5 * np.mean(sideways["normal"])


def test_an_unknown_door_spread_is_an_error():
    with pytest.raises(InputError, match="boxes_door_spread"):
        arena.parallel_env(spawn__boxes_door_spread="sideways")


# at 0 the one spot behind a box is often taken (by the wall, the other box): those hiders start anywhere
@pytest.mark.parametrize("spread, least", [(0.0, 0.5), (0.4, 0.8)])
def test_hiders_behind_boxes_start_on_the_far_side_of_their_box_from_its_door(spread, least):
    shares = {}
    for option in (None, spread):
        env = arena.parallel_env(spawn__boxes_at_doors=1.0, spawn__boxes_door_distance=1.5, spawn__hiders="room",
                                 spawn__boxes_door_spread="around", spawn__hiders_behind_boxes=option)
        behind, near = [], []
        for seed in range(60):
            env.reset(seed=seed)
            layout, snap = env.world.layout, env.snapshot
            assert forts.inside(snap.agent_pos[:2], layout.room).all()
            for k, (x0, y0, x1, y1) in enumerate(forts.room_doors(layout, layout.room)[:2]):
                box, hider = snap.obj_pos[k], snap.agent_pos[k]
                away = box - np.array([(x0 + x1) / 2, (y0 + y1) / 2])
                behind.append((hider - box) @ away > 0)
                near.append(np.linalg.norm(hider - box) < 0.75 + spread * np.sqrt(2))
        shares[option] = np.mean(behind), np.mean(near)
    assert shares[spread][0] >= 0.8 and shares[spread][1] >= least
    assert shares[None][1] <= least - 0.3


def test_a_negative_hider_spread_is_an_error():
    with pytest.raises(InputError, match="hiders_behind_boxes"):
        arena.parallel_env(spawn__hiders_behind_boxes=-0.5)


def test_a_minimum_door_distance_leaves_every_door_open():
    env = arena.parallel_env(spawn__boxes_at_doors=1.0, spawn__boxes_door_distance=0.5,
                             spawn__boxes_door_distance_min=0.4)
    for seed in range(20):
        env.reset(seed=seed)
        layout, snap = env.world.layout, env.snapshot
        assert not _shut_if_boxes_locked(env).any()
        assert forts.inside(snap.obj_pos[:2], layout.room).all()


def test_one_shut_keeps_one_box_of_a_two_door_room_against_its_door():
    env = arena.parallel_env(spawn__boxes_at_doors=1.0, spawn__boxes_door_distance=3.0,
                             spawn__boxes_door_distance_min=0.5, spawn__boxes_one_shut=1.0)
    shut_by_door_count, shut_doors = {1: [], 2: []}, set()
    for seed in range(30):
        env.reset(seed=seed)
        layout, snap = env.world.layout, env.snapshot
        shut = _shut_if_boxes_locked(env)
        shut_by_door_count[len(shut)].append(int(shut.sum()))
        if len(shut) == 2 and shut.sum() == 1:
            shut_doors.add(int(shut.argmax()))
        assert forts.inside(snap.obj_pos[:2], layout.room).all()
    assert set(shut_by_door_count[1]) == {0}      # a one-door room keeps its box away
    assert shut_by_door_count[2].count(1) >= 0.8 * len(shut_by_door_count[2]) > 0
    assert shut_doors == {0, 1}                    # either door may be the one left shut


def test_door_distance_minimum_above_the_maximum_is_an_error():
    with pytest.raises(InputError, match="boxes_door_distance_min"):
        arena.parallel_env(spawn__boxes_door_distance=0.3, spawn__boxes_door_distance_min=0.5)


def test_reset_overrides_change_the_spawn_but_not_the_spaces():
    from arena import forts
    env = arena.parallel_env()
    env.reset(seed=0, options={"overrides": {"spawn__boxes_at_doors": 1.0}})
    layout = env.world.layout
    assert _shut_if_boxes_locked(env).all()
    env.reset(seed=0, options={"overrides": {}})
    assert env.scenario.spawn.boxes_at_doors == 0.0
    with pytest.raises(InputError, match="observation spaces"):
        env.reset(seed=0, options={"overrides": {"agents__hiders": 3}})


def test_seekers_at_doors_start_just_outside_a_door_of_the_hiders_room():
    near = {}
    for chance in (0.0, 1.0):
        env = arena.parallel_env(spawn__seekers_at_doors=chance, spawn__seekers_door_distance=0.6)
        gaps = []
        for seed in range(30):
            env.reset(seed=seed)
            layout, snap = env.world.layout, env.snapshot
            doors = forts.room_doors(layout, layout.room)
            seekers = snap.agent_pos[snap.static.agent_team == 1]
            assert not forts.inside(seekers, layout.room).any()
            middles = (doors[:, :2] + doors[:, 2:]) / 2
            gaps.extend(np.linalg.norm(seekers[:, None] - middles[None], axis=2).min(axis=1))
        near[chance] = np.mean(np.array(gaps) < 1.2)
    assert near[1.0] == 1.0 and near[0.0] < 0.4


def test_a_negative_seeker_door_distance_is_an_error():
    with pytest.raises(InputError, match="seekers_door_distance"):
        arena.parallel_env(spawn__seekers_door_distance=-1.0)
