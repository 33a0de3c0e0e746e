"""What each agent observes and the omniscient state for centralised critics: pure functions of a
`Snapshot`. Entity rows of things an agent cannot see are zero and masked, as upstream."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from gymnasium import spaces
from numba import njit

from arena import forts
from arena.layouts import Layout
from arena.snapshot import BOX, HIDERS, RAMP, SEEKERS, Snapshot
from scenarios.schema import Scenario

SELF_DIM, AGENT_DIM, OBJ_DIM, DOOR_DIM = 12, 8, 12, 5
STATE_AGENT_DIM, STATE_OBJ_DIM, STATE_DOOR_DIM = 10, 11, 6
HOLDER_DIM = 2   # `sensors.held_by_others`: two more columns in every object row


@dataclass(frozen=True)
class Slots:
    """Fixed observation sizes of a scenario: the most agents, boxes and ramps it can have."""
    agents: int
    boxes: int
    ramps: int
    rays: int
    state_lidar: bool = False
    doors: int = 0
    state_vision: bool = False
    team_size: int = 0
    objects_always_seen: bool = False
    state_forts: bool = False
    clock: bool = True
    doors_from_rank: bool = False
    held_by_others: bool = False
    boxes_from_rank: bool = False

    @property
    def obj_dim(self) -> int:
        return OBJ_DIM + HOLDER_DIM * self.held_by_others

    @property
    def state_obj_dim(self) -> int:
        return STATE_OBJ_DIM + HOLDER_DIM * self.held_by_others

    @property
    def state_rays(self) -> int:
        return self.rays if self.state_lidar else 0

    @classmethod
    def of(cls, sc: Scenario) -> Slots:
        """At least one slot of each entity (gymnasium spaces cannot be empty); unused slots stay masked."""
        return cls(max(sc.agents.hiders.max + sc.agents.seekers.max, 2), max(sc.boxes.count.max, 1),
                   max(sc.ramps.count.max, 1), sc.sensors.lidar_rays, sc.sensors.state_lidar, sc.sensors.doors,
                   sc.sensors.state_vision,
                   max(sc.agents.hiders.max, sc.agents.seekers.max) if sc.sensors.agent_index else 0,
                   sc.sensors.objects_always_seen, sc.sensors.state_forts, sc.sensors.clock,
                   sc.sensors.doors_from_rank, sc.sensors.held_by_others, sc.sensors.boxes_from_rank)


def _box(shape) -> spaces.Box:
    return spaces.Box(-np.inf, np.inf, shape=shape, dtype=np.float32)


def observation_space(slots: Slots, task_keys: dict[str, spaces.Space] | None = None) -> spaces.Dict:
    """The upstream entries, plus any a task adds (`task_keys`)."""
    others = max(slots.agents - 1, 0)
    return spaces.Dict({
        "observation_self": _box((SELF_DIM,)),
        "agent_qpos_qvel": _box((others, AGENT_DIM)),
        "mask_aa_obs": spaces.MultiBinary(others),
        "box_obs": _box((slots.boxes, slots.obj_dim)),
        "mask_ab_obs": spaces.MultiBinary(slots.boxes),
        "ramp_obs": _box((slots.ramps, slots.obj_dim)),
        "mask_ar_obs": spaces.MultiBinary(slots.ramps),
        "lidar": _box((slots.rays,)),
        **({"door_obs": _box((slots.doors, DOOR_DIM)), "mask_ad_obs": spaces.MultiBinary(slots.doors)}
           if slots.doors else {}),
        **({"agent_index": spaces.MultiBinary(slots.team_size)} if slots.team_size else {}),
        **(task_keys or {}),
    })


def flat_columns(space: spaces.Dict) -> dict[str, tuple[slice, tuple[int, ...]]]:
    """Where each entry of a Dict observation lies in its gymnasium flattening: {key: (columns, shape)}."""
    columns, start = {}, 0
    for key, sub in space.spaces.items():
        width = spaces.flatdim(sub)
        columns[key] = (slice(start, start + width), tuple(sub.shape))
        start += width
    return columns


def state_space(slots: Slots, task_keys: dict[str, spaces.Space] | None = None) -> spaces.Box:
    """The omniscient state: every agent and object slot, the episode's progress, then the task's
    observation entries (`task_keys`) of every agent slot, then (`sensors.state_lidar`) the lidar of
    every agent slot, flattened (zeros for absent agents), then (`sensors.doors`) the door slots, then
    (`sensors.state_vision`) whether the agent in each slot sees the agent in each slot, then
    (`sensors.state_forts`) `fort_entries`."""
    extras = sum(spaces.flatdim(space) for space in (task_keys or {}).values())
    per_agent = STATE_AGENT_DIM + extras + slots.state_rays
    objects = (slots.boxes + slots.ramps) * slots.state_obj_dim
    vision = slots.agents**2 if slots.state_vision else 0
    return _box((slots.agents * per_agent + objects + 2 + slots.doors * STATE_DOOR_DIM + vision
                 + fort_entries(slots),))


def fort_entries(slots: Slots) -> int:
    """What `sensors.state_forts` adds to the state: per door slot the share of its gap blocked by the
    hiders' locked boxes and by any box (`forts.door_cover`), then the share of the hiders inside
    their room."""
    return slots.doors * 2 + 1 if slots.state_forts else 0


def _holds(grab: np.ndarray, n_objects: int) -> np.ndarray:
    """(A, objects) whether each agent holds each object (`grab`: the object each agent holds, -1 for none)."""
    return grab[:, None] == np.arange(n_objects)


def _held_by_others(grab: np.ndarray, team: np.ndarray, n_objects: int) -> np.ndarray:
    """(A, objects, 2) whether another agent of each agent's team, and whether an agent of the other
    team, holds each object."""
    holds = _holds(grab, n_objects).astype(np.float32)
    same = team[:, None] == team[None, :]
    teammates = (same & ~np.eye(len(team), dtype=bool)).astype(np.float32)
    return np.stack([teammates @ holds, (~same).astype(np.float32) @ holds], -1) > 0


def _scaled_lidar(snap: Snapshot) -> np.ndarray:
    """(A, rays) lidar distances as the agents observe them: a share of the lidar range."""
    return snap.lidar * np.float32(1.0 / snap.static.lidar_range)


def _own_first(layout: Layout, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to `count` of the layout's doors, those of the hiders' room first: their indices, and
    whether each leads into that room."""
    own = forts.of_room(layout, layout.room)
    order = np.argsort(~own, kind="stable")[:count]
    return order, own[order]


