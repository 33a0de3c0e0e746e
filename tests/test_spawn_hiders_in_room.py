"""`spawn.hiders_in_room`, a curriculum helper: the quadrant spawns hiders anywhere (upstream's
uniform placement); with the option at p, a share p of the episodes starts them in the hiders' room."""
import numpy as np
import pytest

import arena
from arena import forts


def _share_in_room(episodes: int, **overrides) -> float:
    env = arena.parallel_env("hide_and_seek_quadrant", **overrides)
    inside = []
    for seed in range(episodes):
        env.reset(seed=seed)
        hiders = env.snapshot.agent_pos[env.snapshot.static.agent_team == 0]
        inside.append(forts.inside(hiders, env.world.layout.room).all())
    return float(np.mean(inside))


def test_the_faithful_quadrant_spawns_hiders_outside_the_room_in_most_episodes():
    # the room is a quarter of the floor: both hiders in it by chance about one episode in sixteen
    assert _share_in_room(200) < 0.2


@pytest.mark.parametrize("p", [1.0, 0.5])
def test_hiders_in_room_starts_that_share_of_the_episodes_with_every_hider_in_the_room(p):
    share = _share_in_room(200, spawn__hiders_in_room=p)
    assert share == 1.0 if p == 1.0 else 0.4 < share < 0.75

