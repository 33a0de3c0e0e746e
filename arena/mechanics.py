"""How actions act on the world: move, grab, team lock, ramp elevation, out-of-bounds."""
from __future__ import annotations

import numpy as np
import pymunk

from arena.geometry import rect_distance, segment_distance
from arena.snapshot import LOW, SEEKERS, Snapshot
from arena.world import World
from scenarios.errors import InputError
from scenarios.schema import Scenario

ACTION_NVEC = np.array([11, 11, 11, 2, 2], dtype=np.int64)
MOVE_CENTRE = (ACTION_NVEC[:3] - 1) / 2


def decode(actions: np.ndarray, names: list[str]) -> np.ndarray:
    """Check an (A, 5) integer action table against MultiDiscrete([11, 11, 11, 2, 2])."""
    actions = np.asarray(actions)
    if actions.shape != (len(names), 5) or actions.dtype.kind not in "iu":
        raise InputError(f"actions must be 5 whole numbers per agent, got shape {actions.shape} "
                         f"and dtype {actions.dtype}")
    if actions.min() < 0 or (actions >= ACTION_NVEC).any():
        out = (actions < 0) | (actions >= ACTION_NVEC)
        i, k = np.argwhere(out)[0]
        raise InputError(f"action of {names[i]}: component {k} is {actions[i, k]}, "
                         f"must be in [0, {ACTION_NVEC[k] - 1}] (MultiDiscrete([11, 11, 11, 2, 2]))")
    return actions


def motor(actions: np.ndarray, scenario: Scenario, frozen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World-frame forces (A, 2) and torques (A,); frozen agents get none."""
    limits = np.array([scenario.agents.max_force, scenario.agents.max_force, scenario.agents.max_torque])
    scaled = (actions[:, :3] - MOVE_CENTRE) * (limits / MOVE_CENTRE)
    scaled[frozen] = 0.0
    return scaled[:, :2], scaled[:, 2]


def frozen_agents(snap: Snapshot) -> np.ndarray:
    """Seekers do nothing in the preparation phase."""
    return (snap.static.agent_team == SEEKERS) & snap.prep


def visible_gap(snap: Snapshot) -> np.ndarray:
    """(A, O) distance from each agent's surface to each object it sees, inf for those it does not."""
    gap = rect_distance(snap.agent_pos, snap.obj_pos, snap.obj_angle, snap.static.obj_half)
    gap -= snap.static.agent_radius
    gap[~snap.sees_obj] = np.inf
    return gap


def release(world: World, i: int) -> None:
    if world.joints[i]:
        world.space.remove(*world.joints[i])
    world.joints[i] = ()
    world.grab[i] = -1


def grab(world: World, snap: Snapshot, want: np.ndarray, gap: np.ndarray, scenario: Scenario) -> None:
    """Hold the closest visible unlocked object in reach rigidly while grab is 1."""
    for i in np.flatnonzero((world.grab >= 0) & ~want):
        release(world, int(i))
    candidates = np.flatnonzero(want & (world.grab < 0))
    if not len(candidates):
        return
    gap = np.where(gap <= scenario.agents.grab_range, gap, np.inf)
    gap[:, world.lock >= 0] = np.inf
    if not scenario.rules.box_surfing:
        gap[world.elevated] = np.inf
    for i in candidates:
        k = int(np.argmin(gap[i]))
        if not np.isfinite(gap[i, k]):
            continue
        agent, obj = world.agent_bodies[i], world.obj_bodies[k]
        pivot = pymunk.PivotJoint(agent, obj, agent.position)
        gear = pymunk.GearJoint(agent, obj, obj.angle - agent.angle, 1.0)
        pivot.collide_bodies = gear.collide_bodies = False
        world.space.add(pivot, gear)
        world.joints[i] = (pivot, gear)
        world.grab[i] = k


def lock(world: World, snap: Snapshot, want: np.ndarray, gap: np.ndarray, scenario: Scenario) -> None:
    """Lock the closest visible object in reach for the team, or unlock one the rule allows."""
    agents = np.flatnonzero(want)
    if not len(agents):
        return
    gap = np.where(gap <= scenario.agents.lock_range, gap, np.inf)
    if not scenario.ramps.lockable:
        gap[:, snap.static.obj_kind == 1] = np.inf
    toggled = set()
    for i in agents:
        k = int(np.argmin(gap[i]))
        if not np.isfinite(gap[i, k]) or k in toggled:
            continue
        team = int(snap.static.agent_team[i])
        if world.lock[k] < 0:
            for holder in np.flatnonzero(world.grab == k):
                release(world, int(holder))
            world.set_locked(k, team)
        elif world.lock[k] == team or scenario.rules.lock_rule == "all_lock":
            world.set_locked(k, -1)
        else:
            continue
        toggled.add(k)


def settle_elevation(world: World, snap: Snapshot) -> None:
    """An elevated agent comes down once nothing holds it up: no ramp, box or LOW wall top is
    under it (an agent radius of slack, so it lands clear of what it leaves)."""
    up = np.flatnonzero(world.elevated)
    if not len(up):
        return
    st = snap.static
    pos = snap.agent_pos[up]
    on_object = (rect_distance(pos, snap.obj_pos, snap.obj_angle, st.obj_half) <= st.agent_radius).any(axis=1)
    low = st.walls[st.walls[:, 4] == LOW]
    on_wall = np.zeros(len(up), dtype=bool)
    if len(low):
        on_wall = (segment_distance(pos, low) <= st.wall_half_thickness + st.agent_radius).any(axis=1)
    for i in up[~(on_object | on_wall)]:
        world.set_elevated(int(i), False)


def outside(points: np.ndarray, size: float) -> np.ndarray:
    """Which points are off the play area [0, size]^2."""
    return (points.min(axis=1) < 0.0) | (points.max(axis=1) > size)
