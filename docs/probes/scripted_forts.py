"""How often hand-written hiders build a fort in the preparation phase of the default quadrant game:
a ceiling for what trained hiders could reach with these mechanics in 32 steps.

    python docs/probes/scripted_forts.py [--episodes 200]

Each door of the hiders' room gets the nearest free box and one hider. The hider walks to the far
side of its box (seen from the door), faces it, grabs it, carries it until it lies against the
door, and votes lock from then on. A hider with no door stays in the middle of the room. Seekers
stand still (they are frozen in the preparation phase anyway)."""
from __future__ import annotations

import argparse
import math

import numpy as np

import arena
from arena import forts

IDLE = np.array([5, 5, 5, 0, 0])


def drive(pos, angle, angvel, target, face, grab=0, lock=0, gain=5.0):
    """Action that moves an agent at `pos` to `target` while turning to look at `face`."""
    error = np.asarray(target) - pos
    force = np.sign(error) * np.minimum(np.ceil(np.abs(gain * error) - 0.1), 5)
    heading = math.atan2(face[1] - pos[1], face[0] - pos[0])
    turn = (heading - angle + math.pi) % (2 * math.pi) - math.pi
    torque = int(np.clip(round(turn / 1.1 - angvel / 5), -5, 5))
    return np.array([5 + force[0], 5 + force[1], 5 + torque, grab, lock], dtype=np.int64)


class Hider:
    """One hider carrying box `box` to the door whose gap is `door` (x0, y0, x1, y1)."""

    def __init__(self, index: int, box: int, door: np.ndarray, room: tuple, box_half: float):
        self.index, self.box = index, box
        room_centre = np.array([(room[0] + room[2]) / 2, (room[1] + room[3]) / 2])
        self.lo, self.hi = np.array(room[:2]) + 0.2, np.array(room[2:]) - 0.2
        self.centre = room_centre
        centre = (door[:2] + door[2:]) / 2
        inward = room_centre - centre
        inward = inward * (np.abs(inward) == np.abs(inward).max())   # perpendicular to the door's wall
        inward /= np.linalg.norm(inward)
        self.goal = centre + inward * (box_half + 0.04)               # the box centre when it shuts the door
        self.door_centre, self.inward, self.box_half = centre, inward, box_half
        self.done = False

    def shuts(self, box: np.ndarray) -> bool:
        """Would the box, locked where it is, leave no gap an agent fits through (0.3 m)?"""
        offset = box - self.door_centre
        depth, lateral = offset @ self.inward, abs(offset @ np.array([-self.inward[1], self.inward[0]]))
        return depth < self.box_half + 0.15 and lateral < 0.3

    def act(self, snap) -> np.ndarray:
        i, b = self.index, self.box
        pos, box = snap.agent_pos[i], snap.obj_pos[b]
        angle, angvel = snap.agent_angle[i], snap.agent_angvel[i]
        if self.done or self.shuts(box):
            self.done = True   # stay by the box voting lock: a team-mate's unlock vote in reach undoes it
            return drive(pos, angle, angvel, pos, box, lock=1)
        if snap.agent_grab[i] == b:
            return drive(pos, angle, angvel, pos + (self.goal - box), box, grab=1)
        away = box - self.goal
        behind = np.clip(box + away / max(np.linalg.norm(away), 1e-6) * 0.45, self.lo, self.hi)
        near = np.linalg.norm(pos - behind) < 0.25
        path, to_box = behind - pos, box - pos
        t = np.clip(to_box @ path / max(path @ path, 1e-9), 0, 1)
        if not near and np.linalg.norm(pos + t * path - box) < 0.45:   # around the box, not through it
            side = np.array([-path[1], path[0]]) / max(np.linalg.norm(path), 1e-9)
            side *= np.sign(side @ (pos - box)) or 1.0
            behind = np.clip(box + side * 0.5, self.lo, self.hi)
        return drive(pos, angle, angvel, behind, box, grab=int(near))


def episode(env, seed: int) -> dict:
    env.reset(seed=seed)
    layout, st = env.world.layout, env.snapshot.static
    doors = forts.room_doors(layout, layout.room)
    room_centre = np.array([(layout.room[0] + layout.room[2]) / 2, (layout.room[1] + layout.room[3]) / 2])
    boxes = [k for k in range(len(st.obj_kind)) if st.obj_kind[k] == 0]
    hiders = [i for i, team in enumerate(st.agent_team) if team == 0]
    snap, plans = env.snapshot, []
    free = list(boxes)
    for door, hider in zip(doors, hiders):
        centre = (door[:2] + door[2:]) / 2
        b = min(free, key=lambda k: np.linalg.norm(snap.obj_pos[k] - centre))
        free.remove(b)
        plans.append(Hider(hider, b, door, layout.room, float(st.obj_half[b].max())))
    names = env.agents[:]
    infos = {}
    while env.agents:
        snap = env.snapshot
        actions = {name: IDLE for name in names}
        for plan in plans:
            actions[names[plan.index]] = plan.act(snap)
        for i in hiders[len(plans):]:
            actions[names[i]] = drive(snap.agent_pos[i], snap.agent_angle[i], snap.agent_angvel[i], room_centre,
                                      room_centre)
        _, _, _, _, infos = env.step(actions)
    return {"doors": len(doors), **infos[names[0]]["episode"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=200)
    args = parser.parse_args()
    env = arena.parallel_env("hide_and_seek_quadrant")
    results = [episode(env, seed) for seed in range(args.episodes)]
    print("doors  episodes  fort  hidden")
    for n in sorted({r["doors"] for r in results}):
        rs = [r for r in results if r["doors"] == n]
        print(f"{n:5d}  {len(rs):8d}  {np.mean([r['fort_prep'] for r in rs]):4.2f}  "
              f"{np.mean([r['hidden_fraction'] for r in rs]):6.2f}")
    print(f"  all  {len(results):8d}  {np.mean([r['fort_prep'] for r in results]):4.2f}")


if __name__ == "__main__":
    main()
