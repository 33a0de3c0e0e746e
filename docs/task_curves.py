"""Learning curves of the transfer tasks for docs/tasks.md: `python docs/task_curves.py RUN_DIR...`
plots each run's mean episode return (from its metrics.jsonl) against environment steps, beside the
mean return of uniformly random actions in the same scenario, into docs/img/<scenario>.png."""
import json
import sys
from pathlib import Path

import matplotlib
import numpy as np
import yaml

import arena

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OUT = Path(__file__).parent / "img"


def random_return(scenario: str, episodes: int = 40) -> float:
    env = arena.parallel_env(scenario)
    rng = np.random.default_rng(0)
    totals = []
    for episode in range(episodes):
        env.reset(seed=episode)
        total = 0.0
        while env.agents:
            _, rewards, *_ = env.step({a: rng.integers(0, env.action_space(a).nvec) for a in env.agents})
            total += float(np.mean(list(rewards.values())))
        totals.append(total)
    return float(np.mean(totals))


def plot(run: Path) -> str:
    config = yaml.safe_load((run / "config.yaml").read_text())
    scenario, algo = config["target"], config["algo"].upper() + (" (recurrent)" if config["recurrent"] else "")
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    rows = [r for r in rows if any(k.startswith("return/") for k in r)]
    key = next(k for k in rows[0] if k.startswith("return/"))
    steps, returns = np.array([r["step"] for r in rows]), np.array([r[key] for r in rows])
    baseline = random_return(scenario)
    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=100)
    window = min(5, len(returns))
    smooth = np.convolve(returns, np.ones(window) / window, mode="valid")
    ax.plot(steps, returns, color="tab:blue", alpha=0.3, label=f"{algo}, mean episode return")
    ax.plot(steps[window - 1:], smooth, color="tab:blue", label=f"moving mean of {window} updates")
    ax.axhline(baseline, color="grey", linestyle="--", label="random actions")
    ax.set(xlabel="environment steps", ylabel="return", title=scenario)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / f"{scenario}.png")
    k = max(len(returns) // 10, 1)
    return (f"{scenario}: random {baseline:.3f}, first {k} updates {returns[:k].mean():.3f}, "
            f"last {k} updates {returns[-k:].mean():.3f}, {steps[-1]} steps")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for run_dir in sys.argv[1:]:
        print(plot(Path(run_dir)))
