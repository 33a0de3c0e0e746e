"""The four emergence stages of the paper, read off one episode's statistics.

- chasing: seekers find hiders: a hider was seen in at least half of the main-phase steps
  (random seekers against hiders spawned in their room manage about one step in eight);
- fort: when the preparation phase ends, every hider is inside a room whose every door is shut
  by boxes the hiders locked;
- ramp use: a seeker got on a ramp outside the hiders' room and into the room over a LOW wall
  while elevated (not through a door, not along a wall top and down outside);
- ramp defence: at the end of the preparation phase every ramp is out of the seekers' use: locked
  by the hiders, or inside the hiders' room with the room sealed by their locked boxes (a ramp in
  a room the seekers can walk into is reachable; see `arena.forts.sealed`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

STAGES: dict[str, Callable[[dict], bool]] = {
    "chasing": lambda s: s["hidden_fraction"] <= 0.5,
    "fort": lambda s: s["fort_prep"] >= 1.0,
    "ramp_use": lambda s: s["seeker_ramp_crossings"] >= 1.0,
    # episodes recorded before `ramps_defended_prep` existed: their locked share, which never exceeds it
    "ramp_defence": lambda s: s.get("ramps_defended_prep", s.get("ramps_locked_by_hiders_prep", 0.0)) >= 1.0,
}


def reached(stats: dict) -> dict[str, bool]:
    """Which stages one episode shows; empty for episodes of tasks without these statistics."""
    if "fort_prep" not in stats:
        return {}
    return {name: bool(test(stats)) for name, test in STAGES.items()}


def rates(episodes: Iterable[dict]) -> dict[str, float]:
    """Share of episodes that show each stage, as `stage/<name>` metrics."""
    shown = [r for r in map(reached, episodes) if r]
    if not shown:
        return {}
    return {f"stage/{name}": sum(r[name] for r in shown) / len(shown) for name in STAGES}


def phases(firsts: dict[str, int]) -> dict[str, tuple[int, int | None]]:
    """For each stage with a first step in `firsts` (stages.json): (the step it first held, the step it
    was overtaken, i.e. the earliest first step of a later stage of the paper's order not before
    its own; None while no later stage has held). Names that are no stage are left out."""
    order = [name for name in STAGES if name in firsts]
    out = {}
    for k, name in enumerate(order):
        later = [firsts[n] for n in order[k + 1:] if firsts[n] >= firsts[name]]
        out[name] = (firsts[name], min(later) if later else None)
    return out
