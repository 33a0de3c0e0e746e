"""PPO (Schulman et al. 2017): clipped surrogate, value loss (MSE or Huber, optionally clipped),
entropy bonus, K epochs over random minibatches, gradient clipping. Masked means ignore done/absent
agents, which makes this the MAPPO update as well (Yu et al. 2021)."""
from __future__ import annotations

import torch
from torch import nn

from agents.buffer import minibatches, sequences, shuffles
from agents.policy import TeamPolicy


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1)


@torch.no_grad()
def component_entropies(dist, mask: torch.Tensor) -> dict[str, float]:
    """`entropy_k`: the mean entropy of action component k over the active entries."""
    total = mask.sum().clamp(min=1)
    means = (dist.entropies() * mask[..., None]).flatten(0, -2).sum(0) / total
    return {f"entropy_{k}": h for k, h in enumerate(means.tolist())}


def normalized(advantages: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Advantages scaled to zero mean and unit variance over the active entries (0 elsewhere)."""
    active = advantages[mask > 0]
    std = active.std() if len(active) > 1 else torch.ones(())
    mean = active.mean() if len(active) else torch.zeros(())
    return (advantages - mean) / (std + 1e-8) * mask


def prepare(batch: dict, policy: TeamPolicy, norm_adv: bool) -> dict:
    """Normalise advantages over the batch (`norm_adv`); fit the value normaliser to the new returns."""
    mask = batch["mask"]
    if norm_adv:
        batch = {**batch, "advantages": normalized(batch["advantages"], mask)}
    if policy.value_norm is not None:
        policy.value_norm.update(batch["returns"][mask > 0])
    return batch


def value_loss(policy: TeamPolicy, mb: dict, cfg) -> torch.Tensor:
    """Critic loss in the critic's own (possibly normalised) units."""
    h = mb["h_critic"][0] if mb["h_critic"] is not None else None
    pred, _ = policy.critic(mb["critic_in"], h, mb["first"])
    target, old = mb["returns"], mb["values"]
    if policy.value_norm is not None:
        target, old = policy.value_norm(target), policy.value_norm(old)

    def loss(err):
        if cfg.value_loss == "huber":
            return nn.functional.huber_loss(err, torch.zeros_like(err), reduction="none", delta=cfg.huber_delta)
        return 0.5 * err**2

    losses = loss(target - pred)
    if cfg.value_clip > 0:
        clipped = old + (pred - old).clamp(-cfg.value_clip, cfg.value_clip)
        losses = torch.maximum(losses, loss(target - clipped))
    return masked_mean(losses, mb["mask"])


def explained_variance(batch: dict) -> float:
    m = batch["mask"] > 0
    returns, values = batch["returns"][m], batch["values"][m]
    var = returns.var() if len(returns) > 1 else torch.zeros(())
    return float("nan") if var == 0 else float(1 - (returns - values).var() / var)


class PPO:
    def __init__(self, policy: TeamPolicy, cfg):
        self.policy, self.cfg = policy, cfg
        # agents/entropy.py may raise it between updates, for the whole policy or (a list, one per action
        # component) for some components
        self.ent_coef: float | list[float] = cfg.ent_coef
        self.params = list(policy.parameters())
        self.optimizer = torch.optim.Adam(self.params, lr=cfg.lr, eps=1e-5, fused=True)
        device = self.params[0].device.type
        self.autocast = lambda: torch.autocast(device, dtype=torch.bfloat16, enabled=cfg.bf16)

    def shuffles(self, batch: dict) -> list[torch.Tensor]:
        """The minibatch order of each epoch of an update on `batch`, drawn from torch's global RNG."""
        return shuffles(batch, self.cfg.chunk_len, self.cfg.epochs, group=self.policy.row_group)

    def update(self, batch: dict, progress: float, orders: list[torch.Tensor] | None = None) -> dict:
        """One PPO update on a rollout; `progress` in [0, 1] drives learning-rate annealing; `orders`
        (from `shuffles`) are the epochs' minibatch orders, drawn here when not given."""
        cfg, policy = self.cfg, self.policy
        lr = cfg.lr * (1 - progress) if cfg.anneal_lr else cfg.lr
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        per_minibatch = cfg.norm_adv and cfg.norm_adv_minibatch
        batch = prepare(batch, policy, cfg.norm_adv and not per_minibatch)
        stats = {"lr": lr}
        per_component = not isinstance(self.ent_coef, float)
        if per_component:
            ent_coef = torch.tensor(self.ent_coef, device=self.params[0].device)
        seqs = sequences(batch, cfg.chunk_len)
        for order in orders or self.shuffles(batch):
            for mb in minibatches(seqs, cfg.minibatches, group=policy.row_group, order=order):
                h = mb["h_actor"][0] if mb["h_actor"] is not None else None
                with self.autocast():
                    dist, _ = policy.actor(mb["actor_in"], h, mb["first"])
                    v_loss = value_loss(policy, mb, cfg)
                log_ratio = dist.log_prob(mb["actions"]) - mb["logp"]
                ratio = log_ratio.exp()
                adv, mask = mb["advantages"], mb["mask"]
                if per_minibatch:
                    adv = normalized(adv, mask)
                clipped = ratio.clamp(1 - cfg.clip_coef, 1 + cfg.clip_coef)
                policy_loss = -masked_mean(torch.minimum(ratio * adv, clipped * adv), mask)
                entropy = masked_mean(dist.entropy(), mask)
                bonus = masked_mean((dist.entropies() * ent_coef).sum(-1), mask) if per_component else self.ent_coef * entropy
                loss = policy_loss + cfg.vf_coef * v_loss - bonus
                self.optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.params, cfg.max_grad_norm)
                self.optimizer.step()
            with torch.no_grad():  # statistics of the epoch's last minibatch
                stats.update(policy_loss=policy_loss.item(), value_loss=v_loss.item(), entropy=entropy.item(),
                             kl=masked_mean((ratio - 1) - log_ratio, mask).item(),
                             clip_fraction=masked_mean(((ratio - 1).abs() > cfg.clip_coef).float(), mask).item(),
                             **component_entropies(dist, mask))
            if cfg.target_kl and stats["kl"] > cfg.target_kl:
                break
        stats["explained_variance"] = explained_variance(batch)
        return stats

    def state_dict(self) -> dict:
        return {"optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict):
        self.optimizer.load_state_dict(state["optimizer"])
