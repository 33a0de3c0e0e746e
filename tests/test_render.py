import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from arena import render, sensors, visibility  # noqa: E402
from arena.render import Overlays, Renderer  # noqa: E402
from arena.snapshot import LOW, SEEKERS, TALL  # noqa: E402
from test_replays_helpers import make_episode, make_static  # noqa: E402

BARE = Overlays(vision=False, sight=False, grabs=False, lidar=False, labels=False)


def known_state(**changes):
    """Hider 0 at (1, 1), seeker 0 at (5, 1), both facing +x; objects far away, nothing grabbed."""
    static = make_static(hiders=1, seekers=1, boxes=1, ramps=1)
    snap = make_episode(static, steps=0)[0][0]
    fields = dict(
        agent_pos=np.array([[1.0, 1.0], [5.0, 1.0]]), agent_angle=np.zeros(2),
        agent_elevated=np.zeros(2, bool), agent_grab=np.full(2, -1, np.int16),
        obj_pos=np.array([[1.0, 5.0], [4.5, 4.5]]), obj_angle=np.zeros(2), obj_lock=np.full(2, -1, np.int8),
    )
    fields.update(changes)
    return replace(snap, **fields)


def pixel(image, renderer, xy, offset=(0, 0)):
    x, y = np.round(renderer.to_screen(xy) + offset).astype(int)
    return tuple(int(v) for v in image[y, x])


def test_frame_has_the_team_colours_at_the_agents_pixels():
    renderer = Renderer(width=400, height=400)
    snap = known_state()
    image = renderer.frame(snap, BARE)
    assert image.shape == (400, 400, 3) and image.dtype == np.uint8
    below_heading = (0, 5)
    assert pixel(image, renderer, (1, 1), below_heading) == render.TEAM_COLOURS[0]
    assert pixel(image, renderer, (5, 1), below_heading) == render.TEAM_COLOURS[1]
    assert pixel(image, renderer, (3, 1.5)) == render.FLOOR
    assert pixel(image, renderer, (1, 1), (0, 30)) == render.FLOOR
    assert pixel(image, renderer, (-0.5, 3)) == render.OUTSIDE


def test_known_pixels_follow_the_world_frame():
    """World y points up: a higher agent is drawn nearer the top of the picture."""
    renderer = Renderer(width=300)
    image = renderer.frame(known_state(agent_pos=np.array([[1.0, 5.0], [5.0, 1.0]])), BARE)
    x, y = renderer.to_screen((1.0, 5.0)).astype(int)
    assert y < 150 and x < 150
    assert tuple(image[y + 4, x]) == render.TEAM_COLOURS[0]


def colours_across(image, renderer, centre, direction):
    """The colours of the 17 pixels centred on `centre` (world) along `direction` (pixels)."""
    points = renderer.to_screen(centre) + np.outer(np.arange(-8, 9), direction)
    return [tuple(int(v) for v in image[y, x]) for x, y in np.round(points).astype(int)]


def test_tall_walls_are_darker_and_thicker_than_low_walls():
    renderer = Renderer(width=600)
    image = renderer.frame(known_state(), BARE)
    tall = colours_across(image, renderer, (6.75, 1.5), (1, 0))
    low = colours_across(image, renderer, (4.5, 3.0), (0, 1))
    assert tall.count(render.WALL_COLOURS[1]) > low.count(render.WALL_COLOURS[0]) >= 2
    assert sum(render.WALL_COLOURS[1]) < sum(render.WALL_COLOURS[0])


def test_locked_objects_take_the_colour_of_the_locking_team():
    renderer = Renderer(width=400)
    unlocked = renderer.frame(known_state(), BARE)
    locked = renderer.frame(known_state(obj_lock=np.array([SEEKERS, 0], np.int8)), BARE)
    box_centre = (1.0, 5.0)
    assert pixel(unlocked, renderer, box_centre) == render.OBJECT_COLOURS[0]
    red, green, blue = pixel(locked, renderer, box_centre)
    assert red > green + 60 and red > blue + 60
    ramp_quarter = (4.5 - 0.25, 4.5 + 0.15)
    r, g, b = pixel(locked, renderer, ramp_quarter)
    assert b > r + 40


def test_a_ramp_marks_its_high_end_at_local_plus_x():
    renderer = Renderer(width=600)
    for angle in (0.0, np.pi):
        image = renderer.frame(known_state(obj_angle=np.array([0.0, angle])), BARE)
        high_x = 4.5 + 0.45 * np.cos(angle)
        low_x = 4.5 - 0.45 * np.cos(angle)
        assert pixel(image, renderer, (high_x, 4.5)) == render.OBJECT_EDGE
        assert pixel(image, renderer, (high_x - 0.1 * np.cos(angle), 4.6)) == render.OBJECT_COLOURS[1]
        assert pixel(image, renderer, (low_x + 0.05 * np.cos(angle), 4.6)) == render.OBJECT_COLOURS[1]


