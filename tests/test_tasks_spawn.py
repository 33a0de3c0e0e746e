"""Nothing spawns inside shelter_construction's cylinder, whose TALL walls would shut it in."""
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
