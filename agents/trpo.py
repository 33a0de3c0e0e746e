"""TRPO (Schulman et al. 2015) and truncated natural policy gradient (TNPG, Duan et al. 2016).

Both solve F s = g for the natural direction s = F^-1 g with conjugate gradient, where g is the
gradient of the surrogate L(theta) = E[pi_theta(a|s) / pi_old(a|s) * A] and F v is a Fisher-vector
product (the Hessian of the mean KL(pi_old || pi_theta), plus damping * v). Then:
  TNPG: theta += alpha / sqrt(g^T F^-1 g) * s
  TRPO: theta += beta * s with beta = sqrt(2 delta / s^T F s), shrunk geometrically until the mean KL
        is at most delta and the surrogate improves; if no step qualifies, theta is restored.
The critic is fitted separately with Adam on minibatches (the same value loss as PPO)."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from agents.buffer import minibatches, sequences
from agents.policy import TeamPolicy
from agents.ppo import component_entropies, explained_variance, masked_mean, prepare, value_loss


def conjugate_gradient(matvec, b: torch.Tensor, iters: int, tol: float = 1e-10) -> torch.Tensor:
    """Approximately solve A x = b for symmetric positive definite A given only x -> A x."""
    x = torch.zeros_like(b)
    r, p = b.clone(), b.clone()
    rr = r @ r
    for _ in range(iters):
        Ap = matvec(p)
        alpha = rr / (p @ Ap)
        x += alpha * p
        r -= alpha * Ap
        rr_new = r @ r
        if rr_new < tol:
            break
        p = r + rr_new / rr * p
        rr = rr_new
    return x


def line_search(params: list[nn.Parameter], step: torch.Tensor, evaluate, max_kl: float, shrink: float,
                iters: int) -> dict:
    """Try theta + shrink^i * step for i = 0..iters-1; keep the first with KL <= max_kl and a better
    surrogate. `evaluate()` returns (surrogate, kl) at the current parameters. Restores theta on failure."""
    old = parameters_to_vector(params).detach().clone()
    base, _ = evaluate()
    for i in range(iters):
        vector_to_parameters(old + shrink**i * step, params)
        surrogate, kl = evaluate()
        if kl <= max_kl and surrogate > base:
            return {"accepted": 1.0, "backtracks": float(i), "kl": float(kl), "improvement": float(surrogate - base)}
    vector_to_parameters(old, params)
    return {"accepted": 0.0, "backtracks": float(iters), "kl": 0.0, "improvement": 0.0}


class TRPO:
    natural_only = False  # TNPG: a fixed-size natural step, no line search

    def __init__(self, policy: TeamPolicy, cfg):
        self.policy, self.cfg = policy, cfg
        self.optimizer = torch.optim.Adam(policy.critic.parameters(), lr=cfg.lr, eps=1e-5, fused=True)

    def update(self, batch: dict, progress: float) -> dict:
        cfg, policy = self.cfg, self.policy
        batch = prepare(batch, policy, cfg.norm_adv)
        seqs = sequences(batch, cfg.chunk_len)
        stats = self.policy_step(seqs)
        for _ in range(cfg.epochs):
            for mb in minibatches(seqs, cfg.minibatches):
                loss = value_loss(policy, mb, cfg)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
        stats.update(value_loss=loss.item(), explained_variance=explained_variance(batch))
        return stats

    def policy_step(self, data: dict) -> dict:
        cfg, actor = self.cfg, self.policy.actor
        params = [p for p in actor.parameters() if p.requires_grad]
        h = data["h_actor"][0] if data["h_actor"] is not None else None
        mask, adv = data["mask"], data["advantages"]

        def dist():
            return actor(data["actor_in"], h, data["first"])[0]

        with torch.no_grad():
            old = dist()

        def evaluate():
            with torch.no_grad():
                new = dist()
                ratio = (new.log_prob(data["actions"]) - data["logp"]).exp()
                return masked_mean(ratio * adv, mask).item(), masked_mean(old.kl(new), mask).item()

        new = dist()
        ratio = (new.log_prob(data["actions"]) - data["logp"]).exp()
        surrogate = masked_mean(ratio * adv, mask)
        g = parameters_to_vector(torch.autograd.grad(surrogate, params, retain_graph=True))
        grad_kl = parameters_to_vector(torch.autograd.grad(masked_mean(old.kl(new), mask), params, create_graph=True))

        def fisher_vector(v):
            fv = parameters_to_vector(torch.autograd.grad(grad_kl @ v, params, retain_graph=True))
            return fv + cfg.cg_damping * v

        s = conjugate_gradient(fisher_vector, g, cfg.cg_iters)
        sFs = s @ fisher_vector(s)
        stats = {"policy_loss": -surrogate.item(), "entropy": masked_mean(new.entropy(), mask).item(),
                 "grad_norm": g.norm().item(), **component_entropies(new, mask)}
        if not torch.isfinite(sFs) or sFs <= 0:
            return {**stats, "accepted": 0.0, "kl": 0.0}
        if self.natural_only:
            gFg = (g @ s).clamp(min=1e-12)  # g^T F^-1 g
            vector_to_parameters(parameters_to_vector(params).detach() + cfg.npg_alpha / gFg.sqrt() * s, params)
            return {**stats, "kl": evaluate()[1]}
        step = torch.sqrt(2 * cfg.max_kl / sFs) * s
        return {**stats, **line_search(params, step, evaluate, cfg.max_kl, cfg.backtrack_coef, cfg.backtrack_iters)}

    def state_dict(self) -> dict:
        return {"optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict):
        self.optimizer.load_state_dict(state["optimizer"])


class TNPG(TRPO):
    natural_only = True
