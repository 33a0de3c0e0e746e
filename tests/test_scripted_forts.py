"""The quadrant game's scripted policy: hand-written hiders carry boxes to the doors and lock them."""
import numpy as np
import pytest

import arena
from arena.scripted import FortBuilders, play


def test_scripted_hiders_build_forts_that_hide_them_in_most_episodes():
    env = arena.parallel_env("hide_and_seek_quadrant")
    runs = [play(env, seed) for seed in range(30)]
    forts = [stats for _, stats in runs if stats["fort_prep"]]
    assert len(forts) >= 20
    assert {len(team.doors) for team, _ in runs} == {1, 2}             # rooms with one door and with two
    assert all(stats["max_box_move_prep"] > 0.1 for stats in forts)      # carried there, not found there
    # the idle seekers outside see no one through a fort
    assert np.mean([stats["hidden_fraction"] for stats in forts]) > 0.9


def test_scripted_hiders_need_a_hiders_room():
    env = arena.parallel_env("shelter_construction")   # an open floor
    env.reset(seed=0)
    with pytest.raises(ValueError, match="hiders' room"):
        FortBuilders(env)
