"""Network pieces: encoders (MLP for Box observations, entity self-attention for Dict observations),
an optional GRU, and the actor heads for Discrete / MultiDiscrete / Box actions.

Every module takes inputs with two leading axes `[L, B]` (time, batch); without a GRU, L is folded
into the batch. Observations are always a dict of tensors (a Box observation is the key '')."""
from __future__ import annotations

import functools
import itertools
import math

import gymnasium as gym
import torch
from torch import nn
from torch.nn import functional as F

from scenarios.errors import InputError

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}
# The upstream hide-and-seek names: entity array -> its visibility mask.
ENTITY_MASKS = {"agent_qpos_qvel": "mask_aa_obs", "box_obs": "mask_ab_obs", "ramp_obs": "mask_ar_obs",
                "door_obs": "mask_ad_obs"}


def linear(n_in: int, n_out: int, gain: float = math.sqrt(2)) -> nn.Linear:
    """A linear layer with orthogonal weights and zero bias."""
    layer = nn.Linear(n_in, n_out)
    nn.init.orthogonal_(layer.weight, gain)
    nn.init.zeros_(layer.bias)
    return layer


class MLP(nn.Module):
    def __init__(self, space: gym.spaces.Box, hidden: list[int], activation: str, layer_norm: bool):
        super().__init__()
        n_in = int(math.prod(space.shape))
        layers: list[nn.Module] = [nn.LayerNorm(n_in)] if layer_norm else []
        for n_out in hidden:
            layers += [linear(n_in, n_out), ACTIVATIONS[activation]()]
            n_in = n_out
        self.net, self.out_dim = nn.Sequential(*layers), n_in

    def forward(self, obs: dict[str, torch.Tensor]) -> torch.Tensor:
        x = obs[""]
        return self.net(x.reshape(x.shape[0], -1))


