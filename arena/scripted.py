"""Hand-written hiders that build a fort in the preparation phase of the quadrant hide-and-seek game.

Each door of the hiders' room gets the nearest free box and one hider. That hider walks round to
the far side of the box (seen from the door), grabs it, turns the pair until the box leads, and
carries it against the door (or, when time runs short, until the box locked where it lies would
shut the door); then it votes lock from then on. Hiders with no door stay in the middle of the room
voting lock too: as upstream, a team-mate in reach voting unlock would undo a lock.

They show what the mechanics allow in a preparation phase (`docs/probes/scripted_forts.py`), and
the tests use them as the quadrant game's scripted policy."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from arena import forts
from arena.env import STATS_INFO_KEY
from arena.snapshot import BOX, HIDERS, Snapshot

IDLE = np.array([5, 5, 5, 0, 0])
BEHIND = 0.45    # where a hider stands to grab a box: this far from its centre
MARGIN = 0.2     # how close to the room's walls a hider aims


def bearing(v) -> float:
    return math.atan2(v[1], v[0])


def wrap(a: float) -> float:
    return (a + math.pi) % (2 * math.pi) - math.pi


def drive(pos, angvel, target, turn, grab=0, lock=0, gain=5.0) -> np.ndarray:
    """Action that moves an agent at `pos` towards `target` while turning by `turn` radians."""
    error = np.asarray(target) - pos
    force = np.sign(error) * np.minimum(np.ceil(np.abs(gain * error) - 0.1), 5)
    torque = int(np.clip(round(turn / 1.1 - angvel / 5), -5, 5))
    return np.array([5 + force[0], 5 + force[1], 5 + torque, grab, lock], dtype=np.int64)


class Carrier:
    """Hider `index` carrying box `box`, now at `start`, to the door whose gap is `door` (x0, y0, x1, y1).
    `distance`: how far the box starts from where it shuts the door; `done_at`: the step it got there."""

    def __init__(self, index: int, box: int, start: np.ndarray, door: np.ndarray, room: tuple, box_half: float,
                 other_doors: np.ndarray):
        self.index, self.box, self.door, self.room, self.other_doors = index, box, door, room, other_doors
        self.lo, self.hi = np.array(room[:2]) + MARGIN, np.array(room[2:]) - MARGIN
        middle = (door[:2] + door[2:]) / 2
        inward = forts.room_centre(room) - middle
        inward = inward * (np.abs(inward) == np.abs(inward).max())   # perpendicular to the door's wall
        self.goal = middle + inward / np.linalg.norm(inward) * (box_half + 0.04)   # the box against the door
        self.distance = float(np.linalg.norm(start - self.goal))
        self.done_at: int | None = None

    def shuts(self, snap: Snapshot) -> bool:
        """Would the box, locked where it is, shut the door?"""
        locked = np.full_like(snap.obj_lock, -1)
        locked[self.box] = HIDERS
        return forts.sealed(dataclasses.replace(snap, obj_lock=locked), self.room, self.other_doors, HIDERS)

    def act(self, snap: Snapshot) -> np.ndarray:
        i, b = self.index, self.box
        pos, box, angle, angvel = snap.agent_pos[i], snap.obj_pos[b], snap.agent_angle[i], snap.agent_angvel[i]
        # flush against the door (a box short of it may block the way but not the view), or out of time
        if self.done_at is None and self.shuts(snap) and (np.linalg.norm(box - self.goal) < 0.1
                                                          or snap.t >= snap.static.prep_steps - 3):
            self.done_at = snap.t
        if self.done_at is not None:
            return drive(pos, angvel, pos, wrap(bearing(box - pos) - angle), lock=1)
        if snap.agent_grab[i] == b:
            # the box turns with its holder: turn the pair until the box leads towards the door
            turn = wrap(bearing(self.goal - box) - bearing(box - pos))
            return drive(pos, angvel, np.clip(pos + (self.goal - box), self.lo, self.hi), turn, grab=1)
        away = box - self.goal
        behind = np.clip(box + away / max(np.linalg.norm(away), 1e-6) * BEHIND, self.lo, self.hi)
        near = np.linalg.norm(pos - behind) < 0.25
        path = behind - pos
        t = np.clip((box - pos) @ path / max(path @ path, 1e-9), 0, 1)
        if not near and np.linalg.norm(pos + t * path - box) < BEHIND:   # round the box, not through it
            side = np.array([-path[1], path[0]]) / max(np.linalg.norm(path), 1e-9)
            side *= np.sign(side @ (pos - box)) or 1.0
            behind = np.clip(box + side * 0.5, self.lo, self.hi)
        return drive(pos, angvel, behind, wrap(bearing(box - pos) - angle), grab=int(near))


class FortBuilders:
    """The whole hider team of an env just reset; `act(snap)` gives every agent's action (seekers idle)."""

    def __init__(self, env):
        layout, snap = env.world.layout, env.snapshot
        if layout.room is None:
            raise ValueError(f"{env.scenario.name}: scripted fort builders need a hiders' room (a quadrant layout)")
        st = snap.static
        self.names = list(env.agents)
        self.centre = forts.room_centre(layout.room)
        self.doors = forts.room_doors(layout, layout.room)
        hiders = [i for i, team in enumerate(st.agent_team) if team == HIDERS]
        free = [k for k, kind in enumerate(st.obj_kind) if kind == BOX]
        self.carriers = []
        for d, (door, hider) in enumerate(zip(self.doors, hiders)):
            if not free:
                break
            middle = (door[:2] + door[2:]) / 2
            box = min(free, key=lambda k: np.linalg.norm(snap.obj_pos[k] - middle))
            free.remove(box)
            half = float(st.obj_half[box].max())
            self.carriers.append(Carrier(hider, box, snap.obj_pos[box], door, layout.room, half,
                                         np.delete(self.doors, d, axis=0)))
        self.waiting = hiders[len(self.carriers):]

    def act(self, snap: Snapshot) -> dict[str, np.ndarray]:
        actions = {name: IDLE for name in self.names}
        for carrier in self.carriers:
            actions[self.names[carrier.index]] = carrier.act(snap)
        for i in self.waiting:
            actions[self.names[i]] = drive(snap.agent_pos[i], snap.agent_angvel[i], self.centre, 0.0, lock=1)
        return actions


def play(env, seed: int) -> tuple[FortBuilders, dict]:
    """One episode of `env` reset with `seed`, the hiders scripted and the seekers idle: the hider
    team and its episode statistics."""
    env.reset(seed=seed)
    team = FortBuilders(env)
    infos = {}
    while env.agents:
        _, _, _, _, infos = env.step(team.act(env.snapshot))
    return team, infos[team.names[0]][STATS_INFO_KEY]
