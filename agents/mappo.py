"""MAPPO (Yu et al. 2021) for teams. The pieces are shared with the single-agent code:
a team is one `TeamPolicy` (shared actor; critic on `env.state()` + agent id, policy.py), rollouts
carry active masks (buffer.py) and the update is PPO's masked one (ppo.py). What only competitive
multi-team training needs lives here: the opponent pool for self-play.

Self-play: every team learns at once. With a pool, a snapshot of each team is kept every
`pool_every` updates (at most `opponent_pool` of them); during each rollout, in a `pool_prob` share
of the envs one team is played by a random past snapshot of itself, so the other team keeps facing
the strategies it already beat. The snapshot's data is masked out of its own team's update."""
from __future__ import annotations

import copy

import torch

from agents.policy import TeamPolicy


class OpponentPool:
    def __init__(self, policies: dict[str, TeamPolicy], cfg, n_envs: int):
        self.cfg, self.n_envs = cfg, n_envs
        self.players = {team: copy.deepcopy(p) for team, p in policies.items()}  # inference copies
        self.snapshots: dict[str, list[dict]] = {team: [] for team in policies}

    def add(self, policies: dict[str, TeamPolicy]):
        for team, policy in policies.items():
            state = {k: v.detach().clone() for k, v in policy.state_dict().items()}
            self.snapshots[team] = (self.snapshots[team] + [state])[-self.cfg.opponent_pool:]

    def assign(self, generator: torch.Generator) -> dict[str, tuple[TeamPolicy, torch.Tensor]]:
        """Choose the envs (and the team) played by a past snapshot in the next rollout:
        {team: (snapshot policy, bool mask over that team's env x agent rows)}."""
        teams = [t for t, s in self.snapshots.items() if s]
        if not teams:
            return {}
        chosen = torch.rand(self.n_envs, generator=generator) < self.cfg.pool_prob
        which = torch.randint(len(teams), (self.n_envs,), generator=generator)
        opponents = {}
        for i, team in enumerate(teams):
            envs = chosen & (which == i)
            if envs.any():
                pick = int(torch.randint(len(self.snapshots[team]), (), generator=generator))
                player = self.players[team]
                player.load_state_dict(self.snapshots[team][pick])
                opponents[team] = (player, envs.repeat_interleave(player.n_agents).to(next(player.parameters()).device))
        return opponents

    def state_dict(self) -> dict:
        return {"snapshots": self.snapshots}

    def load_state_dict(self, state: dict):
        self.snapshots = state["snapshots"]
