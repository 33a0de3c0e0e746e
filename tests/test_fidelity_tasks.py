"""The full game and the transfer tasks take upstream's values (docs/fidelity.md): the layouts,
the shelter cylinder and its rays, the blueprint's completion rule and the full game's counts."""
import numpy as np
import pytest

import arena
import scenarios
from arena import layouts
from arena.scripted import IDLE
from arena.snapshot import TALL
from arena.tasks.shelter_construction import edge_rays, through_discs


def rng(seed):
    return np.random.default_rng(seed)


def test_full_game_is_upstreams_released_two_v_two_with_elongated_boxes():
    sc = scenarios.load("hide_and_seek_rooms")
    assert (sc.agents.hiders.min, sc.agents.hiders.max, sc.agents.seekers.max) == (2, 2, 2)
    assert (sc.boxes.count.min, sc.boxes.count.max, sc.boxes.elongated.min) == (3, 9, 3)
    assert sc.task.rewards.penalize_objects_out is False
    env = arena.parallel_env(sc)
    for seed in range(30):
        env.reset(seed=seed)
        st = env.snapshot.static
        boxes = st.obj_half[st.obj_kind == 0]
        elongated = int((boxes[:, 0] != boxes[:, 1]).sum())
        assert 3 <= elongated <= len(boxes)   # at least 3, at most every box, as upstream draws them


def test_outside_walls_ring_the_play_area_in_about_half_the_episodes():
    sc = scenarios.load("hide_and_seek_rooms")
    tall_edges = []
    for seed in range(200):
        walls = layouts.generate(sc, rng(seed)).walls
        edge = (walls[:, 4] == TALL) & (walls[:, :4].min(axis=1) >= 0)   # TALL walls not out at the margin
        tall_edges.append(edge.sum())
    tall_edges = np.array(tall_edges)
    assert set(tall_edges) == {0, 4}
    assert 70 < (tall_edges == 4).sum() < 130


def test_outside_walls_off_draws_nothing_so_seeds_keep_their_layouts():
    plain = scenarios.load("hide_and_seek_rooms", layout__outside_walls=0.0)
    walled = scenarios.load("hide_and_seek_rooms", layout__outside_walls=1.0)
    a, b = layouts.generate(plain, rng(3)), layouts.generate(walled, rng(3))
    inner = a.walls[a.walls[:, 4] != TALL]
    assert not (b.walls[:, 4] != TALL)[-8:].any()          # walled: no LOW perimeter
    np.testing.assert_array_equal(inner[:-4], b.walls[:len(inner) - 4])   # the same rooms


def test_min_room_cells_keeps_every_room_at_least_that_wide():
    sc = scenarios.load("lock_and_return")
    cell = sc.world.size / sc.world.grid
    for seed in range(100):
        rooms = np.array(layouts.generate(sc, rng(seed)).rooms)
        assert len(rooms) == 6
        assert (np.minimum(rooms[:, 2] - rooms[:, 0], rooms[:, 3] - rooms[:, 1]) >= 7 * cell - 1e-9).all()


def test_tri_layout_is_one_room_of_about_half_and_two_of_about_a_quarter_without_doors():
    sc = scenarios.load("sequential_lock")
    shapes = set()
    for seed in range(100):
        lay = layouts.generate(sc, rng(seed))
        areas = sorted((r[2] - r[0]) * (r[3] - r[1]) for r in lay.rooms)
        assert len(areas) == 3 and sum(areas) == pytest.approx(36.0)
        assert 0.4 * 36 - 1e-9 <= areas[-1] <= 0.6 * 36 + 1e-9 and areas[0] >= 0.4 * 0.4 * 36 - 1e-9
        assert len(lay.doors) == 0
        shapes.add(tuple(np.round(lay.rooms[0], 1)))
    assert len(shapes) > 10   # orientations and splits vary


