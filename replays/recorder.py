"""`RecordEpisodes`: a PettingZoo ParallelEnv wrapper that writes one replay file per finished
episode into `out_dir`, named `<prefix>_<n>.replay.npz` with n counting on from the files there.

    env = RecordEpisodes(arena.parallel_env("hide_and_seek_quadrant"), "runs/demo/replays",
                         meta_extra={"run": "demo", "checkpoint": "checkpoints/000100.pt"})

The wrapped env must expose `snapshot` (the latest `arena.snapshot.Snapshot`) and `scenario`. An
episode cut short by `reset()` is dropped. The task's counters of `format.OPTIONAL_FRAMES` (attributes
of `env.task` of the same name, such as hide-and-seek's `seeker_crossings`) are kept every frame.
"""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import numpy as np
import yaml
from pettingzoo.utils.wrappers import BaseParallelWrapper

from arena.env import STATS_INFO_KEY
from replays import format as fmt
from replays.files import REPLAY_SUFFIX

VERSIONED_PACKAGES = ("emergent-arena", "numpy", "pymunk", "pettingzoo", "pygame-ce")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


class RecordEpisodes(BaseParallelWrapper):
    def __init__(self, env, out_dir: str | Path, meta_extra: dict | None = None, prefix: str = "episode"):
        super().__init__(env)
        self.out_dir, self.prefix = Path(out_dir), prefix
        self.meta_extra = dict(meta_extra or {})
        self.written: list[Path] = []
        self._episode: dict | None = None

    def reset(self, seed=None, options=None):
        result = self.env.reset(seed=seed, options=options)
        self._episode = {"seed": seed, "agents": list(self.env.agents), "snapshots": [self.unwrapped.snapshot],
                         "actions": [], "rewards": [], "counters": [self._counters()]}
        return result

    def step(self, actions):
        obs, rewards, terminations, truncations, infos = self.env.step(actions)
        episode = self._episode
        if episode is not None:
            names = episode["agents"]
            episode["actions"].append([np.zeros(fmt.ACTION_DIMS) if a not in actions
                                       else np.asarray(actions[a]).ravel() for a in names])
            episode["rewards"].append([rewards.get(a, 0.0) for a in names])
            episode["snapshots"].append(self.unwrapped.snapshot)
            episode["counters"].append(self._counters())
            if not self.env.agents:
                self._write(infos)
        return obs, rewards, terminations, truncations, infos

    def _write(self, last_infos: dict) -> None:
        episode, self._episode = self._episode, None
        env = self.unwrapped
        meta = {
            **self.meta_extra,
            "seed": None if episode["seed"] is None else int(episode["seed"]),
            "dt": env.scenario.world.physics.step_seconds,
            "scenario_name": env.scenario.name,
            "scenario_yaml": getattr(env, "scenario_source", None)
                             or yaml.safe_dump(env.scenario.model_dump(mode="json"), sort_keys=False),
            "teams": list(fmt.TEAM_NAMES),
            "versions": package_versions(),
            "episode_stats": {a: {k: float(v) for k, v in info[STATS_INFO_KEY].items()}
                              for a, info in last_infos.items() if STATS_INFO_KEY in info},
        }
        counters = {name: [c[name] for c in episode["counters"]] for name in episode["counters"][0]}
        replay = fmt.Replay.from_episode(episode["snapshots"], np.array(episode["actions"]),
                                         np.array(episode["rewards"]), episode["agents"], meta, counters)
        path = self.out_dir / f"{self.prefix}_{self._next_number():05d}{REPLAY_SUFFIX}"
        fmt.save(replay, path)
        self.written.append(path)

    def _counters(self) -> dict[str, int]:
        task = getattr(self.unwrapped, "task", None)
        return {name: int(getattr(task, name)) for name in fmt.OPTIONAL_FRAMES if hasattr(task, name)}

    def _next_number(self) -> int:
        pattern = re.compile(rf"{re.escape(self.prefix)}_(\d+){re.escape(REPLAY_SUFFIX)}$")
        numbers = [int(m.group(1)) for p in self.out_dir.glob(f"{self.prefix}_*")
                   if (m := pattern.match(p.name))] if self.out_dir.is_dir() else []
        return max(numbers, default=-1) + 1
