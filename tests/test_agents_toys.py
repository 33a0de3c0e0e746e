"""Tiny PettingZoo envs for the learning tests (importable as `pz:test_agents_toys`).

`parallel_env()` is cooperative: two mates must both name the digit shown to them; mate_1 is absent
from some episodes and leaves early in the others (exercises active masks). `CompetitiveEnv` puts a
hider against a seeker who scores when both pick the same cell (self-play with an opponent pool).
`SplitEnv` gives two mates the same observation but different answers (one actor per rank)."""
import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv
from pettingzoo.test import parallel_api_test

K, HORIZON = 3, 5


class _Toy(ParallelEnv):
    metadata = {"name": "toy_v0", "render_modes": [], "is_parallelizable": True}
    possible_agents: list

    def __init__(self):
        self.agents = []
        self.rng = np.random.default_rng()
        self._obs_space = spaces.Box(0.0, 1.0, (K + len(self.possible_agents),), np.float32)
        self._act_space = spaces.Discrete(K)

    def observation_space(self, agent):
        return self._obs_space

    def action_space(self, agent):
        return self._act_space

    def _observe(self):
        obs = {}
        for a in self.agents:
            o = np.zeros(self._obs_space.shape, np.float32)
            o[self.target] = 1
            o[K + self.possible_agents.index(a)] = 1
            obs[a] = o
        return obs

    def state(self):
        s = np.zeros(K + len(self.possible_agents), np.float32)
        s[self.target] = 1
        for a in self.agents:
            s[K + self.possible_agents.index(a)] = 1
        return s

    def reset(self, seed=None, options=None):
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.t, self.hits = 0, 0.0
        self.target = int(self.rng.integers(K))
        self.agents = self._present()
        return self._observe(), {a: {} for a in self.agents}

    def _present(self):
        return list(self.possible_agents)

    def step(self, actions):
        rewards = self._rewards(actions)
        self.t += 1
        self.target = int(self.rng.integers(K))
        term = {a: self._leaves(a) for a in self.agents}
        trunc = {a: self.t >= HORIZON and not term[a] for a in self.agents}
        obs = self._observe()
        self.agents = [a for a in self.agents if not (term[a] or trunc[a])]
        infos = {a: ({} if self.agents else {"episode_stats": {"hits": self.hits}}) for a in obs}
        return obs, rewards, term, trunc, infos

    def _leaves(self, agent):
        return False


class CoopEnv(_Toy):
    possible_agents = ["mate_0", "mate_1"]

    def _present(self):
        return list(self.possible_agents) if self.rng.random() < 0.7 else ["mate_0"]

    def _rewards(self, actions):
        r = float(np.mean([int(actions[a]) == self.target for a in self.agents]))
        self.hits += r / HORIZON
        return {a: r for a in self.agents}

    def _leaves(self, agent):
        return agent == "mate_1" and self.t >= 3


class CompetitiveEnv(_Toy):
    possible_agents = ["hider_0", "seeker_0"]

    def _rewards(self, actions):
        caught = float(int(actions["hider_0"]) == int(actions["seeker_0"]))
        self.hits += caught / HORIZON
        return {"hider_0": -caught, "seeker_0": caught}


class SplitEnv(_Toy):
    """Both mates see only the digit, never which mate they are; mate_i scores for naming digit + i."""
    possible_agents = ["mate_0", "mate_1"]

    def _observe(self):
        return {a: np.eye(K + 2, dtype=np.float32)[self.target] for a in self.agents}

    def _rewards(self, actions):
        r = float(np.mean([int(actions[a]) == (self.target + i) % K for i, a in enumerate(self.agents)]))
        self.hits += r / HORIZON
        return {a: r for a in self.agents}


def parallel_env():
    return CoopEnv()


def split_env():
    return SplitEnv()


def competitive_env():
    return CompetitiveEnv()


def test_toy_envs_follow_the_parallel_api():
    parallel_api_test(CoopEnv(), num_cycles=20)
    parallel_api_test(CompetitiveEnv(), num_cycles=20)
    parallel_api_test(SplitEnv(), num_cycles=20)
