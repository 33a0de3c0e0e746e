"""How actions act on the world: move, grab, team lock, ramp elevation, out-of-bounds."""
from __future__ import annotations

import numpy as np
import pymunk
from numba import njit

from arena.geometry import point_rect_distance, rect_distance, segment_distance
from arena.snapshot import BOX, LOW, RAMP, SEEKERS, Snapshot
from arena.world import World
from scenarios.errors import InputError
from scenarios.schema import Scenario

ACTION_NVEC = np.array([11, 11, 11, 2, 2], dtype=np.int64)
MOVE_CENTRE = (ACTION_NVEC[:3] - 1) / 2


def decode(actions: dict, names: list[str]) -> np.ndarray:
    """The (A, 5) integer action table of agents `names`, checked against MultiDiscrete([11, 11, 11, 2, 2])."""
    missing = [a for a in names if a not in actions]
    if missing:
        raise InputError(f"actions missing for {', '.join(missing)}")
    try:
        table = np.asarray([actions[a] for a in names])
    except ValueError:
        table = np.empty(0)
    if table.shape != (len(names), 5) or table.dtype.kind not in "iu":
        for a in names:
            one = np.asarray(actions[a])
            if one.shape != (5,) or one.dtype.kind not in "iu":
                raise InputError(f"action of {a}: expected 5 whole numbers for "
                                 f"MultiDiscrete([11, 11, 11, 2, 2]), got {actions[a]!r}")
    out = (table < 0) | (table >= ACTION_NVEC)
    if out.any():
        i, k = np.argwhere(out)[0]
        raise InputError(f"action of {names[i]}: component {k} is {table[i, k]}, "
                         f"must be in [0, {ACTION_NVEC[k] - 1}] (MultiDiscrete([11, 11, 11, 2, 2]))")
    return table


