"""Rollouts: collection from a vectorised env, storage per team, GAE, and minibatches.

Every stored tensor is `[T, B, ...]` with B = envs x agents of the team (env-major). `mask` is 1
where the agent acted and its team is learning from that env (0 for done or absent agents, and for
a team played by a past snapshot of itself)."""
from __future__ import annotations

import torch

from agents.envs import action_dim
from agents.policy import TeamPolicy


def gae(rewards, values, next_values, terminated, dones, gamma: float, lam: float) -> torch.Tensor:
    """Generalised advantage estimation over the time axis 0.

    `next_values[t]` is V of the state after step t: V(s_{t+1}) while the episode goes on, and V of the
    final observation when the episode was truncated (bootstrapping). `terminated[t]` zeroes that
    bootstrap; `dones[t]` (terminated or truncated) stops the recursion at episode ends."""
    advantages = torch.zeros_like(rewards)
    last = torch.zeros_like(rewards[0])
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + gamma * (1 - terminated[t]) * next_values[t] - values[t]
        last = delta + gamma * lam * (1 - dones[t]) * last
        advantages[t] = last
    return advantages


def _flat(x):
    """[E, N, ...] numpy -> [1, E*N, ...] tensor (a view, no copy on the CPU)."""
    t = torch.as_tensor(x)
    return t.reshape(1, t.shape[0] * t.shape[1], *t.shape[2:])


class TeamRollout:
    """What one team saw and did over T steps, plus the running hidden states of its GRUs."""

    def __init__(self, policy: TeamPolicy, T: int, n_envs: int, state_dim: int, device):
        self.policy, self.device = policy, device
        B = n_envs * policy.n_agents
        zeros = lambda *shape: torch.zeros(T, B, *shape, device=device)  # noqa: E731
        self.actor_in = {k: zeros(*shape) for k, shape in policy.keys.items()}
        # a decentralised critic reads the actor's (normalised) inputs: one tensor serves both
        self.critic_in = {"": zeros(state_dim + policy.n_agents)} if policy.central else self.actor_in
        self.actions = zeros(action_dim(policy.team.action_space))
        for name in ("logp", "values", "next_values", "final_values", "rewards", "terminated", "dones", "mask",
                     "first"):
            setattr(self, name, zeros())
        self.h_actor = self.h_critic = None
        if policy.hidden_dim:
            self.h_actor, self.h_critic = zeros(policy.hidden_dim), zeros(policy.hidden_dim)
        # carried across rollouts and updated in place, a group of envs at a time
        self.ha, self.hc = policy.zero_hidden(B, device), policy.zero_hidden(B, device)

    def batch(self, gamma: float, lam: float) -> dict:
        adv = gae(self.rewards, self.values, self.next_values, self.terminated, self.dones, gamma, lam)
        adv = adv * self.mask
        return dict(actor_in=self.actor_in, critic_in=self.critic_in, actions=self.actions, logp=self.logp,
                    values=self.values, advantages=adv, returns=adv + self.values, mask=self.mask,
                    first=self.first, h_actor=self.h_actor, h_critic=self.h_critic)


