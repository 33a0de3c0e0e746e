"""Plausible synthetic episodes for the render and replay tests (no physics involved)."""
from __future__ import annotations

import numpy as np

from arena.snapshot import BOX, HIDERS, LOW, RAMP, SEEKERS, TALL, Snapshot, Static


def make_static(hiders=2, seekers=2, boxes=2, ramps=1, horizon=24, margin=0.75) -> Static:
    size, m = 6.0, margin
    outer = [[-m, -m, size + m, -m], [size + m, -m, size + m, size + m],
             [size + m, size + m, -m, size + m], [-m, size + m, -m, -m]]
    walls = [w + [TALL] for w in outer] + [[3.0, 3.0, 6.0, 3.0, LOW], [3.0, 3.0, 3.0, 6.0, LOW]]
    return Static(
        size=size, margin=margin, walls=np.array(walls), wall_half_thickness=0.025,
        agent_team=np.array([HIDERS] * hiders + [SEEKERS] * seekers, dtype=np.int8), agent_radius=0.15,
        obj_kind=np.array([BOX] * boxes + [RAMP] * ramps, dtype=np.int8),
        obj_half=np.array([[0.25, 0.25]] * boxes + [[0.45, 0.25]] * ramps),
        horizon=horizon, prep_steps=int(0.4 * horizon), vision_half_angle=np.radians(67.5),
        lidar_range=6.0, lidar_angles=np.linspace(0, 2 * np.pi, 30, endpoint=False),
    )


def make_snapshot(static: Static, t: int, rng: np.random.Generator, previous: Snapshot | None = None) -> Snapshot:
    a, o, r = len(static.agent_team), len(static.obj_kind), len(static.lidar_angles)

    def walk(x, shape, step, lo=None, hi=None):
        x = rng.uniform(lo, hi, shape) if x is None else x + rng.normal(0, step, shape)
        return x if lo is None else np.clip(x, lo, hi)

    p = previous
    return Snapshot(
        static=static, t=t,
        agent_pos=walk(p and p.agent_pos, (a, 2), 0.1, 0.3, 5.7),
        agent_vel=rng.normal(0, 1, (a, 2)),
        agent_angle=walk(p and p.agent_angle, (a,), 0.5, -10.0, 10.0),
        agent_angvel=rng.normal(0, 2, a),
        agent_elevated=rng.random(a) < 0.2,
        agent_grab=np.where(rng.random(a) < 0.3, rng.integers(0, o, a), -1).astype(np.int16),
        obj_pos=walk(p and p.obj_pos, (o, 2), 0.05, 0.5, 5.5),
        obj_vel=rng.normal(0, 0.5, (o, 2)),
        obj_angle=walk(p and p.obj_angle, (o,), 0.1, -3.0, 3.0),
        obj_angvel=rng.normal(0, 0.5, o),
        obj_lock=rng.integers(-1, 2, o).astype(np.int8),
        sees_agent=rng.random((a, a)) < 0.3,
        sees_obj=rng.random((a, o)) < 0.3,
        lidar=walk(p and p.lidar, (a, r), 0.05, 0.0, static.lidar_range).astype(np.float32),
    )


def make_episode(static: Static | None = None, steps: int | None = None, seed: int = 0):
    """(snapshots, actions, rewards) of a random-walk episode of `steps` steps."""
    static = static or make_static()
    steps = static.horizon if steps is None else steps
    rng = np.random.default_rng(seed)
    snapshots = [make_snapshot(static, 0, rng)]
    for t in range(1, steps + 1):
        snapshots.append(make_snapshot(static, t, rng, snapshots[-1]))
    a = len(static.agent_team)
    actions = rng.integers(0, [11, 11, 11, 2, 2], (steps, a, 5))
    rewards = rng.choice([-1.0, 1.0], (steps, a))
    return snapshots, actions, rewards


def agent_names(static: Static) -> list[str]:
    teams = ["hider", "seeker"]
    counts = {0: 0, 1: 0}
    names = []
    for team in static.agent_team:
        names.append(f"{teams[team]}_{counts[int(team)]}")
        counts[int(team)] += 1
    return names


def test_synthetic_episode_follows_the_snapshot_contract():
    snapshots, actions, rewards = make_episode(steps=5)
    s = snapshots[-1]
    assert len(snapshots) == 6 and actions.shape == (5, 4, 5) and rewards.shape == (5, 4)
    assert s.sees_agent.shape == (4, 4) and s.sees_obj.shape == (4, 3) and s.lidar.shape == (4, 30)
    assert agent_names(s.static) == ["hider_0", "hider_1", "seeker_0", "seeker_1"]