class EntityEncoder(nn.Module):
    """OpenAI hide-and-seek style: 1-D keys are the agent's own features; every 2-D key is a set of
    entities, each embedded together with the own features, then one masked residual self-attention
    over [self, entities...], masked mean pooling, and a dense layer on [self embedding, pooled]."""

    def __init__(self, space: gym.spaces.Dict, hidden: list[int], activation: str, heads: int = 4):
        super().__init__()
        width, act = hidden[-1], ACTIVATIONS[activation]
        masks = set(ENTITY_MASKS.values())
        self.self_keys = [k for k, s in space.spaces.items() if len(s.shape) == 1 and k not in masks]
        self.entity_keys = [k for k, s in space.spaces.items() if len(s.shape) == 2]
        self.mask_of = {k: ENTITY_MASKS[k] for k in self.entity_keys if ENTITY_MASKS.get(k) in space.spaces}
        n_self = sum(space[k].shape[0] for k in self.self_keys)
        self.self_embed = nn.Sequential(nn.LayerNorm(n_self), linear(n_self, width), act())
        self.entity_embed = nn.ModuleDict({
            k: nn.Sequential(linear(space[k].shape[1] + n_self, width), act()) for k in self.entity_keys})
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm = nn.LayerNorm(width)
        self.out = nn.Sequential(linear(2 * width, width), act())
        self.out_dim = width

    def forward(self, obs: dict[str, torch.Tensor]) -> torch.Tensor:
        own = torch.cat([obs[k] for k in self.self_keys], -1)
        h_self = self.self_embed(own)
        tokens, valid = [h_self[:, None]], [torch.ones_like(own[:, :1])]
        for k in self.entity_keys:
            ent = obs[k]
            tokens.append(self.embed(k, ent, own))
            valid.append(obs[self.mask_of[k]] if k in self.mask_of else torch.ones_like(ent[..., 0]))
        x, valid = torch.cat(tokens, 1), torch.cat(valid, 1) > 0.5
        x = self.norm(x + self.attend(x, valid))
        pooled = (x * valid[..., None]).sum(1) / valid.sum(1, keepdim=True)
        return self.out(torch.cat([h_self, pooled], -1))

    def embed(self, key: str, ent: torch.Tensor, own: torch.Tensor) -> torch.Tensor:
        """`entity_embed[key]` of each entity joined with the own features, its weight split in two so
        that the own features' part is computed once per agent rather than once per entity."""
        layer, act = self.entity_embed[key]
        n = ent.shape[-1]
        return act(F.linear(ent, layer.weight[:, :n]) + F.linear(own, layer.weight[:, n:], layer.bias)[:, None])

    def attend(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """What `self.attention(x, x, x, key_padding_mask=~valid)` computes, written out with its
        weights: on a CPU, with sequences of ten tokens, the module's general path is the slower
        (benchmarks/bench_entity_attention.py). The self token is always valid, so no row is empty."""
        n, t, width = x.shape
        heads = self.attention.num_heads
        q, k, v = F.linear(x, self.attention.in_proj_weight, self.attention.in_proj_bias) \
            .view(n, t, 3, heads, width // heads).permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-1, -2)) * (width // heads) ** -0.5
        weights = scores.masked_fill(~valid[:, None, None, :], float("-inf")).softmax(-1)
        return self.attention.out_proj((weights @ v).transpose(1, 2).reshape(n, t, width))


class Trunk(nn.Module):
    """Encoder, then optionally a GRU whose state is zeroed where `first` marks an episode start."""

    def __init__(self, space: gym.Space, cfg):
        super().__init__()
        if isinstance(space, gym.spaces.Dict):
            self.encoder = EntityEncoder(space, cfg.hidden, cfg.activation)
        else:
            self.encoder = MLP(space, cfg.hidden, cfg.activation, cfg.layer_norm)
        self.out_dim = self.encoder.out_dim
        self.gru = nn.GRUCell(self.out_dim, self.out_dim) if cfg.recurrent else None
        if self.gru is not None:
            for name, p in self.gru.named_parameters():
                nn.init.orthogonal_(p) if "weight" in name else nn.init.zeros_(p)

    def forward(self, obs: dict, h: torch.Tensor | None, first: torch.Tensor):
        L, B = first.shape
        x = self.encoder({k: v.reshape(L * B, *v.shape[2:]) for k, v in obs.items()}).reshape(L, B, -1)
        if self.gru is None:
            return x, h
        out = []
        for t in range(L):
            h = self.gru(x[t], h * (1 - first[t, :, None]))
            out.append(h)
        return torch.stack(out), h


class MultiCategorical:
    """Independent categoricals (a Discrete space is one of them); actions are float [..., k].
    Consecutive components with the same number of choices are one block: a view [..., count, n] of
    the logits, so [11, 11, 11, 2, 2] takes two log-softmaxes, with no copying or padding. Written
    out rather than through torch.distributions: each minibatch builds one, and the library's
    checks and broadcasting cost more than the maths on small networks."""

    def __init__(self, logits: torch.Tensor, nvec: list[int]):
        self.blocks = _blocks(tuple(nvec))
        self.logp = [_log_softmax(logits[..., lo:lo + count * n].unflatten(-1, (count, n)))
                     for lo, _, count, n in self.blocks]

    def _each(self, a: torch.Tensor):
        """(log-probabilities, actions [..., count]) of each block."""
        return ((logp, a[..., first:first + count].long()) for logp, (_, first, count, _) in zip(self.logp, self.blocks))

    def sample(self):
        """Inverse CDF: one uniform draw per component, counted against the cumulative probabilities
        (3x faster than Gumbel-max or torch.multinomial on the rollout's small batches); the clamp
        covers a cumulative sum that rounds to just under 1."""
        return torch.cat([(logp.exp().cumsum(-1) < torch.rand(*logp.shape[:-1], 1, device=logp.device)).sum(-1)
                          .clamp(max=logp.shape[-1] - 1) for logp in self.logp], -1).float()

    def mode(self):
        return torch.cat([logp.argmax(-1) for logp in self.logp], -1).float()

    def log_prob(self, a):
        return sum(logp.gather(-1, part[..., None]).sum((-2, -1)) for logp, part in self._each(a))

    def entropy(self):
        return -sum((logp.exp() * logp).sum((-2, -1)) for logp in self.logp)

    def entropies(self):
        """Each component's entropy [..., k]; `entropy()` is their sum, added up block by block."""
        return -torch.cat([(logp.exp() * logp).sum(-1) for logp in self.logp], -1)

    def kl(self, other: "MultiCategorical"):
        """KL(self || other)."""
        return sum((p.exp() * (p - q)).sum((-2, -1)) for p, q in zip(self.logp, other.logp))


def _log_softmax(x: torch.Tensor) -> torch.Tensor:
    """log_softmax over the last axis: 2-4x faster than torch.log_softmax on the CPU for axes as
    short as these (measured on 64 to 8,192 rows of 3 x 11); logsumexp subtracts the maximum first."""
    return x - x.logsumexp(-1, keepdim=True)


@functools.lru_cache
def _blocks(nvec: tuple[int, ...]) -> tuple[tuple[int, int, int, int], ...]:
    """(first logit, first component, count, choices) of each run of equal components."""
    blocks, logit, component = [], 0, 0
    for n, run in itertools.groupby(nvec):
        count = len(list(run))
        blocks.append((logit, component, count, n))
        logit, component = logit + count * n, component + count
    return tuple(blocks)


class DiagGaussian:
    """`log_std` is expanded to the mean's shape: a view of the parameter, which keeps the old
    values when TRPO's line search swaps the parameters' storage."""
    _HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)

    def __init__(self, mean: torch.Tensor, log_std: torch.Tensor):
        self.mean, self.log_std = mean, log_std

    def sample(self):
        return self.mean + self.log_std.exp() * torch.randn_like(self.mean)

    def mode(self):
        return self.mean

    def _log_norm(self) -> torch.Tensor:
        return self.log_std.sum(-1) + self._HALF_LOG_2PI * self.mean.shape[-1]

    def log_prob(self, a):
        z = (a - self.mean) * torch.exp(-self.log_std)
        return -0.5 * (z * z).sum(-1) - self._log_norm()

    def entropy(self):
        return self._log_norm() + 0.5 * self.mean.shape[-1]

    def entropies(self):
        return (self.log_std + self._HALF_LOG_2PI + 0.5).expand_as(self.mean)

    def kl(self, other: "DiagGaussian"):
        """KL(self || other)."""
        gap = (self.mean - other.mean) * torch.exp(-other.log_std)
        log_ratio = self.log_std - other.log_std
        return 0.5 * (gap * gap).sum(-1) + (0.5 * (torch.exp(2 * log_ratio) - 1) - log_ratio).sum(-1)


class Actor(nn.Module):
    def __init__(self, obs_space: gym.Space, action_space: gym.Space, cfg):
        super().__init__()
        self.trunk = Trunk(obs_space, cfg)
        if isinstance(action_space, gym.spaces.Box):
            self.nvec = None
            n_out = int(math.prod(action_space.shape))
            self.log_std = nn.Parameter(torch.zeros(n_out))
        else:
            nvec = [int(action_space.n)] if isinstance(action_space, gym.spaces.Discrete) else action_space.nvec
            self.nvec = [int(n) for n in nvec]
            n_out = sum(self.nvec)
        self.head = linear(self.trunk.out_dim, n_out, gain=0.01)
        if cfg.action_init:
            self._init_choices(cfg.action_init)

    def _init_choices(self, action_init: dict):
        """Head biases that give those components their initial probabilities (the tiny initial
        weights leave the logits at about the biases)."""
        for k, probs in action_init.items():
            if self.nvec is None or k >= len(self.nvec) or len(probs) != self.nvec[k]:
                space = "a continuous action space" if self.nvec is None else f"choices {self.nvec}"
                raise InputError(f"action_init: component {k} with {len(probs)} probabilities does not fit {space}")
            start = sum(self.nvec[:k])
            with torch.no_grad():
                self.head.bias[start:start + len(probs)] = torch.log(torch.tensor(probs, dtype=torch.float32))

    @property
    def out_dim(self) -> int:
        return self.trunk.out_dim

    def head_out(self, obs: dict, h, first):
        """(logits or means [L, B, n_out], new hidden state)"""
        x, h = self.trunk(obs, h, first)
        return self.head(x).float(), h   # float32 even under bfloat16 autocast: the distribution's maths need it

    def distribution(self, out: torch.Tensor, log_std: torch.Tensor | None = None):
        if self.nvec is not None:
            return MultiCategorical(out, self.nvec)
        return DiagGaussian(out, (self.log_std if log_std is None else log_std).expand_as(out))

    def forward(self, obs: dict, h, first):
        out, h = self.head_out(obs, h, first)
        return self.distribution(out), h


class RankedActors(nn.Module):
    """One `Actor` per agent rank in the team, no weights shared between teammates. Rows come
    rank-minor, row b acted for by rank b % R: the rollout's env x agent layout, which the update's
    minibatches keep (`minibatches(..., group=R)`), so each actor reads a strided slice of the batch
    and no row needs looking up."""

    def __init__(self, n_ranks: int, obs_space: gym.Space, action_space: gym.Space, cfg):
        super().__init__()
        self.actors = nn.ModuleList(Actor(obs_space, action_space, cfg) for _ in range(n_ranks))

    @property
    def out_dim(self) -> int:
        return self.actors[0].out_dim

    def forward(self, obs: dict, h, first):
        L, B = first.shape
        R = len(self.actors)
        outs = [actor.head_out({k: v[:, i::R] for k, v in obs.items()}, None if h is None else h[i::R], first[:, i::R])
                for i, actor in enumerate(self.actors)]
        out = torch.stack([o for o, _ in outs], 2).reshape(L, B, -1)
        h = None if h is None else torch.stack([h_i for _, h_i in outs], 1).reshape(B, -1)
        actor = self.actors[0]
        log_std = None if actor.nvec is not None else torch.stack([a.log_std for a in self.actors]).repeat(B // R, 1)
        return actor.distribution(out, log_std), h


class Critic(nn.Module):
    def __init__(self, space: gym.Space, cfg):
        super().__init__()
        self.trunk = Trunk(space, cfg)
        self.head = linear(self.trunk.out_dim, 1, gain=1.0)

    def forward(self, obs: dict, h, first):
        x, h = self.trunk(obs, h, first)
        return self.head(x)[..., 0].float(), h