def door_gaps(layout: Layout, count: int) -> np.ndarray:
    """(doors, 4) end points of the doors `door_table` describes, in its order."""
    return layout.doors[_own_first(layout, count)[0]].reshape(-1, 4)


def door_table(layout: Layout, count: int) -> np.ndarray:
    """(doors, 5) rows of up to `count` doors, those of the hiders' room first: centre x, y, the unit
    vector along the gap, and whether it leads into the hiders' room."""
    order, own = _own_first(layout, count)
    gaps = layout.doors[order]
    along = gaps[:, 2:] - gaps[:, :2]
    along /= np.linalg.norm(along, axis=1, keepdims=True)
    return np.column_stack([(gaps[:, :2] + gaps[:, 2:]) / 2, along, own]).astype(np.float32)


def team_rank(team: np.ndarray) -> np.ndarray:
    """(A,) each agent's rank among its own team's agents."""
    return np.array([(team[:i] == t).sum() for i, t in enumerate(team)], dtype=np.int64)


def team_index(team: np.ndarray, size: int) -> np.ndarray:
    """(A, size) int8 one-hot rows: each agent's rank among its own team's agents."""
    return np.eye(size, dtype=np.int8)[team_rank(team)]


def turned_by_rank(count: int, team: np.ndarray) -> np.ndarray:
    """(A, count) the indices 0..count-1 turned so that the agent of rank r in its team starts from r
    (modulo count)."""
    return (np.arange(count) + team_rank(team)[:, None]) % max(count, 1)


def doors_from_rank(doors: np.ndarray, team: np.ndarray) -> np.ndarray:
    """(A, doors, 5) each agent's rows of a `door_table`, the hiders' room's doors turned so that the
    agent of rank r in its team finds door r (modulo their number) first."""
    own = int(doors[:, 4].sum())
    order = np.tile(np.arange(len(doors)), (len(team), 1))
    order[:, :own] = turned_by_rank(own, team)
    return doors[order]


