"""A team's policy: actor (shared by the team's agents, or one per rank with `actor_per_rank`), critic (decentralised on the agent's observation, or centralised on
`env.state()` plus a one-hot agent id) and the running normalisers, all in one `state_dict`."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from agents.envs import TeamSpec, obs_keys
from agents.networks import Actor, Critic, RankedActors


class RunningNorm(nn.Module):
    """Running mean and variance (parallel Welford), kept as buffers so checkpoints carry them."""

    def __init__(self, shape, clip: float = 10.0):
        super().__init__()
        self.clip = clip
        self.register_buffer("mean", torch.zeros(shape))
        self.register_buffer("var", torch.ones(shape))
        self.register_buffer("count", torch.tensor(1e-4))

    @torch.no_grad()
    def update(self, x: torch.Tensor):
        x = x.reshape(-1, *self.mean.shape).double()
        if len(x) == 0:
            return
        self.merge(x.mean(0), x.var(0, unbiased=False), len(x))

    @torch.no_grad()
    def merge(self, mean: torch.Tensor, var: torch.Tensor, n: float):
        """Take in a batch of `n` inputs given by its mean and variance."""
        total = self.count + n
        delta = mean - self.mean
        self.var.copy_((self.var * self.count + var * n + delta**2 * self.count * n / total) / total)
        self.mean.copy_(self.mean + delta * n / total)
        self.count.copy_(total)

    def forward(self, x):
        return ((x - self.mean) / torch.sqrt(self.var + 1e-8)).clamp(-self.clip, self.clip)

    def denormalize(self, x):
        return x * torch.sqrt(self.var + 1e-8) + self.mean


class TeamPolicy(nn.Module):
    def __init__(self, team: TeamSpec, state_dim: int, cfg):
        super().__init__()
        self.team, self.n_agents = team, len(team.agents)
        self.keys = obs_keys(team.obs_space)
        self.central = cfg.critic == "state" and state_dim > 0
        box = isinstance(team.obs_space, gym.spaces.Box)
        self.obs_norm = RunningNorm(team.obs_space.shape) if cfg.norm_obs and box else None
        if self.central:
            critic_space = gym.spaces.Box(-np.inf, np.inf, (state_dim + self.n_agents,), np.float32)
            self.state_norm = RunningNorm((state_dim,)) if cfg.norm_obs else None
        else:
            critic_space, self.state_norm = team.obs_space, self.obs_norm
        self.value_norm = RunningNorm((), clip=np.inf) if cfg.norm_value else None
        self.per_rank = cfg.actor_per_rank and self.n_agents > 1
        if self.per_rank:
            self.actor = RankedActors(self.n_agents, team.obs_space, team.action_space, cfg)
        else:
            self.actor = Actor(team.obs_space, team.action_space, cfg)
        # the rows an update's minibatch keeps together: a team's agents at one step, which the
        # actor of each rank tells apart by their order
        self.row_group = self.n_agents if self.per_rank else 1
        self.critic = Critic(critic_space, cfg)
        self.hidden_dim = self.actor.out_dim if cfg.recurrent else 0

    def with_actor_per_rank(self, state: dict) -> dict:
        """A checkpoint's state dict with its shared actor copied to each rank's, when this policy has
        one actor per rank and the checkpoint one shared actor (to fine-tune a run that shared it)."""
        if not self.per_rank or any(k.startswith("actor.actors.") for k in state):
            return state
        copied = {k: v for k, v in state.items() if not k.startswith("actor.")}
        for key, value in state.items():
            if key.startswith("actor."):
                copied.update({f"actor.actors.{i}.{key[len('actor.'):]}": value.clone() for i in range(self.n_agents)})
        return copied

    # -- inputs: raw arrays [L, B, ...] (B = envs x agents, agent-minor) -> normalised tensors
    def actor_input(self, obs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {"": self.obs_norm(obs[""])} if self.obs_norm is not None else obs

    def inputs(self, obs: dict[str, torch.Tensor], state: torch.Tensor | None) -> tuple[dict, dict]:
        """(actor input, critic input); a decentralised critic gets the actor's, normalised once."""
        actor_in = self.actor_input(obs)
        return actor_in, (self.critic_input(obs, state) if self.central else actor_in)

    def critic_input(self, obs: dict[str, torch.Tensor], state: torch.Tensor | None) -> dict[str, torch.Tensor]:
        if not self.central:
            return self.actor_input(obs)
        if self.state_norm is not None:
            state = self.state_norm(state)
        L, B = state.shape[:2]
        ids = torch.eye(self.n_agents, device=state.device).repeat(B // self.n_agents, 1).expand(L, B, -1)
        return {"": torch.cat([state, ids], -1)}

    @property
    def normalizes_inputs(self) -> bool:
        return self.obs_norm is not None or (self.central and self.state_norm is not None)

    def update_normalizers(self, obs: dict, state, active: torch.Tensor):
        rows = active.reshape(-1) > 0
        if self.obs_norm is not None:
            self.obs_norm.update(obs[""].reshape(-1, *self.obs_norm.mean.shape)[rows])
        if self.central and self.state_norm is not None:
            self.state_norm.update(state.reshape(-1, state.shape[-1])[rows])

    # -- values are returned in return units; the critic learns normalised targets if norm_value
    def value(self, critic_in: dict, h, first):
        v, h = self.critic(critic_in, h, first)
        return (self.value_norm.denormalize(v) if self.value_norm is not None else v), h

    def zero_hidden(self, batch: int, device) -> torch.Tensor | None:
        return torch.zeros(batch, self.hidden_dim, device=device) if self.hidden_dim else None
