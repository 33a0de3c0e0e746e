"""One environment seen as teams of fixed agent slots, written into flat numpy arrays.

Learners never touch PettingZoo or Gymnasium objects directly: `TeamEnv` turns either kind into
per-team arrays `[n_agents, ...]` (observation, reward, terminated, truncated, active mask) and
resets itself when the episode is over. A Gymnasium env is a team of one agent named `agent`.
Agents are grouped into teams by their name without the trailing `_<index>` (hider_0 -> hider).
Agents that are absent or already done have `active == 0` and zero observations.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from scenarios.errors import InputError

# An env's own episode statistics (scalars) in infos[agent] at the last step, logged as `episode/<name>`.
STATS_INFO_KEY = "episode_stats"


def team_of(agent: str) -> str:
    name, _, index = agent.rpartition("_")
    return name if name and index.isdigit() else agent


@dataclass(frozen=True)
class TeamSpec:
    name: str
    agents: tuple[str, ...]
    obs_space: gym.Space  # Box, or Dict of Boxes (entity observations)
    action_space: gym.Space  # Discrete, MultiDiscrete or Box


@dataclass(frozen=True)
class EnvSpec:
    teams: tuple[TeamSpec, ...]
    state_dim: int  # size of env.state(); 0 when the env has none


def obs_keys(space: gym.Space) -> dict[str, tuple[int, ...]]:
    """Observation arrays of one agent: {key: shape}; a Box is the single key ''."""
    if isinstance(space, gym.spaces.Dict):
        return {k: tuple(s.shape) for k, s in space.spaces.items()}
    return {"": tuple(space.shape)}


def action_dim(space: gym.Space) -> int:
    if isinstance(space, gym.spaces.Discrete):
        return 1
    return int(np.prod(space.shape))


class _GymAsParallel:
    """The few ParallelEnv members TeamEnv uses, for a single-agent Gymnasium env."""

    possible_agents = ["agent"]

    def __init__(self, env: gym.Env):
        self.env, self.agents = env, []

    def observation_space(self, agent):
        return self.env.observation_space

    def action_space(self, agent):
        return self.env.action_space

    def reset(self, seed=None, options=None):
        obs, info = self.env.reset(seed=seed, options=options)
        self.agents = ["agent"]
        return {"agent": obs}, {"agent": info}

    def step(self, actions):
        obs, reward, term, trunc, info = self.env.step(actions["agent"])
        if term or trunc:
            self.agents = []
        return {"agent": obs}, {"agent": reward}, {"agent": term}, {"agent": trunc}, {"agent": info}

    def state(self):
        raise NotImplementedError

    def close(self):
        self.env.close()


def as_parallel(env):
    return _GymAsParallel(env) if isinstance(env, gym.Env) else env


def _flat(space: gym.Space) -> gym.Space:
    return gym.spaces.flatten_space(space) if isinstance(space, gym.spaces.Dict) else space


def describe(env, flatten: bool, use_state: bool = True) -> EnvSpec:
    """Teams, spaces and state size of a (parallel-wrapped) env; `flatten` turns Dict obs into a Box;
    without `use_state` (no centralised critic) the state is never computed."""
    teams: dict[str, list[str]] = {}
    for agent in env.possible_agents:
        teams.setdefault(team_of(agent), []).append(agent)
    specs = []
    for name, agents in teams.items():
        obs_space, act_space = env.observation_space(agents[0]), env.action_space(agents[0])
        for a in agents[1:]:
            if env.observation_space(a) != obs_space or env.action_space(a) != act_space:
                raise InputError(f"team {name!r}: agent {a} has other spaces than {agents[0]}; "
                                 "a team shares one policy")
        if not isinstance(act_space, (gym.spaces.Discrete, gym.spaces.MultiDiscrete, gym.spaces.Box)):
            raise InputError(f"team {name!r}: unsupported action space {act_space}")
        specs.append(TeamSpec(name, tuple(agents), _flat(obs_space) if flatten else obs_space, act_space))
    state_dim = 0
    try:
        if use_state:
            env.reset(seed=0)
            state_dim = int(np.asarray(env.state()).size)
    except NotImplementedError:
        pass
    return EnvSpec(tuple(specs), state_dim)


def array_layout(spec: EnvSpec) -> dict[str, tuple[tuple[int, ...], type]]:
    """Every per-env array exchanged with the learner: name -> (shape without the env axis, dtype).
    `first` marks an agent's first step of an episode; `final_obs/*` and `final_state` hold what the
    agent saw when its episode ended (for bootstrapping truncated episodes)."""
    layout = {}
    for t in spec.teams:
        n = len(t.agents)
        for key, shape in obs_keys(t.obs_space).items():
            layout[f"obs/{t.name}/{key}"] = ((n, *shape), np.float32)
            layout[f"final_obs/{t.name}/{key}"] = ((n, *shape), np.float32)
        for field in ("reward", "terminated", "truncated", "active", "first"):
            layout[f"{field}/{t.name}"] = ((n,), np.float32)
        layout[f"action/{t.name}"] = ((n, action_dim(t.action_space)), np.float32)
    if spec.state_dim:
        layout["state"] = ((spec.state_dim,), np.float32)
        layout["final_state"] = ((spec.state_dim,), np.float32)
    return layout


class TeamEnv:
    """Steps one env; `out` maps every name of `array_layout` to this env's row of the array."""

    def __init__(self, env, spec: EnvSpec, out: dict[str, np.ndarray], flatten: bool):
        self.env, self.spec, self.out, self.flatten = env, spec, out, flatten
        self._layouts: dict[str, list] = {}
        self.slot = {a: (t, i) for t in spec.teams for i, a in enumerate(t.agents)}
        self.returns: dict[str, float] = {}  # agents that took part in this episode
        self.length = 0
        self.reset_options: dict | None = None  # passed to every env.reset (a curriculum sets them)
        self.seed: int | None = None
        self.seed_stride = 0
        self._team_index = {a: spec.teams.index(t) for a, (t, _) in self.slot.items()}
        self._offset = {t.name: bool(np.any(getattr(t.action_space, "start", 0))) for t in spec.teams}
        self._cleared = [out[f"{field}/{t.name}"] for t in spec.teams
                         for field in ("reward", "terminated", "truncated", "first")]
        # per agent: its team's reward / terminated / truncated arrays (its row in them is self.slot's)
        self._results = {a: tuple(out[f"{field}/{t.name}"] for field in ("reward", "terminated", "truncated"))
                         for a, (t, _) in self.slot.items()}

    def _flat_layout(self, agent: str) -> list:
        """(key, subspace or None when the entry is taken as it is) per entry of the agent's Dict
        space, computed once."""
        layout = self._layouts.get(agent)
        if layout is None:
            layout = [(key, None if isinstance(sub, (gym.spaces.Box, gym.spaces.MultiBinary)) else sub)
                      for key, sub in self.env.observation_space(agent).spaces.items()]
            self._layouts[agent] = layout
        return layout

    def _write_flat(self, row: np.ndarray, agent: str, obs: dict):
        """gymnasium's flatten of a Dict observation, written in place in one go (Box and MultiBinary
        entries are taken as they are; the order is that of `gym.spaces.flatten_space`)."""
        np.concatenate([obs[key] if sub is None else gym.spaces.flatten(sub, obs[key])
                        for key, sub in self._flat_layout(agent)], axis=None, out=row)

    def _write_obs(self, prefix: str, obs: dict, agents):
        for a in agents:
            team, i = self.slot[a]
            raw = obs[a]
            if self.flatten and isinstance(raw, dict):
                self._write_flat(self.out[f"{prefix}/{team.name}/"][i], a, raw)
            elif isinstance(raw, dict):
                for key, value in raw.items():
                    self.out[f"{prefix}/{team.name}/{key}"][i] = value
            else:
                self.out[f"{prefix}/{team.name}/"][i] = raw

    def _write_state(self, name: str):
        if self.spec.state_dim:
            self.out[name][:] = np.asarray(self.env.state(), dtype=np.float32).ravel()

    def reset(self, seed: int | None = None, stride: int = 0):
        """`stride` > 0: each later episode is reset with the seed `stride` past the one before, so that
        episode k of env i of n (stride n) draws what episode i + k n would in a single env (stride 1);
        0: later episodes go on with the env's own generator."""
        self.seed, self.seed_stride = seed, stride
        obs, _ = self.env.reset(seed=seed, options=self.reset_options)
        for name, row in self.out.items():
            if name.startswith(("obs/", "active/", "first/")):
                row[...] = 0
        self._write_obs("obs", obs, self.env.agents)
        for a in self.env.agents:
            team, i = self.slot[a]
            self.out[f"active/{team.name}"][i] = self.out[f"first/{team.name}"][i] = 1
        self._write_state("state")
        self.returns = {a: 0.0 for a in self.env.agents}
        self.length = 0

    def _env_actions(self, team: TeamSpec) -> np.ndarray:
        """The team's action rows as its agents' action space takes them."""
        space, a = team.action_space, self.out[f"action/{team.name}"]
        if isinstance(space, gym.spaces.Discrete):
            return a[:, 0].astype(np.int64) + int(space.start)
        if isinstance(space, gym.spaces.MultiDiscrete):
            rows = a.astype(np.int64).reshape(-1, *space.shape)
            return rows + space.start if self._offset[team.name] else rows
        return np.clip(a, space.low.ravel(), space.high.ravel()).reshape(-1, *space.shape).astype(space.dtype)

    def step(self) -> list[dict]:
        """Apply `action/*`, write the results; returns the statistics of an episode that ended."""
        rows = [self._env_actions(t) for t in self.spec.teams]
        actions = {a: rows[self._team_index[a]][self.slot[a][1]] for a in self.env.agents}
        slot = self.slot
        obs, rewards, terms, truncs, infos = self.env.step(actions)
        for row in self._cleared:
            row[:] = 0
        stats = {}
        for a in actions:
            i = slot[a][1]
            reward_row, terminated_row, truncated_row = self._results[a]
            reward, ended = rewards.get(a, 0.0), bool(terms.get(a, False))
            reward_row[i] = reward
            terminated_row[i] = ended
            truncated_row[i] = bool(truncs.get(a, False)) and not ended
            self.returns[a] += float(reward)
            episode = infos.get(a, {}).get(STATS_INFO_KEY)
            if isinstance(episode, dict) and not stats:
                stats = {f"episode/{k}": float(v) for k, v in episode.items() if np.isscalar(v)}
        self.length += 1
        gone = [a for a in actions if a not in self.env.agents]
        self._write_obs("final_obs", obs, [a for a in gone if a in obs])
        if gone:
            self._write_state("final_state")
        for a in gone:
            team, i = self.slot[a]
            self.out[f"active/{team.name}"][i] = 0
            for key in obs_keys(team.obs_space):
                self.out[f"obs/{team.name}/{key}"][i] = 0
        if self.env.agents:
            self._write_obs("obs", obs, self.env.agents)
            self._write_state("state")
            return []
        done = {"length": float(self.length), **stats}
        for t in self.spec.teams:
            taking_part = [self.returns[a] for a in t.agents if a in self.returns]
            if taking_part:
                done[f"return/{t.name}"] = float(np.mean(taking_part))
        self.reset(self.seed + self.seed_stride if self.seed_stride else None, self.seed_stride)
        return [done]


def steps_per_second(make_env, seconds: float, flatten: bool = True, use_state: bool = True) -> float:
    """Env-steps/s of one `TeamEnv` as the trainer steps it (flat arrays, the state for a centralised
    critic, resets included), with random actions drawn before the clock starts."""
    probe = as_parallel(make_env())
    spec = describe(probe, flatten, use_state)
    probe.close()
    out = {name: np.zeros(shape, dtype) for name, (shape, dtype) in array_layout(spec).items()}
    env = TeamEnv(as_parallel(make_env()), spec, out, flatten)
    env.reset(seed=0, stride=1)
    for i, t in enumerate(spec.teams):
        t.action_space.seed(i)
    draws = [{t.name: np.stack([t.action_space.sample() for _ in t.agents]).reshape(len(t.agents), -1)
              for t in spec.teams} for _ in range(256)]
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for name, rows in draws[steps % len(draws)].items():
            out[f"action/{name}"][:] = rows
        env.step()
        steps += 1
    return steps / (time.perf_counter() - start)