def test_elevated_agents_wear_a_halo_and_grabs_draw_a_link():
    renderer = Renderer(width=400)
    snap = known_state(agent_elevated=np.array([True, False]), agent_grab=np.array([-1, 1], np.int16))
    image = renderer.frame(snap, Overlays(vision=False, sight=False, grabs=True))
    r = 0.15 * renderer._scale
    halo = [pixel(image, renderer, (1, 1), (0, d)) for d in np.arange(r, 1.7 * r)]
    assert render.HALO in halo
    assert render.HALO not in [pixel(image, renderer, (5, 1), (0, d)) for d in np.arange(r, 1.7 * r)]
    link = pixel(image, renderer, (5 + (4.5 - 5) * 0.6, 1 + (4.5 - 1) * 0.6))
    assert link == render._blend(render.TEAM_COLOURS[1], (0, 0, 0), 0.3)


def test_overlays_change_the_picture_only_when_on():
    renderer = Renderer(width=200)
    snap = make_episode(steps=1)[0][1]
    bare = renderer.frame(snap, BARE)
    for name in ("vision", "sight", "lidar"):
        assert not np.array_equal(renderer.frame(snap, BARE.toggled(name)), bare), name
    assert np.array_equal(renderer.frame(snap, BARE), bare)


def test_a_wide_canvas_keeps_the_arena_square_and_centred():
    renderer = Renderer(width=320, height=200)
    image = renderer.frame(known_state(), BARE)
    assert image.shape == (200, 320, 3)
    corner_a, corner_b = renderer.to_screen([(0, 0), (6, 6)])
    assert corner_b[0] - corner_a[0] == pytest.approx(corner_a[1] - corner_b[1])
    assert (corner_a[0] + corner_b[0]) / 2 == pytest.approx(160)


def test_show_opens_a_window_draws_the_frame_and_close_releases_it():
    import pygame

    renderer = Renderer(width=120)
    snap = known_state()
    renderer.show(snap, BARE, fps=1000)
    window = pygame.display.get_surface()
    assert pygame.display.get_init() and window.get_size() == (120, 120)
    shown = np.frombuffer(pygame.image.tobytes(window, "RGB"), np.uint8).reshape(120, 120, 3)
    assert np.array_equal(shown, Renderer(width=120).frame(snap, BARE))
    renderer.show(snap)
    assert pygame.display.get_surface() is window   # the same window, not a new one
    renderer.close()
    assert not pygame.display.get_init()
    renderer.close()   # a second close is harmless
    assert not pygame.display.get_init()
    renderer.show(snap, BARE)   # and show opens a window again
    assert pygame.display.get_init()
    renderer.close()


FORT_WALLS = [[3.0, 3.0, 6.0, 3.0, LOW], [3.0, 3.0, 3.0, 4.05, LOW], [3.0, 4.55, 3.0, 6.0, LOW]]
HIDER, SEEKER = np.array([4.5, 4.3]), np.array([1.0, 4.3])


def fort_state(box_in_door=True, seeker_elevated=False):
    """The hider in the top-right room, facing away from its one door (y 4.05 to 4.55 in the wall
    x = 3); the seeker outside, level with the door, looking at it; box 0 shuts the door or stands
    aside. Who sees whom is worked out by the sensors."""
    base = known_state()
    walls = np.vstack([base.static.walls[base.static.walls[:, 4] == TALL], FORT_WALLS])
    static = replace(base.static, walls=walls)
    fields = dict(agent_pos=np.array([HIDER, SEEKER]), agent_angle=np.zeros(2),
                  agent_elevated=np.array([False, seeker_elevated]),
                  obj_pos=np.array([[3.0, 4.3] if box_in_door else [1.0, 1.0], [5.5, 1.0]]), obj_angle=np.zeros(2))
    occ = visibility.occluders(static, fields["obj_pos"], fields["obj_angle"])
    sees_agent, sees_obj, lidar = sensors.sense(static, occ, fields["agent_pos"], fields["agent_angle"],
                                                fields["agent_elevated"], fields["obj_pos"], fields["obj_angle"])
    return replace(base, static=static, sees_agent=sees_agent, sees_obj=sees_obj, lidar=lidar, **fields)


AROUND_THE_HIDER = [(-0.25, 0.0), (-0.22, 0.12), (-0.22, -0.12)]   # on the seeker's side, off its disc


@pytest.mark.parametrize("box_in_door, seeker_elevated, covered", [
    (True, False, False), (False, False, True), (True, True, True)])
def test_a_seekers_cone_stops_at_a_sealed_fort(box_in_door, seeker_elevated, covered):
    """A box in the door hides the hider from a seeker on the floor: its cone stops at the box and
    the sensors agree. With the door open, or from a ramp (over LOW walls and boxes), it sees in."""
    snap = fort_state(box_in_door, seeker_elevated)
    assert bool(snap.sees_agent[1, 0]) == covered
    renderer = Renderer(width=600)
    image = renderer.frame(snap, replace(BARE, vision=True))
    for offset in AROUND_THE_HIDER:
        r, g, b = pixel(image, renderer, HIDER + offset)
        assert ((r, g, b) != render.FLOOR and r > b) == covered, offset
    assert pixel(image, renderer, SEEKER + (1.0, 0.0)) != render.FLOOR   # the cone is drawn in front of it


