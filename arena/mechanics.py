"""How actions act on the world: move, grab, team lock, out-of-bounds (ramp heights: world.py)."""
from __future__ import annotations

import difflib
from collections.abc import Mapping

import numpy as np
import pymunk
from numba import njit

from arena.geometry import point_rect_distance
from arena.snapshot import BOX, SEEKERS, Snapshot
from arena.world import World
from scenarios.errors import InputError
from scenarios.schema import Scenario

ACTION_NVEC = np.array([11, 11, 11, 2, 2], dtype=np.int64)
MOVE_CENTRE = (ACTION_NVEC[:3] - 1) / 2


def decode(actions: dict, names: list[str], known: list[str] | None = None) -> np.ndarray:
    """The (A, 5) integer action table of agents `names`, checked against MultiDiscrete([11, 11, 11, 2, 2]).
    Keys outside `known` (the env's possible agents) are an error, not silently dropped."""
    if not isinstance(actions, Mapping):
        raise InputError(f"actions must be a dict of agent name -> action, got {type(actions).__name__}")
    strangers = [a for a in actions if a not in (known if known is not None else names)]
    if strangers:
        close = difflib.get_close_matches(str(strangers[0]), known or names, n=1)
        raise InputError(f"actions for unknown agent {strangers[0]!r}"
                         + (f"; did you mean {close[0]!r}?" if close else f" (agents: {', '.join(names)})"))
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


@njit(cache=True)
def _motor(actions, centre, max_force, max_torque, frozen, out):
    for i in range(actions.shape[0]):
        for c in range(3):
            limit = max_torque if c == 2 else max_force
            out[i, c] = 0.0 if frozen[i] else (actions[i, c] - centre[c]) * (limit / centre[c])


def motor(actions: np.ndarray, scenario: Scenario, frozen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World-frame forces (A, 2) and torques (A,); frozen agents get none."""
    scaled = np.empty((len(actions), 3))
    _motor(actions, MOVE_CENTRE, scenario.agents.max_force, scenario.agents.max_torque, frozen, scaled)
    return scaled[:, :2], scaled[:, 2]


def frozen_agents(snap: Snapshot) -> np.ndarray:
    """Seekers do nothing in the preparation phase."""
    return (snap.static.agent_team == SEEKERS) & snap.prep


@njit(cache=True)
def _gaps(agent_pos, obj_pos, obj_angle, obj_half, sees_obj, reach, blocked, out):
    """Distance from each agent's centre to each object it sees, as upstream measures its
    lock_grab_radius (body centre to cuboid); inf when out of reach, unseen or `blocked`."""
    for i in range(agent_pos.shape[0]):
        for k in range(obj_pos.shape[0]):
            out[i, k] = np.inf
            if blocked[k] or not sees_obj[i, k]:
                continue
            gap = point_rect_distance(agent_pos[i, 0], agent_pos[i, 1], obj_pos, obj_angle, obj_half, k)
            if gap <= reach:
                out[i, k] = gap


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


@njit(cache=True)
def _decide(agent_pos, obj_pos, obj_angle, obj_half, sees_obj, team, grab, want_grab, may_grab, want_lock,
            lock, lock_frozen, grab_range, lock_range, any_team_unlocks, hold, owners):
    """This step's grab and lock outcome: `hold[i]` the object agent i newly grabs (-1 none, -2 it
    lets go), `owners` the lock owner of every object; returns whether anything changes."""
    n_agents, n_objects = agent_pos.shape[0], obj_pos.shape[0]
    gaps = np.empty((n_agents, n_objects))
    measured = changes = False
    for i in range(n_agents):
        hold[i] = -1
        if grab[i] >= 0 and not want_grab[i]:
            hold[i] = -2
            changes = True
        elif want_grab[i] and grab[i] < 0 and may_grab[i]:
            if not measured:
                _gaps(agent_pos, obj_pos, obj_angle, obj_half, sees_obj, grab_range, lock >= 0, gaps)
                measured = True
            for k in range(n_objects):
                if gaps[i, k] < np.inf and (hold[i] < 0 or gaps[i, k] < gaps[i, hold[i]]):
                    hold[i] = k
            changes |= hold[i] >= 0
    owners[:] = lock
    if (lock >= 0).any() or want_lock.any():
        _gaps(agent_pos, obj_pos, obj_angle, obj_half, sees_obj, lock_range, lock_frozen, gaps)
        _vote_locks(gaps, want_lock, team, lock, any_team_unlocks, owners)
        changes |= (owners != lock).any()
    return changes


def release(world: World, i: int) -> None:
    if world.joints[i]:
        world.space.remove(*world.joints[i])
    world.joints[i] = ()
    world.grab[i] = -1


def interact(world: World, snap: Snapshot, want_grab: np.ndarray, want_lock: np.ndarray, scenario: Scenario) -> None:
    """Grab: hold the closest visible unlocked object in reach rigidly while grab is 1.
    Lock, as upstream's level-triggered rule: an agent that sees an object in reach votes lock (1)
    or unlock (0) on it every step. An unlocked object locks for the team of the closest agent
    voting lock unless a team-mate of it in reach votes unlock; a locked one unlocks once an agent
    of its team in reach votes unlock (`all_lock`: of any team). Out of reach, an object keeps its
    state. Locking an object makes its holders let go."""
    st = snap.static
    may_grab = np.ones(len(want_grab), bool) if scenario.rules.box_surfing else ~world.elevated
    frozen = world.lock_frozen
    if scenario.rules.lock_order == "box_index":
        frozen = frozen | out_of_order(world.lock, st.obj_kind)
    hold = np.empty(len(want_grab), np.int64)
    owners = np.empty_like(world.lock)
    if not _decide(snap.agent_pos, snap.obj_pos, snap.obj_angle, st.obj_half, snap.sees_obj,
                   st.agent_team, world.grab, want_grab, may_grab, want_lock, world.lock, frozen,
                   scenario.agents.grab_range, scenario.agents.lock_range, scenario.rules.lock_rule == "all_lock",
                   hold, owners):
        return
    hold = hold.tolist()
    for i, k in enumerate(hold):  # every release before any grab: the solver's constraint order
        if k == -2:
            release(world, i)
    for i, k in enumerate(hold):
        if k >= 0:
            _hold(world, i, k)
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


def outside(points: np.ndarray, size: float) -> np.ndarray:
    """Which points are off the play area [0, size]^2."""
    return (points.min(axis=1) < 0.0) | (points.max(axis=1) > size)