def test_shelter_cylinder_is_drawn_in_size_and_place_inside_the_middle_seventy_percent():
    sc = scenarios.load("shelter_construction")
    drawn = np.array([layouts.generate(sc, rng(seed)).cylinder for seed in range(200)])
    assert drawn[:, 2].min() >= 0.75 and drawn[:, 2].max() <= 1.0 and np.ptp(drawn[:, 2]) > 0.2
    lo, hi = 3.0 - 0.35 * 6.0, 3.0 + 0.35 * 6.0
    assert (drawn[:, :2] - drawn[:, 2:] >= lo - 1e-9).all() and (drawn[:, :2] + drawn[:, 2:] <= hi + 1e-9).all()
    assert np.ptp(drawn[:, 0]) > 1.0


def test_shelter_rays_start_where_upstream_starts_them():
    cell = 0.2
    rays = edge_rays(6.0, cell, 30, np.array([3.0, 3.0]), 0.5)
    lo, hi = 1.01 * cell, 6.0 - 1.01 * cell
    assert rays.shape == (120, 4)
    np.testing.assert_allclose(rays[0, :2], [lo, lo])
    np.testing.assert_allclose(rays[1, :2], [lo + (hi - lo) / 30, lo])
    np.testing.assert_allclose(rays[30, :2], [hi, lo])           # the right side starts at the bottom
    np.testing.assert_allclose(rays[60, :2], [hi, hi])           # the top side runs right to left
    np.testing.assert_allclose(np.linalg.norm(rays[:, 2:] - 3.0, axis=1), 0.5)   # they end on the surface


def test_an_agent_on_a_ray_blocks_it_and_one_beside_it_does_not():
    ray = np.array([[0.0, 0.0, 4.0, 0.0]])
    assert through_discs(ray, np.array([[2.0, 0.1]]), 0.15)[0]
    assert not through_discs(ray, np.array([[2.0, 0.2]]), 0.15)[0]
    assert not through_discs(ray, np.array([[4.3, 0.0]]), 0.15)[0]   # beyond the ray's end


def test_blueprint_completes_with_a_box_within_the_activation_radius_and_not_beyond():
    env = arena.parallel_env("blueprint_construction", layout__sites=1)
    env.reset(seed=4)
    site = env.world.layout.sites[0]
    step = 1.0 if site[0] < 3 else -1.0
    far = [(0.5 + 0.7 * j, 5.5 if site[1] < 3 else 0.5, 0.0) for j in range(7)]
    agent = [(site[0] + 1.5 * step, site[1], 0.0)]
    idle = {"hider_0": IDLE}

    def reset_with(offset):
        env.reset(seed=4, options={"placement": {"objects": [(site[0] + offset * step, site[1], 0.0)] + far,
                                                 "agents": agent}})
        _, _, terms, _, _ = env.step(idle)
        return terms["hider_0"]

    assert reset_with(0.05)            # centre and every corner within 0.1 m
    assert not reset_with(0.15)        # every corner 0.15 m off: not done


def test_lock_and_return_observes_its_spawn_point_only_when_asked():
    assert "spawn_obs" not in arena.parallel_env("lock_and_return").observation_space("hider_0").spaces
    env = arena.parallel_env("lock_and_return", task__observe_spawn=True)
    assert "spawn_obs" in env.observation_space("hider_0").spaces


@pytest.mark.parametrize("name, overrides, message", [
    ("hide_and_seek_quadrant", {"layout__outside_walls": 0.5}, "layout.outside_walls: needs world.margin"),
    ("shelter_construction", {"layout__cylinder__radius_max": 0.5}, "radius_max (0.5) is below radius (0.75)"),
    ("shelter_construction", {"layout__cylinder__middle": 0.3}, "layout.cylinder.middle: a cylinder of radius 1.0 m"),
    ("hide_and_seek_rooms", {"boxes__elongated": [4, 9]}, "boxes.elongated: at least 4 elongated boxes but as few as 3"),
])
def test_new_layout_options_reject_what_cannot_be_drawn(name, overrides, message):
    with pytest.raises(scenarios.InputError, match=message.replace(".", r"\.").replace("(", r"\(").replace(")", r"\)")):
        scenarios.load(name, **overrides)
