"""Wrappers for generic learners."""
from __future__ import annotations

import numpy as np
from gymnasium import spaces
from pettingzoo.utils.wrappers import BaseParallelWrapper


class flatten_observations(BaseParallelWrapper):
    """Each agent's Dict observation as one flat float32 `Box`, keys in the Dict space's order."""

    def __init__(self, env):
        super().__init__(env)
        self._spaces = {a: spaces.flatten_space(env.observation_space(a)) for a in env.possible_agents}
        self._spaces = {a: spaces.Box(-np.inf, np.inf, s.shape, np.float32) for a, s in self._spaces.items()}
        self._keys = list(env.observation_space(env.possible_agents[0]).spaces)

    def observation_space(self, agent):
        return self._spaces[agent]

    def _flat(self, obs):
        return {a: np.concatenate([np.asarray(o[k], np.float32).ravel() for k in self._keys]) for a, o in obs.items()}

    def reset(self, seed=None, options=None):
        obs, infos = self.env.reset(seed=seed, options=options)
        return self._flat(obs), infos

    def step(self, actions):
        obs, *rest = self.env.step(actions)
        return (self._flat(obs), *rest)

    def state(self):
        return self.env.state()
