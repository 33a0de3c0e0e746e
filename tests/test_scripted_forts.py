"""The quadrant game's scripted policy: hand-written hiders carry boxes to the doors and lock them."""
import numpy as np
import pytest

import arena
import scenarios
from arena.scripted import FortBuilders, play


@pytest.fixture(scope="module")
def runs():
    """30 scripted episodes of the default scenario with the hiders starting in their room (the
    script walks straight lines inside the room; it does not find the door from outside)."""
    env = arena.parallel_env("hide_and_seek_quadrant", spawn__hiders="room")
    return [play(env, seed) for seed in range(30)]


def test_scripted_hiders_build_forts_that_hide_them_in_most_episodes(runs):
    forts = [stats for _, stats in runs if stats["fort_prep"]]
    assert len(forts) >= 20
    assert {len(team.doors) for team, _ in runs} == {1, 2}             # rooms with one door and with two
    assert all(stats["max_box_move_prep"] > 0.1 for stats in forts)      # carried there, not found there
    # the idle seekers outside see no one through most forts (at upstream's 0.25 m reach a carrier
    # stands by its box's corner, where a seeker may see it past the box's edge: 3 of 28 forts)
    assert np.mean([stats["hidden_fraction"] for stats in forts]) > 0.85


def test_carriers_report_when_their_box_shut_the_door_and_far_boxes_take_longer(runs):
    prep = scenarios.load("hide_and_seek_quadrant").prep_steps
    for team, stats in runs:
        if stats["fort_prep"]:   # every door shut by the end of the preparation phase: each carrier got there
            assert all(c.done_at is not None and c.done_at < prep for c in team.carriers)
    carries = np.array([(c.distance, c.done_at) for team, _ in runs for c in team.carriers if c.done_at is not None])
    near, far = carries[carries[:, 0] < 1.0, 1], carries[carries[:, 0] > 1.5, 1]
    assert len(near) >= 5 and len(far) >= 5
    assert np.median(far) > np.median(near) + 5


def test_scripted_hiders_need_a_hiders_room():
    env = arena.parallel_env("shelter_construction")   # an open floor
    env.reset(seed=0)
    with pytest.raises(ValueError, match="hiders' room"):
        FortBuilders(env)
