from dataclasses import replace

import numpy as np
import pygame
import pytest

from arena.render import Overlays
from replays import format as fmt
from replays import viewer
from replays.hud import hud_lines
from replays.viewer import ViewerState, advance, handle_key, seek
from test_replays_helpers import agent_names, make_episode, make_static

N, EPISODES = 25, 3


def press(state, *keys):
    for key in keys:
        state = handle_key(state, key, N, EPISODES)
    return state


def test_arrows_step_one_frame_pause_and_stay_inside_the_episode():
    playing = ViewerState(position=3.6, playing=True)
    assert press(playing, pygame.K_RIGHT) == ViewerState(position=4.0, playing=False)
    assert press(playing, pygame.K_LEFT).position == 2.0
    assert press(ViewerState(), pygame.K_LEFT).position == 0.0
    assert press(ViewerState(position=N - 1), pygame.K_RIGHT).position == N - 1


def test_page_keys_jump_ten_and_home_end_go_to_the_ends():
    assert press(ViewerState(position=5), pygame.K_PAGEDOWN).position == 15
    assert press(ViewerState(position=20), pygame.K_PAGEDOWN).position == N - 1
    assert press(ViewerState(position=5), pygame.K_PAGEUP).position == 0
    assert press(ViewerState(position=5), pygame.K_END).position == N - 1
    assert press(ViewerState(position=5), pygame.K_HOME).position == 0


def test_space_toggles_play_and_replays_from_the_start_at_the_end():
    assert press(ViewerState(position=4), pygame.K_SPACE) == ViewerState(position=4, playing=True)
    assert press(ViewerState(position=4), pygame.K_SPACE, pygame.K_SPACE) == ViewerState(position=4)
    assert press(ViewerState(position=N - 1), pygame.K_SPACE) == ViewerState(position=0, playing=True)


def test_up_and_down_double_and_halve_the_speed_within_limits():
    assert press(ViewerState(), pygame.K_UP).speed == 2.0
    assert press(ViewerState(), pygame.K_DOWN, pygame.K_DOWN).speed == 0.25
    assert press(ViewerState(), *[pygame.K_UP] * 10).speed == 16.0
    assert press(ViewerState(), *[pygame.K_DOWN] * 10).speed == 0.125


def test_n_and_p_switch_episode_and_start_it_at_frame_zero():
    state = ViewerState(position=7, playing=True)
    assert press(state, pygame.K_n) == ViewerState(episode=1, position=0, playing=True)
    assert press(state, pygame.K_n, pygame.K_n, pygame.K_n).episode == EPISODES - 1
    assert press(state, pygame.K_p) == state


def test_overlay_keys_toggle_one_overlay_each_and_q_quits():
    state = press(ViewerState(), pygame.K_v, pygame.K_l, pygame.K_s, pygame.K_g)
    assert state.overlays == Overlays(vision=False, sight=False, grabs=False, lidar=True)
    assert press(ViewerState(), pygame.K_q).quit and press(ViewerState(), pygame.K_ESCAPE).quit
    assert press(ViewerState(position=3), pygame.K_z) == ViewerState(position=3)


def test_the_help_line_lists_every_labelled_key():
    for _, label, _ in viewer.KEYMAP:
        assert label is None or label in viewer.HELP


def test_playing_advances_at_speed_times_real_time_and_stops_at_the_end():
    state = ViewerState(position=2.0, playing=True, speed=2.0)
    assert advance(state, 0.5, N, dt=0.25).position == pytest.approx(6.0)
    assert advance(state, 100.0, N, dt=0.25) == replace(state, position=N - 1, playing=False)
    assert advance(replace(state, playing=False), 0.5, N, dt=0.25).position == 2.0


def test_the_timeline_maps_fractions_to_frames():
    assert seek(ViewerState(), 0.5, N).position == 12
    assert seek(ViewerState(), -1, N).position == 0 and seek(ViewerState(), 2, N).position == N - 1


