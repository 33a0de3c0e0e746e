"""The text of the viewer's panel for one frame: the episode's outcome, step and phase, rewards, who
sees whom, who holds and who locked what, and the latest event. Agents go by their map labels."""
from __future__ import annotations

import numpy as np

from arena.render import TEAM_COLOURS, agent_labels, object_labels
from replays import format as fmt
from replays.outcome import Outcome
from replays.timeline import Event, lockers

TEXT = (225, 225, 230)
DIM = (140, 142, 150)
PREP = (255, 214, 60)
OUTCOME = (250, 200, 120)


def hud_lines(replay: fmt.Replay, k: int, found: list[Event] = ()) -> list[tuple[str, tuple]]:
    """(text, colour) rows for frame k; tabs separate columns."""
    snap = replay.snapshot(k)
    teams = replay.static.agent_team
    agents, objects = agent_labels(teams), object_labels(replay.static.obj_kind)
    colour = [TEAM_COLOURS[int(t)] for t in teams]
    lines = [(text, OUTCOME) for text in Outcome.of(replay.meta).lines()]
    lines += [("", TEXT), (f"step {snap.t} / {replay.static.horizon}", TEXT),
              ("preparation: seekers frozen" if snap.prep else "hide and seek", PREP if snap.prep else TEXT),
              ("", TEXT), ("reward\tstep\ttotal", DIM)]
    totals = replay.rewards[:k].sum(axis=0)
    for i, (r, total) in enumerate(zip(replay.reward(k), totals)):
        lines.append((f"{agents[i]}\t{r:+.1f}\t{total:+.1f}", colour[i]))
    lines += [("", TEXT), ("who sees whom", DIM)]
    sightings = [(i, j) for i, j in zip(*np.nonzero(snap.sees_agent)) if teams[i] != teams[j]]
    lines += [(f"{agents[i]} sees {agents[j]}", colour[i]) for i, j in sightings]
    if not sightings:
        lines.append(("nobody sees an opponent", TEXT))
    lines += [("", TEXT), ("holds and locks", DIM)]
    by = lockers(found, k, len(objects))
    for i in range(len(agents)):
        if snap.agent_grab[i] >= 0:
            lines.append((f"{agents[i]} holds {objects[snap.agent_grab[i]]}", colour[i]))
        mine = [objects[o] for o in range(len(objects)) if by[o] == i and snap.obj_lock[o] >= 0]
        if mine:
            lines.append((f"{agents[i]} locked {', '.join(mine)}", colour[i]))
    unknown = [o for o in range(len(objects)) if snap.obj_lock[o] >= 0 and by[o] < 0]
    lines += [(f"{objects[o]} locked by the {('hiders', 'seekers')[snap.obj_lock[o]]}",
               TEAM_COLOURS[int(snap.obj_lock[o])]) for o in unknown]
    if not (snap.agent_grab >= 0).any() and not (snap.obj_lock >= 0).any():
        lines.append(("nothing held or locked", TEXT))
    past = [e for e in found if e.frame <= k]
    if past:
        lines += [("", TEXT), ("last event", DIM), (f"step {replay.frames['t'][past[-1].frame]}: {past[-1].text}", TEXT)]
    return lines
