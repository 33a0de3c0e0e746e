"""Events derived from the recorded arrays, where the timeline marks them, and the keys that jump
between them."""
import os
from dataclasses import replace

import numpy as np
import pygame

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from replays import format as fmt  # noqa: E402
from replays import timeline, viewer  # noqa: E402
from replays.timeline import EVENT_COLOURS, events, lockers  # noqa: E402
from replays.viewer import ViewerState, handle_key  # noqa: E402
from test_replays_helpers import agent_names, make_episode, make_static  # noqa: E402

LOCK = timeline.LOCK_ACTION


def scripted_replay(hiders=1, counters=True):
    """Eleven frames (prep ends at frame 4) of hiders, one seeker, one box and one ramp with known
    grabs, locks, sightings and one ramp crossing; everything else still."""
    static = make_static(hiders=hiders, seekers=1, boxes=1, ramps=1, horizon=10)
    a = hiders + 1
    first = replace(make_episode(static, steps=0)[0][0],
                    agent_pos=np.array([[1.0 + 0.5 * i, 1.0] for i in range(hiders)] + [[5.0, 1.0]]),
                    agent_grab=np.full(a, -1, np.int16), agent_elevated=np.zeros(a, bool),
                    obj_pos=np.array([[1.2, 1.5], [4.5, 4.5]]), obj_lock=np.full(2, -1, np.int8),
                    sees_agent=np.zeros((a, a), bool))
    frames = []
    for k in range(11):
        grab, lock = first.agent_grab.copy(), first.obj_lock.copy()
        sees, elevated = first.sees_agent.copy(), first.agent_elevated.copy()
        grab[0] = 0 if 2 <= k < 5 else -1
        lock[0] = 0 if 3 <= k < 7 else -1
        sees[-1, 0] = k in (2, 6, 9)          # frame 2 is in the preparation phase
        elevated[-1] = k == 7
        frames.append(replace(first, t=k, agent_grab=grab, obj_lock=lock, sees_agent=sees, agent_elevated=elevated))
    actions = np.zeros((10, a, 5), np.uint8)
    actions[2, -2, LOCK] = 1                   # the hider farthest from the box pressed lock
    counter = {"seeker_crossings": [0] * 8 + [1] * 3} if counters else None
    return fmt.Replay.from_episode(frames, actions, np.zeros((10, a)), agent_names(static),
                                   {"dt": 0.25}, counter)


def test_events_are_derived_from_the_recorded_arrays(tmp_path):
    fmt.save(scripted_replay(), tmp_path / "e.replay.npz")
    found = events(fmt.load(tmp_path / "e.replay.npz"))
    assert [(e.frame, e.kind, e.text) for e in found] == [
        (2, "grab", "h0 grabs box 0"), (3, "lock", "h0 locks box 0"), (4, "prep end", "preparation ends"),
        (5, "release", "h0 lets go of box 0"), (6, "sighting", "s0 first sees h0"),
        (7, "unlock", "h0 unlocks box 0"), (8, "crossing", "s0 crosses a wall on a ramp")]


def test_the_lock_goes_to_the_hider_that_pressed_lock_not_the_nearest():
    found = events(scripted_replay(hiders=2))
    assert [e.text for e in found if e.kind == "lock"] == ["h1 locks box 0"]
    assert lockers(found, 3, 2) == [1, -1] and lockers(found, 2, 2) == [-1, -1] and lockers(found, 7, 2) == [-1, -1]


def test_a_format_1_file_has_no_crossing_events_and_still_loads(tmp_path):
    old = scripted_replay(counters=False)
    fmt.save(replace(old, meta={**old.meta, "format_version": 1}), tmp_path / "old.replay.npz")
    found = events(fmt.load(tmp_path / "old.replay.npz"))
    assert "crossing" not in {e.kind for e in found} and len(found) == 6


def test_the_timeline_marks_each_event_at_its_frame():
    replay = scripted_replay()
    view = viewer.View(viewer.Layout(320))
    surface = pygame.Surface(view.layout.window)
    view.draw(surface, replay, ViewerState(position=10), "t")
    bar = view.layout.timeline
    middle = bar.y + bar.h // 2
    for event in events(replay):
        x = view.layout.timeline_x(event.frame, replay.num_frames)
        assert tuple(surface.get_at((x, middle)))[:3] == EVENT_COLOURS[event.kind], event
    quiet = view.layout.timeline_x(1, replay.num_frames)
    assert tuple(surface.get_at((quiet, middle)))[:3] == viewer.PREP_SPAN
    assert tuple(surface.get_at((view.layout.timeline_x(9, replay.num_frames), middle)))[:3] == viewer.TIMELINE


def test_bracket_keys_jump_to_the_next_and_previous_event():
    frames = [e.frame for e in events(scripted_replay())]
    press = lambda state, key: handle_key(state, key, 11, 1, frames)  # noqa: E731
    assert press(ViewerState(position=0, playing=True), pygame.K_RIGHTBRACKET) == ViewerState(position=2)
    assert press(ViewerState(position=5), pygame.K_RIGHTBRACKET).position == 6
    assert press(ViewerState(position=5), pygame.K_LEFTBRACKET).position == 4
    assert press(ViewerState(position=8), pygame.K_RIGHTBRACKET).position == 8
    assert press(ViewerState(position=2), pygame.K_LEFTBRACKET).position == 2


def test_the_panel_says_who_holds_and_who_locked_what():
    from replays.hud import hud_lines

    replay = scripted_replay(hiders=2)
    texts = [text for text, _ in hud_lines(replay, 3, events(replay))]
    assert "h0 holds box 0" in texts and "h1 locked box 0" in texts and "step 3: h1 locks box 0" in texts
    quiet = [text for text, _ in hud_lines(replay, 8, events(replay))]
    after = quiet[quiet.index("holds and locks") + 1:]
    assert after[0] == "nothing held or locked"