def small_replay(steps=12):
    static = make_static(hiders=1, seekers=1, boxes=1, ramps=1, horizon=steps)
    snapshots, actions, rewards = make_episode(static, seed=4)
    return fmt.Replay.from_episode(snapshots, actions, rewards, agent_names(static), {"dt": 0.25})


def test_hud_names_phase_rewards_and_who_sees_whom():
    replay = small_replay()
    k = 1
    snap = replay.snapshot(k)
    texts = [text for text, _ in hud_lines(replay, k)]
    assert texts[:3] == ["no hide-and-seek statistics in this file", "", f"step {snap.t} / 12"]
    assert ("preparation: seekers frozen" in texts) == snap.prep
    assert f"h0\t{replay.rewards[0, 0]:+.1f}\t{replay.rewards[0, 0]:+.1f}" in texts
    assert ("s0 sees h0" in texts) == bool(snap.sees_agent[1, 0])
    assert ("h0 sees s0" in texts) == bool(snap.sees_agent[0, 1])
    late = [text for text, _ in hud_lines(replay, 11)]
    assert "hide and seek" in late and "preparation: seekers frozen" not in late
    totals = replay.rewards[:11].sum(axis=0)
    assert f"s0\t{replay.rewards[10, 1]:+.1f}\t{totals[1]:+.1f}" in late


def test_the_window_loop_follows_posted_keys_until_q(tmp_path):
    paths = [tmp_path / "a.replay.npz", tmp_path / "b.replay.npz"]
    for path in paths:
        fmt.save(small_replay(), path)
    pygame.display.init()
    for key in (pygame.K_RIGHT, pygame.K_n, pygame.K_RIGHT, pygame.K_RIGHT, pygame.K_l, pygame.K_q):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))
    final = viewer.watch(paths, size=160, frame=5)
    assert final == ViewerState(episode=1, position=2, overlays=Overlays(lidar=True), quit=True)
    assert not pygame.display.get_init()


def test_the_view_draws_the_arena_in_the_top_left_square():
    replay = small_replay()
    view = viewer.View(viewer.Layout(200))
    surface = pygame.Surface(view.layout.window)
    view.draw(surface, replay, ViewerState(position=3), "title")
    assert surface.get_size() == (192 + 256, 192 + 48)
    x, y = np.round(view.renderer.to_screen(replay.snapshot(3).agent_pos[0]) + (0, 3)).astype(int)
    assert tuple(surface.get_at((x, y)))[:3] == (40, 110, 230)


def test_long_titles_are_cut_at_the_front_to_fit_the_panel():
    font = viewer.View(viewer.Layout(160)).font
    fitted = viewer._fit("hide_and_seek_rooms_" * 10 + "end.replay.npz", font, 200)
    assert fitted.startswith("...") and fitted.endswith("end.replay.npz") and font.size(fitted)[0] <= 200
    assert viewer._fit("short", font, 200) == "short"


@pytest.mark.parametrize("width, height", [(1200, 800), (700, 900), (500, 300), (100, 100)])
def test_a_resized_window_gets_the_largest_layout_that_fits(width, height):
    layout = viewer.Layout.fit(width, height)
    w, h = layout.window
    assert (w <= width and h <= height) or layout.size == 160
    bigger = viewer.Layout(layout.size + 16).window
    assert bigger[0] > width or bigger[1] > height


def test_the_window_loop_survives_a_resize_and_the_stage_key(tmp_path):
    paths = [tmp_path / "a.replay.npz", tmp_path / "b.replay.npz"]
    for path in paths:
        fmt.save(small_replay(), path)
    pygame.display.init()
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=900, h=500, size=(900, 500)))
    for key in (pygame.K_f, pygame.K_RIGHTBRACKET, pygame.K_n, pygame.K_q):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))
    final = viewer.watch(paths, size=160)
    assert final.quit and final.episode == 1   # no stage in these files: f keeps every episode
