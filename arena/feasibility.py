"""Whether a validated scenario can actually be reset: a cheap area bound, then resets of a sample of
seeds, both as drawn and with every count at its maximum. `arena validate` runs it, so that a scenario
it passes does not fail later in `train` or `eval`."""
from __future__ import annotations

import math

import numpy as np

import scenarios
from arena.spawn import CLEARANCE
from arena.world import World
from scenarios.errors import InputError
from scenarios.schema import Scenario

SEEDS = 20           # seeds reset as drawn, and again with every count at its maximum
FILLABLE = 0.6       # the share of a floor random placement can cover with discs (jamming is near 0.55)


def _crowded(sc: Scenario) -> Scenario | None:
    """The scenario with every count at its maximum; None if that variant does not validate."""
    try:
        return scenarios.load(sc, agents__hiders=sc.agents.hiders.max, agents__seekers=sc.agents.seekers.max,
                              boxes__count=sc.boxes.count.max,
                              boxes__elongated=min(sc.boxes.elongated.max, sc.boxes.count.max),
                              ramps__count=sc.ramps.count.max, layout__sites=sc.layout.sites.max)
    except InputError:
        return None


def _bounding_radii(sc: Scenario) -> dict[str, float]:
    box, ramp = sc.boxes, sc.ramps
    radii = {"boxes.size": box.size / math.sqrt(2), "agents.radius": sc.agents.radius}
    if box.elongated.max:
        radii["boxes.elongated_length"] = math.hypot(box.elongated_length, box.size) / 2
    if ramp.count.max:
        radii["ramps.length"] = math.hypot(ramp.length, ramp.width) / 2
    return radii


def _area_bound(sc: Scenario) -> None:
    size = sc.world.size
    for key, r in _bounding_radii(sc).items():
        if 2 * (r + sc.world.wall_thickness / 2 + CLEARANCE) >= size:
            raise InputError(f"scenario '{sc.name}': {key}: an object {2 * r:.2f} m across does not fit "
                             f"the {size:g} m play area")
    radii = _bounding_radii(sc)
    disc = lambda r: math.pi * (r + CLEARANCE / 2) ** 2   # noqa: E731
    n_long = min(sc.boxes.elongated.max, sc.boxes.count.max)
    need = ((sc.agents.hiders.max + sc.agents.seekers.max) * disc(radii["agents.radius"])
            + (sc.boxes.count.max - n_long + sc.layout.sites.max) * disc(radii["boxes.size"])
            + n_long * disc(radii.get("boxes.elongated_length", 0.0))
            + sc.ramps.count.max * disc(radii.get("ramps.length", 0.0)))
    if need > FILLABLE * size * size:
        raise InputError(f"scenario '{sc.name}': agents, boxes, ramps and sites need {need:.1f} m2 of floor at "
                         f"their largest counts; random placement fills at most {FILLABLE:.0%} of the "
                         f"{size * size:g} m2 play area")


def check(sc: Scenario, seeds: int = SEEDS) -> None:
    """Raise InputError naming the scenario and what does not fit, if some reset would fail."""
    _area_bound(sc)
    for variant in (sc, _crowded(sc)):
        if variant is None:
            continue
        for seed in range(seeds):
            World(variant, np.random.default_rng(seed))