def motor(actions: np.ndarray, scenario: Scenario, frozen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World-frame forces (A, 2) and torques (A,); frozen agents get none."""
    limits = np.array([scenario.agents.max_force, scenario.agents.max_force, scenario.agents.max_torque])
    scaled = (actions[:, :3] - MOVE_CENTRE) * (limits / MOVE_CENTRE)
    scaled[frozen] = 0.0
    return scaled[:, :2], scaled[:, 2]


def frozen_agents(snap: Snapshot) -> np.ndarray:
    """Seekers do nothing in the preparation phase."""
    return (snap.static.agent_team == SEEKERS) & snap.prep


@njit(cache=True)
def _gaps(agent_pos, radius, obj_pos, obj_angle, obj_half, sees_obj, reach, blocked, out):
    for i in range(agent_pos.shape[0]):
        for k in range(obj_pos.shape[0]):
            out[i, k] = np.inf
            if blocked[k] or not sees_obj[i, k]:
                continue
            gap = point_rect_distance(agent_pos[i, 0], agent_pos[i, 1], obj_pos, obj_angle, obj_half, k) - radius
            if gap <= reach:
                out[i, k] = gap


def gaps_in_reach(snap: Snapshot, reach: float, blocked: np.ndarray) -> np.ndarray:
    """(A, O): each agent's gap to each object it sees within `reach` of its surface, inf elsewhere."""
    out = np.empty((len(snap.agent_pos), len(snap.obj_pos)))
    _gaps(snap.agent_pos, snap.static.agent_radius, snap.obj_pos, snap.obj_angle, snap.static.obj_half,
          snap.sees_obj, reach, blocked, out)
    return out


@njit(cache=True)
def _vote_locks(gaps, want, team, lock, any_team_unlocks, out):
    for k in range(gaps.shape[1]):
        out[k] = lock[k]
        closest = -1
        for i in range(gaps.shape[0]):
            if want[i] and gaps[i, k] < np.inf and (closest < 0 or gaps[i, k] < gaps[closest, k]):
                closest = i
        owner = lock[k] if lock[k] >= 0 else (team[closest] if closest >= 0 else -1)
        if owner < 0:
            continue
        vetoed = False
        for i in range(gaps.shape[0]):
            if not want[i] and gaps[i, k] < np.inf and (any_team_unlocks or team[i] == owner):
                vetoed = True
        out[k] = -1 if vetoed else owner


def vote_locks(gaps: np.ndarray, want: np.ndarray, team: np.ndarray, lock: np.ndarray, rule: str) -> np.ndarray:
    """The lock owner of each object after this step's lock actions, as upstream's level-triggered
    rule: an agent in reach votes lock (1) or unlock (0) every step. An unlocked object locks for
    the team of the closest agent voting lock unless a team-mate of it in reach votes unlock; a
    locked one unlocks once an agent of its team in reach votes unlock (`all_lock`: of any team).
    Out of reach, an object keeps its state."""
    out = np.empty_like(lock)
    _vote_locks(gaps, want, team, lock, rule == "all_lock", out)
    return out


def release(world: World, i: int) -> None:
    if world.joints[i]:
        world.space.remove(*world.joints[i])
    world.joints[i] = ()
    world.grab[i] = -1


def interact(world: World, snap: Snapshot, want_grab: np.ndarray, want_lock: np.ndarray, scenario: Scenario) -> None:
    """Grab: hold the closest visible unlocked object in reach rigidly while grab is 1.
    Lock: every object an agent sees in reach gets its lock vote (see `vote_locks`)."""
    for i, (held, keep) in enumerate(zip(world.grab.tolist(), want_grab.tolist())):
        if held >= 0 and not keep:
            release(world, i)
    ask = want_grab & (world.grab < 0)
    if not scenario.rules.box_surfing:
        ask &= ~world.elevated
    if ask.any():
        gaps = gaps_in_reach(snap, scenario.agents.grab_range, world.lock >= 0)
        closest = np.where(np.isfinite(gaps).any(axis=1) & ask, gaps.argmin(axis=1), -1)
        for i, k in enumerate(closest.tolist()):
            if k >= 0:
                _hold(world, i, k)
    if want_lock.any() or (world.lock >= 0).any():
        frozen = (snap.static.obj_kind == RAMP) & (not scenario.ramps.lockable)
        if scenario.rules.lock_order == "box_index":
            frozen |= out_of_order(world.lock, snap.static.obj_kind)
        gaps = gaps_in_reach(snap, scenario.agents.lock_range, frozen)
        owners = vote_locks(gaps, want_lock, snap.static.agent_team, world.lock, scenario.rules.lock_rule)
        for k in np.flatnonzero(owners != world.lock).tolist():
            if owners[k] >= 0:
                for holder in np.flatnonzero(world.grab == k):
                    release(world, int(holder))
            world.set_locked(k, int(owners[k]))


def out_of_order(lock: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Boxes the box_index order forbids touching: all but the first unlocked box (to lock next)
    and the last locked one (to unlock), so the locked boxes are always boxes 0..n-1."""
    boxes = np.flatnonzero(kind == BOX)
    locked = lock[boxes] >= 0
    done = int(np.argmin(locked)) if not locked.all() else len(boxes)
    blocked = kind == BOX
    blocked[boxes[max(done - 1, 0):done + 1]] = False
    return blocked


def _hold(world: World, i: int, k: int) -> None:
    agent, obj = world.agent_bodies[i], world.obj_bodies[k]
    pivot = pymunk.PivotJoint(agent, obj, agent.position)
    gear = pymunk.GearJoint(agent, obj, obj.angle - agent.angle, 1.0)
    pivot.collide_bodies = gear.collide_bodies = False
    world.space.add(pivot, gear)
    world.joints[i] = (pivot, gear)
    world.grab[i] = k


def settle_elevation(world: World, snap: Snapshot) -> bool:
    """An elevated agent comes down once nothing holds it up: no ramp, box or LOW wall top is
    under it (an agent radius of slack, so it lands clear of what it leaves). True if one did."""
    up = np.flatnonzero(world.elevated)
    if not len(up):
        return False
    st = snap.static
    pos = snap.agent_pos[up]
    on_object = (rect_distance(pos, snap.obj_pos, snap.obj_angle, st.obj_half) <= st.agent_radius).any(axis=1)
    low = st.walls[st.walls[:, 4] == LOW]
    on_wall = np.zeros(len(up), dtype=bool)
    if len(low):
        on_wall = (segment_distance(pos, low) <= st.wall_half_thickness + st.agent_radius).any(axis=1)
    landing = up[~(on_object | on_wall)]
    for i in landing:
        world.set_elevated(int(i), False)
    return len(landing) > 0


def outside(points: np.ndarray, size: float) -> np.ndarray:
    """Which points are off the play area [0, size]^2."""
    return (points.min(axis=1) < 0.0) | (points.max(axis=1) > size)
