"""The events of a recorded episode, derived from its per-frame arrays for the viewer's timeline:
grabs and releases (`agent_grab`), locks and unlocks (`obj_lock`; the agent is the closest one
of the locking team that pressed lock in the step before, as the lock rule picks it), the first
time a seeker sees a hider after the preparation phase, seekers' ramp crossings (the task's
counter, recorded since format version 2), and the end of the preparation phase."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arena.render import agent_labels, object_labels
from arena.snapshot import HIDERS, SEEKERS
from replays import format as fmt

LOCK_ACTION = 4
EVENT_COLOURS = {"prep end": (80, 200, 230), "sighting": (230, 60, 200), "crossing": (250, 140, 20),
                 "grab": (240, 240, 245), "release": (150, 150, 160), "lock": (60, 200, 90),
                 "unlock": (20, 120, 60)}


@dataclass(frozen=True)
class Event:
    frame: int
    kind: str            # a key of EVENT_COLOURS
    text: str
    agent: int = -1
    obj: int = -1


def events(replay: fmt.Replay) -> list[Event]:
    """Every event of the episode in frame order."""
    found = [*_prep_end(replay), *_grabs(replay), *_locks(replay), *_first_sighting(replay), *_crossings(replay)]
    return sorted(found, key=lambda e: e.frame)


def _prep_end(replay):
    at = np.flatnonzero(replay.frames["t"] == replay.static.prep_steps)
    return [Event(int(at[0]), "prep end", "preparation ends")] if replay.static.prep_steps > 0 and len(at) else []


def _grabs(replay):
    grab = replay.frames["agent_grab"]
    agents, objects = agent_labels(replay.static.agent_team), object_labels(replay.static.obj_kind)
    found = []
    for k, i in np.argwhere(grab[1:] != grab[:-1]).tolist():
        before, after = int(grab[k, i]), int(grab[k + 1, i])
        if before >= 0:
            found.append(Event(k + 1, "release", f"{agents[i]} lets go of {objects[before]}", i, before))
        if after >= 0:
            found.append(Event(k + 1, "grab", f"{agents[i]} grabs {objects[after]}", i, after))
    return found


def _locks(replay):
    lock, team = replay.frames["obj_lock"], replay.static.agent_team
    agents, objects = agent_labels(team), object_labels(replay.static.obj_kind)
    found = []
    for k, o in np.argwhere(lock[1:] != lock[:-1]).tolist():
        before, after = int(lock[k, o]), int(lock[k + 1, o])
        locking = after >= 0
        owner = after if locking else before
        voted = replay.actions[k, :, LOCK_ACTION] == 1 if locking else np.ones(len(team), bool)
        candidates = np.flatnonzero((team == owner) & voted)
        if not len(candidates):
            candidates = np.flatnonzero(team == owner)
        where = fmt.MILLIMETRES.decode(replay.frames["agent_pos"][k, candidates], replay.static)
        obj_at = fmt.MILLIMETRES.decode(replay.frames["obj_pos"][k, o], replay.static)
        i = int(candidates[np.argmin(np.linalg.norm(where - obj_at, axis=1))])
        verb = "locks" if locking else "unlocks"
        found.append(Event(k + 1, "lock" if locking else "unlock", f"{agents[i]} {verb} {objects[o]}", i, o))
    return found


def _first_sighting(replay):
    team, sees = replay.static.agent_team, replay.frames["sees_agent"]
    seeker_hider = np.outer(team == SEEKERS, team == HIDERS)
    main = replay.frames["t"] > replay.static.prep_steps
    hits = np.flatnonzero(main & (sees & seeker_hider).any(axis=(1, 2)))
    if not len(hits):
        return []
    k = int(hits[0])
    i, j = map(int, np.argwhere(sees[k] & seeker_hider)[0])
    agents = agent_labels(team)
    return [Event(k, "sighting", f"{agents[i]} first sees {agents[j]}", i)]


def _crossings(replay):
    counter = replay.frames.get("seeker_crossings")
    if counter is None:
        return []
    team, elevated = replay.static.agent_team, replay.frames["agent_elevated"]
    agents = agent_labels(team)
    found = []
    for k in np.flatnonzero(np.diff(counter) > 0) + 1:
        stepped_down = np.flatnonzero((team == SEEKERS) & elevated[k - 1] & ~elevated[k])
        who = f"{agents[stepped_down[0]]} crosses" if len(stepped_down) else "a seeker crosses"
        found.append(Event(int(k), "crossing", f"{who} a wall on a ramp", int(stepped_down[0]) if len(stepped_down) else -1))
    return found


def lockers(found: list[Event], k: int, num_objects: int) -> list[int]:
    """Per object, the agent whose lock holds at frame k (-1: unlocked or locked before the file began)."""
    holder = [-1] * num_objects
    for event in found:
        if event.frame > k:
            break
        if event.kind in ("lock", "unlock"):
            holder[event.obj] = event.agent if event.kind == "lock" else -1
    return holder


def next_event_frame(frames: list[int], k: int, direction: int) -> int | None:
    """The first event frame after k (direction +1) or before k (-1), or None."""
    later = [f for f in frames if (f - k) * direction > 0]
    if not later:
        return None
    return min(later) if direction > 0 else max(later)
