"""Nothing spawns inside shelter_construction's cylinder, whose TALL walls would shut it in; placement
starts again rather than fail when early entities leave no room for later ones."""
import numpy as np
import pytest

import arena


@pytest.mark.parametrize("radius", [0.5, 1.0])
def test_nothing_spawns_inside_the_cylinder(radius):
    env = arena.parallel_env("shelter_construction", layout__cylinder__radius=radius)
    for seed in range(150):
        env.reset(seed=seed)
        snap = env.snapshot
        centre = snap.static.cylinders[0, :2]
        for pos in (snap.agent_pos, snap.obj_pos):
            assert (np.linalg.norm(pos - centre, axis=1) > radius).all(), seed


def test_placement_starts_again_when_the_first_entities_leave_no_room_for_the_next(monkeypatch):
    """Two 0.6 m discs fit in a 2.3 m square only near opposite corners: placed one after the other,
    the first usually lands where the second cannot go."""
    from arena import spawn
    from arena.layouts import Layout

    layout = Layout(walls=np.zeros((0, 5)), room=None, rooms=((0.0, 0.0, 2.3, 2.3),), doors=np.zeros((0, 4)))

    def failures():
        count = 0
        for seed in range(40):
            try:
                xy = spawn.place(np.random.default_rng(seed), layout, 2.3, 0.0, [0.6, 0.6], ["anywhere"] * 2)
                assert np.linalg.norm(xy[0] - xy[1]) >= 1.2
            except RuntimeError:
                count += 1
        return count

    assert failures() == 0
    monkeypatch.setattr(spawn, "RESTARTS", 1)
    assert failures() > 10  # without starting again most draws fail