def inside(polygon, point) -> bool:
    from matplotlib.path import Path

    return bool(Path(polygon).contains_point(point))


def test_the_drawn_cones_agree_with_the_sensors_on_who_sees_whom():
    """In random play on the default scenario, a grounded agent lies in another's polygon exactly
    when the sensors say it is seen."""
    import arena

    env = arena.parallel_env("hide_and_seek_quadrant")
    checked = agreed = 0
    for seed in range(3):
        env.reset(seed=seed)
        while env.agents:
            env.step({a: env.action_space(a).sample() for a in env.agents})
            snap = env.snapshot
            for i, area in enumerate(visibility.agent_polygons(snap)):
                for j in np.flatnonzero(~snap.agent_elevated):
                    if i != j:
                        checked += 1
                        agreed += inside(area, snap.agent_pos[j]) == snap.sees_agent[i, j]
    assert checked > 1000 and agreed == checked


def test_render_does_not_import_torch():
    code = "import sys, arena.render; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def blueprint_frame(sites=2, placed_on_site=False):
    """A frame of blueprint_construction (rgb_array), its renderer and the site centres; with
    `placed_on_site`, box 0 starts squarely on site 0."""
    import arena

    env = arena.parallel_env("blueprint_construction", render_mode="rgb_array", layout__sites=sites)
    env.reset(seed=4)
    centres = env.snapshot.static.sites.copy()
    if placed_on_site:
        far = [(0.4 + 0.75 * j, 5.6, 0.0) for j in range(7)]
        env.reset(seed=4, options={"placement": {"objects": [(*centres[0], 0.0)] + far,
                                                 "agents": [(5.6, 0.4, 0.0)]}})
    return env.render(), env._renderer, centres


def test_blueprint_sites_are_drawn_in_the_site_colour():
    image, renderer, centres = blueprint_frame()
    assert centres.shape == (2, 2)
    for centre in centres:
        left_edge = centre - (0.25, 0.0)
        assert pixel(image, renderer, left_edge) == render.SITE
        assert pixel(image, renderer, centre) == render.SITE_FILL
    assert render.SITE not in (render.FLOOR, *render.TEAM_COLOURS.values(), *render.OBJECT_COLOURS.values())


def test_a_site_holding_a_box_is_marked_over_the_box():
    image, renderer, centres = blueprint_frame(placed_on_site=True)
    assert pixel(image, renderer, centres[0] - (0.25, 0.0)) == render.SITE_HELD
    assert pixel(image, renderer, centres[0]) == render.OBJECT_COLOURS[0]   # the box, over the fill
    assert pixel(image, renderer, centres[1] - (0.25, 0.0)) == render.SITE


def test_shelter_cylinder_is_a_disc():
    import arena

    env = arena.parallel_env("shelter_construction", render_mode="rgb_array",
                             layout__cylinder={"radius": 0.5, "sides": 12})
    env.reset(seed=0, options={"placement": {"objects": [(0.5 + 0.7 * j, 5.5, 0.0) for j in range(8)],
                                             "agents": [(5.5, 0.5, 0.0)]}})
    np.testing.assert_array_equal(env.snapshot.static.cylinders, [[3.0, 3.0, 0.5]])
    image, renderer = env.render(), env._renderer
    for point in ((3.0, 3.0), (3.3, 3.0), (3.0, 2.65)):
        assert pixel(image, renderer, point) == render.CYLINDER
    assert pixel(image, renderer, (3.0, 3.9)) == render.FLOOR


def test_sites_and_cylinder_travel_in_replays(tmp_path):
    """The replay meta keeps every `Static` field, the sites and cylinders with them; a replay
    written before they existed loads with none."""
    import arena
    from replays import format as fmt
    from replays.recorder import RecordEpisodes

    env = RecordEpisodes(arena.parallel_env("blueprint_construction", layout__sites=3), tmp_path)
    env.reset(seed=1)
    live = env.unwrapped.snapshot.static
    while env.agents:
        env.step({a: env.action_space(a).sample() for a in env.agents})
    replay = fmt.load(env.written[0])
    np.testing.assert_array_equal(replay.static.sites, live.sites)
    assert live.sites.shape == (3, 2) and replay.static.cylinders.shape == (0, 3)
    renderer = Renderer(width=300)
    image = renderer.frame(replay.snapshot(0), BARE)
    assert pixel(image, renderer, live.sites[0] - (0.25, 0.0)) == render.SITE

    old = dict(replay.meta, static={k: v for k, v in replay.meta["static"].items() if k not in ("sites", "cylinders")})
    static = fmt._static_from_meta(old)
    assert static.sites.shape == (0, 2) and static.cylinders.shape == (0, 3)
    assert Renderer(width=100).frame(replace(replay.snapshot(0), static=static), BARE).shape == (100, 100, 3)