def sequences(batch: dict, seq_len: int) -> dict:
    """The batch as whole sequences, [L, n_seq, ...]: with a GRU, chunks of `seq_len` steps that
    start from the stored hidden state; without one, single steps (L = 1)."""
    T, B = batch["mask"].shape
    L = seq_len if batch["h_actor"] is not None else 1

    def chunks(x):
        if isinstance(x, dict):
            return {k: chunks(v) for k, v in x.items()}
        if x is None:
            return None
        x = x.reshape(T // L, L, B, *x.shape[2:]).transpose(0, 1)
        return x.reshape(L, (T // L) * B, *x.shape[3:])

    seqs = {k: chunks(v) for k, v in batch.items()}
    for h in ("h_actor", "h_critic"):
        if seqs[h] is not None:
            seqs[h] = seqs[h][:1]  # the state entering each chunk, [1, n_seq, H]
    return seqs


def shuffles(batch: dict, seq_len: int, epochs: int, generator=None, group: int = 1) -> list[torch.Tensor]:
    """The order of the `sequences(batch, seq_len)` row groups in each of `epochs` epochs, drawn up front
    (teams that update in parallel threads draw theirs first, in team order, as one after the other would)."""
    T, B = batch["mask"].shape
    L = seq_len if batch["h_actor"] is not None else 1
    return [torch.randperm((T // L) * B // group, generator=generator) for _ in range(epochs)]


def minibatches(seqs: dict, n: int, generator=None, group: int = 1, order: torch.Tensor | None = None):
    """Yield `n` random minibatches of the `sequences`, which keep each `group` of consecutive rows
    together and in order (a team's agents at one step, for one actor per rank); `order`, one of
    `shuffles`, fixes the groups' order instead of drawing it."""
    device = seqs["mask"].device
    if order is None:
        order = torch.randperm(seqs["mask"].shape[1] // group, generator=generator)
    order = order.to(device)
    within = torch.arange(group, device=device)
    for groups in order.chunk(n):
        idx = (groups[:, None] * group + within).reshape(-1)
        yield {k: _select(v, idx) for k, v in seqs.items()}


def _select(x, idx):
    if isinstance(x, dict):
        return {k: _select(v, idx) for k, v in x.items()}
    return None if x is None else x.index_select(1, idx)  # faster than x[:, idx] on the CPU, the same rows


class _LastStep:
    """What a team's agents saw at the last step, every env's rows, until the input normalisers take it in."""

    def __init__(self, policy: TeamPolicy, rows: int, state_dim: int, device):
        self.obs = {k: torch.zeros(1, rows, *shape, device=device) for k, shape in policy.keys.items()}
        self.state = torch.zeros(1, rows, state_dim, device=device) if policy.central else None
        self.active = torch.zeros(rows, device=device)
        self.waiting = False

    def keep(self, r: slice, obs: dict, state: torch.Tensor | None, active: torch.Tensor):
        for k, v in obs.items():
            self.obs[k][:, r] = v
        if self.state is not None:
            self.state[:, r] = state
        self.active[r] = active
        self.waiting = True

    def flush(self, policy: TeamPolicy):
        if self.waiting:
            policy.update_normalizers(self.obs, self.state, self.active)
            self.waiting = False


class Collector:
    """Runs the current policies (and, per env, past opponents) in a vectorised env for T steps.

    With `overlap` (the default when the vec env has several `groups`), the steps are pipelined over
    the groups: while the workers step one group, the policies act for the next one. Every env still
    sees the same sequence of observations, actions, rewards and resets as without overlap; only the
    inference runs on a group's rows at a time."""

    def __init__(self, vec, policies: dict[str, TeamPolicy], T: int, device, deterministic: bool = False,
                 overlap: bool | None = None):
        self.vec, self.policies, self.T, self.device = vec, policies, T, device
        self.deterministic = deterministic
        self.overlap = len(getattr(vec, "groups", ())) > 1 if overlap is None else overlap
        self.state_dim = vec.spec.state_dim
        self.rollouts = {name: TeamRollout(p, T, vec.num_envs, self.state_dim, device) for name, p in policies.items()}
        self.seen = {name: _LastStep(p, vec.num_envs * p.n_agents, self.state_dim, device)
                     for name, p in policies.items() if p.normalizes_inputs}
        self.set_opponents({})

    def set_opponents(self, opponents: dict[str, tuple[TeamPolicy, torch.Tensor]]):
        """{team: (past snapshot, bool rows)}: the snapshot acts for that team in those env x agent
        rows during the next rollouts (its GRU memory starts empty)."""
        self.opponents = opponents
        B = lambda p: self.vec.num_envs * p.n_agents  # noqa: E731
        self.opponent_hidden = {t: p.zero_hidden(B(p), self.device) for t, (p, _) in opponents.items()}

    def _inputs(self, team: str, envs: range, prefix: str = "obs", state_key: str = "state"):
        arrays, policy = self.vec.arrays, self.policies[team]
        e = slice(envs.start, envs.stop)
        obs = {k: _flat(arrays[f"{prefix}/{team}/{k}"][e]).to(self.device) for k in policy.keys}
        state = None
        if policy.central:
            state = torch.as_tensor(arrays[state_key][e]).to(self.device)
            state = state[:, None].expand(-1, policy.n_agents, -1).reshape(1, -1, state.shape[-1])
        return obs, state

    def _field(self, name: str, team: str, envs: range) -> torch.Tensor:
        return _flat(self.vec.arrays[f"{name}/{team}"][envs.start:envs.stop])[0].to(self.device)

    def collect(self, update_normalizers: bool = True) -> list[dict]:
        """Play T steps. Once every env has been acted on at a step, the input normalisers take in what
        the active agents saw (close to SB3's VecNormalize, which takes in each observation just before
        it is acted on; taken in by whole steps, the same whether or not collection is overlapped). The
        rollout stores the inputs as normalised when acted on, so they and the log-probabilities agree."""
        with torch.inference_mode():
            return self._collect(update_normalizers)

    def _collect(self, update_normalizers: bool) -> list[dict]:
        episodes: list[dict] = []
        if self.overlap:
            groups, start, wait = self.vec.groups, self.vec.step_async, self.vec.step_wait
        else:
            groups, stepped = (range(self.vec.num_envs),), []
            start, wait = lambda g: stepped.append(self.vec.step()), lambda g: stepped.pop()  # noqa: E731

        def act(t: int, envs: range):
            for team, policy in self.policies.items():
                self._act(t, team, policy, envs, update_normalizers)

        # Group g steps while the policies act for group g + 1; every env keeps its own order of
        # act (t) -> step (t) -> record (t) -> act (t + 1).
        for g, envs in enumerate(groups):
            act(0, envs)
            start(g)
        for t in range(self.T):
            for team, seen in self.seen.items():   # every group has acted on step t: the same in both orders
                seen.flush(self.policies[team])
            for g, envs in enumerate(groups):
                episodes += wait(g)
                for team in self.policies:
                    self._record_step(t, team, envs)
                if t + 1 < self.T:
                    act(t + 1, envs)
                    start(g)

        everything = range(self.vec.num_envs)
        for team, policy in self.policies.items():
            ro = self.rollouts[team]
            obs, state = self._inputs(team, everything)
            first = self._field("first", team, everything)[None]
            last, _ = policy.value(policy.critic_input(obs, state), ro.hc, first)
            ro.next_values[:-1] = ro.values[1:]
            ro.next_values[-1] = last[0]
            trunc = ro.dones * (1 - ro.terminated)
            ro.next_values.copy_(torch.where(trunc > 0, ro.final_values, ro.next_values))
        return episodes

    def _act(self, t: int, team: str, policy: TeamPolicy, envs: range, see: bool):
        """Act for the envs `envs` at step t: their rows of the rollout, the hidden states and the actions."""
        ro, N = self.rollouts[team], policy.n_agents
        r = slice(envs.start * N, envs.stop * N)  # the env x agent rows of these envs
        obs, state = self._inputs(team, envs)
        active, first = self._field("active", team, envs), self._field("first", team, envs)
        if see and team in self.seen:
            self.seen[team].keep(r, obs, state, active)
        actor_in, critic_in = policy.inputs(obs, state)
        ha = hc = None
        if ro.h_actor is not None:
            ha, hc = ro.ha[r], ro.hc[r]
            ro.h_actor[t, r], ro.h_critic[t, r] = ha, hc
        dist, ha = policy.actor(actor_in, ha, first[None])
        value, hc = policy.value(critic_in, hc, first[None])
        if ha is not None:
            ro.ha[r], ro.hc[r] = ha, hc
        action = dist.mode() if self.deterministic else dist.sample()
        mask = active
        if team in self.opponents:
            snapshot, rows = self.opponents[team]
            h = self.opponent_hidden[team]
            opp_dist, h_new = snapshot.actor(snapshot.actor_input(obs), None if h is None else h[r], first[None])
            if h is not None:
                h[r] = h_new
            action = torch.where(rows[r][None, :, None], opp_dist.sample(), action)
            mask = active * ~rows[r]
        for k in actor_in:
            ro.actor_in[k][t, r] = actor_in[k][0]
        if policy.central:
            ro.critic_in[""][t, r] = critic_in[""][0]
        ro.actions[t, r], ro.logp[t, r], ro.values[t, r] = action[0], dist.log_prob(action)[0], value[0]
        ro.mask[t, r], ro.first[t, r] = mask, first
        self.vec.arrays[f"action/{team}"][envs.start:envs.stop] = action[0].reshape(len(envs), N, -1).cpu().numpy()

    def _record_step(self, t: int, team: str, envs: range):
        ro, policy = self.rollouts[team], self.policies[team]
        r0 = envs.start * policy.n_agents
        r = slice(r0, envs.stop * policy.n_agents)
        ro.rewards[t, r] = self._field("reward", team, envs)
        term, trunc = self._field("terminated", team, envs), self._field("truncated", team, envs)
        ro.terminated[t, r], ro.dones[t, r] = term, torch.maximum(term, trunc)
        if self.vec.arrays[f"truncated/{team}"][envs.start:envs.stop].any():
            idx = trunc.nonzero()[:, 0]
            obs, state = self._inputs(team, envs, "final_obs", "final_state")
            critic_in = policy.critic_input(obs, state)
            h = ro.hc[r][idx] if ro.hc is not None else None
            no_reset = torch.zeros(1, len(idx), device=self.device)
            v, _ = policy.value(_select(critic_in, idx), h, no_reset)
            ro.final_values[t, r0 + idx] = v[0]