class Observer:
    """Builds observations for one episode; `agent_slot[i]` is agent i's index in possible_agents;
    `doors`: the episode's `door_table` (needed when the slots have doors); `team`: each agent's team
    (needed when the slots have a team size, doors or boxes from rank, or fort entries, which also need the
    `door_gaps` and the hiders' `room`)."""

    def __init__(self, slots: Slots, agent_slot: np.ndarray, n_boxes: int, doors: np.ndarray | None = None,
                 team: np.ndarray | None = None, gaps: np.ndarray | None = None,
                 room: tuple[float, float, float, float] | None = None):
        self.slots = slots
        self.team, self.room = team, room
        self.gap_points = None if gaps is None else forts.gap_points(gaps)
        self.index = team_index(team, slots.team_size) if slots.team_size else None
        self.doors = np.zeros((0, DOOR_DIM), np.float32) if doors is None else doors
        n = len(agent_slot)
        self.seen_doors = (doors_from_rank(self.doors, team) if slots.doors_from_rank
                           else np.broadcast_to(self.doors, (n, *self.doors.shape)))
        self.agent_slot = agent_slot
        self.n_boxes = n_boxes
        # `sensors.boxes_from_rank`: (rows, boxes) picking each agent's box slots in its turned order
        self.box_order = ((np.arange(n)[:, None], turned_by_rank(n_boxes, team)) if slots.boxes_from_rank
                          else None)
        self._flat: tuple[np.ndarray, dict[str, np.ndarray]] | None = None   # observe_flat's buffer and views
        # Row i lists, in slot order, the other agents of this episode and the slot each one fills.
        others = [[j for j in range(n) if j != i] for i in range(n)]
        self.other_index = np.array(others, dtype=np.int64).reshape(n, max(n - 1, 0))
        self.other_slot = np.array([[agent_slot[j] - (agent_slot[j] > agent_slot[i]) for j in row]
                                    for i, row in enumerate(others)], dtype=np.int64).reshape(n, max(n - 1, 0))

    def observe(self, snap: Snapshot) -> list[dict[str, np.ndarray]]:
        """Observation dict of every agent of the episode, in agent order."""
        slots, n = self.slots, len(snap.agent_pos)
        parts = {"observation_self": np.empty((n, SELF_DIM), np.float32),
                 "agent_qpos_qvel": np.zeros((n, slots.agents - 1, AGENT_DIM), np.float32),
                 "mask_aa_obs": np.zeros((n, slots.agents - 1), np.int8),
                 "box_obs": np.zeros((n, slots.boxes, slots.obj_dim), np.float32),
                 "mask_ab_obs": np.zeros((n, slots.boxes), np.int8),
                 "ramp_obs": np.zeros((n, slots.ramps, slots.obj_dim), np.float32),
                 "mask_ar_obs": np.zeros((n, slots.ramps), np.int8),
                 "lidar": np.empty((n, slots.rays), np.float32)}
        if slots.doors:
            parts["door_obs"] = np.zeros((n, slots.doors, DOOR_DIM), np.float32)
            parts["mask_ad_obs"] = np.zeros((n, slots.doors), np.int8)
        if slots.team_size:
            parts["agent_index"] = np.zeros((n, slots.team_size), np.int8)
        self._fill_parts(snap, parts)
        return [{k: v[i] for k, v in parts.items()} for i in range(n)]

    def observe_flat(self, snap: Snapshot, columns: dict[str, tuple[slice, tuple[int, ...]]]) -> np.ndarray:
        """(A, width) float32: every agent's observation as gymnasium flattens the Dict space
        (`columns`: `flat_columns` of that space, the same for the whole episode). Entries the observer
        does not make (a task's) are left zero for the caller."""
        if self._flat is None:
            n, width = len(snap.agent_pos), max(cols.stop for cols, _ in columns.values())
            buffer = np.zeros((n, width), np.float32)
            self._flat = buffer, {k: buffer[:, cols].reshape(n, *shape) for k, (cols, shape) in columns.items()}
        buffer, parts = self._flat
        buffer[:] = 0
        self._fill_parts(snap, parts)
        return buffer.copy()

    def _fill_parts(self, snap: Snapshot, parts: dict[str, np.ndarray]):
        """Write the upstream entries (and doors) into `parts`, zeroed (A, ...) arrays, one per key."""
        st = snap.static
        sees_obj = np.ones_like(snap.sees_obj) if self.slots.objects_always_seen else snap.sees_obj
        progress, prep = (snap.t / st.horizon, float(snap.prep)) if self.slots.clock else (0.0, 0.0)
        _fill(snap.agent_pos, snap.agent_vel, snap.agent_angle, snap.agent_angvel, snap.agent_elevated,
              st.agent_team, snap.agent_grab, snap.obj_pos, snap.obj_vel, snap.obj_angle, snap.obj_angvel,
              st.obj_half, snap.obj_lock, self.n_boxes, snap.sees_agent, sees_obj, self.other_index,
              self.other_slot, st.size, progress, prep,
              parts["observation_self"], parts["agent_qpos_qvel"], parts["mask_aa_obs"], parts["box_obs"],
              parts["mask_ab_obs"], parts["ramp_obs"], parts["mask_ar_obs"])
        parts["lidar"][:] = _scaled_lidar(snap)
        if self.slots.doors:
            # every door is known (walls hide none): its rows relative to each agent, unmasked
            k = len(self.doors)
            rows = parts["door_obs"]
            np.subtract(self.seen_doors[:, :, :2], snap.agent_pos[:, None, :], out=rows[:, :k, :2], casting="unsafe")
            rows[:, :k, 2:] = self.seen_doors[:, :, 2:]
            parts["mask_ad_obs"][:, :k] = 1
        if self.index is not None:
            parts["agent_index"][:] = self.index
        if self.slots.held_by_others:
            held = _held_by_others(snap.agent_grab, st.agent_team, len(snap.obj_pos)) * sees_obj[..., None]
            parts["box_obs"][:, :self.n_boxes, OBJ_DIM:] = held[:, :self.n_boxes]
            parts["ramp_obs"][:, :len(held[0]) - self.n_boxes, OBJ_DIM:] = held[:, self.n_boxes:]
        if self.box_order is not None:
            for key in ("box_obs", "mask_ab_obs"):
                parts[key][:, :self.n_boxes] = parts[key][self.box_order]

    def state(self, snap: Snapshot, extras: list[dict[str, np.ndarray]] | None = None) -> np.ndarray:
        """`extras`: the task's observation entries of every agent, in agent order (`task.observe`)."""
        st, slots = snap.static, self.slots
        n_agents, n_objects = slots.agents * STATE_AGENT_DIM, (slots.boxes + slots.ramps) * slots.state_obj_dim
        own = (np.stack([np.concatenate([np.ravel(v) for v in entries.values()]) for entries in extras]) if extras
               else np.zeros((len(self.agent_slot), 0), np.float32))
        head = n_agents + n_objects + 2
        vision = slots.agents**2 if slots.state_vision else 0
        out = np.zeros(head + slots.agents * (own.shape[1] + slots.state_rays) + slots.doors * STATE_DOOR_DIM + vision
                       + fort_entries(slots), np.float32)
        _fill_state(snap.agent_pos, snap.agent_vel, snap.agent_angle, snap.agent_elevated, st.agent_team,
                    snap.agent_grab, self.agent_slot, snap.obj_pos, snap.obj_vel, snap.obj_angle, st.obj_half,
                    snap.obj_lock, st.obj_kind, slots.boxes, self.n_boxes, st.size,
                    out[:n_agents].reshape(slots.agents, STATE_AGENT_DIM),
                    out[n_agents:n_agents + n_objects].reshape(-1, slots.state_obj_dim))
        if slots.held_by_others:
            objects = out[n_agents:n_agents + n_objects].reshape(-1, slots.state_obj_dim)
            n_objects_here = len(snap.obj_pos)
            rows = np.r_[:self.n_boxes, slots.boxes:slots.boxes + n_objects_here - self.n_boxes]
            holds = _holds(snap.agent_grab, n_objects_here)
            for column, team in enumerate((HIDERS, SEEKERS)):
                objects[rows, STATE_OBJ_DIM + column] = holds[st.agent_team == team].any(0)
        out[n_agents + n_objects:head] = snap.t / st.horizon, float(snap.prep)
        tasks_end = head + slots.agents * own.shape[1]
        out[head:tasks_end].reshape(slots.agents, own.shape[1])[self.agent_slot] = own
        lidar_end = tasks_end + slots.agents * slots.state_rays
        if slots.state_lidar:
            out[tasks_end:lidar_end].reshape(slots.agents, slots.rays)[self.agent_slot] = _scaled_lidar(snap)
        doors_end = lidar_end + slots.doors * STATE_DOOR_DIM
        if slots.doors:
            doors = out[lidar_end:doors_end].reshape(slots.doors, STATE_DOOR_DIM)[:len(self.doors)]
            doors[:, 0] = 1.0
            doors[:, 1:3] = self.doors[:, :2] / st.size
            doors[:, 3:] = self.doors[:, 2:]
        vision_end = doors_end + vision
        if vision:
            seen = out[doors_end:vision_end].reshape(slots.agents, slots.agents)
            seen[np.ix_(self.agent_slot, self.agent_slot)] = snap.sees_agent
        if slots.state_forts:
            cover = out[vision_end:-1].reshape(slots.doors, 2)
            cover[:len(self.gap_points)] = forts.door_cover(snap, self.gap_points, HIDERS)
            hiders = snap.agent_pos[self.team == HIDERS]
            out[-1] = forts.inside(hiders, self.room).mean() if self.room is not None and len(hiders) else 0.0
        return out


