"""The entity encoder as shipped against the same encoder written the straightforward way, same weights.

    python benchmarks/bench_entity_attention.py [--batch 8192] [--width 64] [--repeat 5]

Times a forward and backward pass of the entity encoder on a minibatch of hide_and_seek_quadrant
observations (with the recipe's door sensor), once as shipped (the entity embeddings' weights split
so the own features are embedded once per agent, and the attention written out) and once the
straightforward way (each entity concatenated with the own features, and torch's
nn.MultiheadAttention), alternating the two --repeat times in one run, in float32 and under
bfloat16 autocast (the recipe's `bf16`), and prints the ratio of the times. The two agree to float32 rounding."""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import arena
from agents.networks import EntityEncoder


def observations(env, batch: int) -> dict[str, torch.Tensor]:
    rows = []
    for seed in range(batch // len(env.possible_agents) + 1):
        obs, _ = env.reset(seed=seed)
        rows += [obs[a] for a in env.agents]
    return {k: torch.as_tensor(np.stack([r[k] for r in rows[:batch]])).float() for k in rows[0]}


class Straightforward(EntityEncoder):
    """The same encoder written the obvious way: each entity concatenated with the own features before
    its embedding, and the attention step done by torch's module."""

    def embed(self, key, ent, own):
        return self.entity_embed[key](torch.cat([ent, own[:, None].expand(-1, ent.shape[1], -1)], -1))

    def attend(self, x, valid):
        return self.attention(x, x, x, key_padding_mask=~valid, need_weights=False)[0]


def seconds(encoder: EntityEncoder, obs: dict, bf16: bool) -> float:
    start = time.perf_counter()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        out = encoder(obs)
    out.float().square().mean().backward()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=8192)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    env = arena.parallel_env("hide_and_seek_quadrant", sensors__doors=2)
    obs, space = observations(env, args.batch), env.observation_space("hider_0")
    torch.manual_seed(0)
    ours, theirs = EntityEncoder(space, [args.width], "relu"), Straightforward(space, [args.width], "relu")
    theirs.load_state_dict(ours.state_dict())
    with torch.no_grad():
        gap = (ours(obs) - theirs(obs)).abs().max().item()
    print(f"entity encoder, width {args.width}, minibatch {args.batch}, {torch.get_num_threads()} threads; "
          f"largest difference between the two outputs {gap:.1e}")
    for bf16 in (False, True):
        totals = {"as shipped": 0.0, "straightforward": 0.0}
        for i in range(args.repeat + 1):
            times = {"as shipped": seconds(ours, obs, bf16), "straightforward": seconds(theirs, obs, bf16)}
            if i:   # the first pass warms up both
                for name, t in times.items():
                    totals[name] += t
        kind = "bfloat16 autocast" if bf16 else "float32"
        print(f"  {kind:18s} forward+backward: as shipped {totals['as shipped'] / args.repeat * 1e3:7.1f} ms, "
              f"straightforward {totals['straightforward'] / args.repeat * 1e3:7.1f} ms, "
              f"ratio {totals['as shipped'] / totals['straightforward']:.2f}")


if __name__ == "__main__":
    main()