@njit(cache=True)
def _fill_state(agent_pos, agent_vel, agent_angle, elevated, team, grab, agent_slot, obj_pos, obj_vel, obj_angle,
                obj_half, obj_lock, obj_kind, box_slots, n_boxes, size, agents, objects):
    for i in range(agent_pos.shape[0]):
        row = agents[agent_slot[i]]
        row[0], row[1], row[2] = 1.0, agent_pos[i, 0] / size, agent_pos[i, 1] / size
        row[3], row[4] = agent_vel[i, 0], agent_vel[i, 1]
        row[5], row[6] = math.cos(agent_angle[i]), math.sin(agent_angle[i])
        row[7], row[8], row[9] = elevated[i], team[i] == SEEKERS, grab[i] >= 0
    for k in range(obj_pos.shape[0]):
        row = objects[k if obj_kind[k] == BOX else box_slots + k - n_boxes]
        row[0], row[1], row[2] = 1.0, obj_pos[k, 0] / size, obj_pos[k, 1] / size
        row[3], row[4] = obj_vel[k, 0], obj_vel[k, 1]
        row[5], row[6] = math.cos(obj_angle[k]), math.sin(obj_angle[k])
        row[7], row[8] = obj_half[k, 0], obj_half[k, 1]
        row[9], row[10] = obj_lock[k] == 0, obj_lock[k] == 1


@njit(cache=True)
def _fill(agent_pos, agent_vel, agent_angle, agent_angvel, elevated, team, grab, obj_pos, obj_vel, obj_angle,
          obj_angvel, obj_half, obj_lock, n_boxes, sees_agent, sees_obj, other_index, other_slot, size, progress,
          prep, own, others, mask_aa, boxes, mask_ab, ramps, mask_ar):
    for i in range(agent_pos.shape[0]):
        row = own[i]
        row[0], row[1] = agent_pos[i, 0] / size, agent_pos[i, 1] / size
        row[2], row[3] = agent_vel[i, 0], agent_vel[i, 1]
        row[4], row[5] = math.cos(agent_angle[i]), math.sin(agent_angle[i])
        row[6], row[7], row[8] = agent_angvel[i], elevated[i], team[i] == SEEKERS
        row[9], row[10], row[11] = grab[i] >= 0, progress, prep
        for c in range(other_index.shape[1]):
            j, slot = other_index[i, c], other_slot[i, c]
            if not sees_agent[i, j]:
                continue
            mask_aa[i, slot] = 1
            o = others[i, slot]
            o[0], o[1] = agent_pos[j, 0] - agent_pos[i, 0], agent_pos[j, 1] - agent_pos[i, 1]
            o[2], o[3] = agent_vel[j, 0], agent_vel[j, 1]
            o[4], o[5] = math.cos(agent_angle[j]), math.sin(agent_angle[j])
            o[6], o[7] = elevated[j], team[j] == SEEKERS
        for k in range(obj_pos.shape[0]):
            if not sees_obj[i, k]:
                continue
            if k < n_boxes:
                mask_ab[i, k] = 1
                o = boxes[i, k]
            else:
                mask_ar[i, k - n_boxes] = 1
                o = ramps[i, k - n_boxes]
            o[0], o[1] = obj_pos[k, 0] - agent_pos[i, 0], obj_pos[k, 1] - agent_pos[i, 1]
            o[2], o[3] = obj_vel[k, 0], obj_vel[k, 1]
            o[4], o[5] = math.cos(obj_angle[k]), math.sin(obj_angle[k])
            o[6], o[7], o[8] = obj_half[k, 0], obj_half[k, 1], obj_angvel[k]
            o[9] = obj_lock[k] >= 0 and obj_lock[k] == team[i]
            o[10] = obj_lock[k] >= 0 and obj_lock[k] != team[i]
            o[11] = grab[i] == k
