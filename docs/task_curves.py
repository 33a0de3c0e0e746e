"""Learning curves of the transfer tasks for docs/tasks.md: `python docs/task_curves.py RUN_DIR...`
plots each run's mean episode return (from its metrics.jsonl) against environment steps, beside the
mean return of uniformly random actions in the same scenario, into docs/img/<scenario>.png. Where the
return hides the progress (in shelter_construction the spawn decides most of it), a second panel
shows the episode statistic that does not (`PROGRESS`)."""
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
# scenario -> (label, function of an episode's statistics)
PROGRESS = {"shelter_construction": ("rays shut out during the episode",
                                     lambda stats: stats["rays_reaching_start"] - stats["rays_reaching"])}


def random_play(scenario: str, episodes: int = 40) -> tuple[float, list[dict]]:
    """Mean return of uniformly random actions, and each episode's statistics."""
    env = arena.parallel_env(scenario)
    rng = np.random.default_rng(0)
    totals, stats = [], []
    for episode in range(episodes):
        env.reset(seed=episode)
        total = 0.0
        while env.agents:
            _, rewards, _, _, infos = env.step({a: rng.integers(0, env.action_space(a).nvec) for a in env.agents})
            total += float(np.mean(list(rewards.values())))
        totals.append(total)
        stats.append(next(iter(infos.values()))["episode_stats"])
    return float(np.mean(totals)), stats


def _panel(ax, steps, values, baseline, label, ylabel):
    window = min(5, len(values))
    smooth = np.convolve(values, np.ones(window) / window, mode="valid")
    ax.plot(steps, values, color="tab:blue", alpha=0.3, label=label)
    ax.plot(steps[window - 1:], smooth, color="tab:blue", label=f"moving mean of {window} updates")
    ax.axhline(baseline, color="grey", linestyle="--", label="random actions")
    ax.set(xlabel="environment steps", ylabel=ylabel)
    ax.legend(fontsize=8)


def plot(run: Path) -> str:
    config = yaml.safe_load((run / "config.yaml").read_text())
    scenario, algo = config["target"], config["algo"].upper() + (" (recurrent)" if config["recurrent"] else "")
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    rows = [r for r in rows if any(k.startswith("return/") for k in r)]
    key = next(k for k in rows[0] if k.startswith("return/"))
    steps, returns = np.array([r["step"] for r in rows]), np.array([r[key] for r in rows])
    baseline, random_stats = random_play(scenario)
    progress = PROGRESS.get(scenario)
    fig, axes = plt.subplots(1, 2 if progress else 1, figsize=(10 if progress else 5, 3.2), dpi=100, squeeze=False)
    _panel(axes[0, 0], steps, returns, baseline, f"{algo}, mean episode return", "return")
    k = max(len(returns) // 10, 1)
    summary = (f"{scenario}: random {baseline:.3f}, first {k} updates {returns[:k].mean():.3f}, "
               f"last {k} updates {returns[-k:].mean():.3f}, {steps[-1]} steps")
    if progress:
        label, measure = progress
        values = np.array([measure({n[len("episode/"):]: v for n, v in r.items() if n.startswith("episode/")})
                           for r in rows])
        random_value = float(np.mean([measure(stats) for stats in random_stats]))
        _panel(axes[0, 1], steps, values, random_value, f"{algo}, mean over the update's episodes", label)
        summary += f"; {label}: random {random_value:.2f}, first {values[:k].mean():.2f}, last {values[-k:].mean():.2f}"
    fig.suptitle(scenario)
    fig.tight_layout()
    fig.savefig(OUT / f"{scenario}.png")
    return summary


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for run_dir in sys.argv[1:]:
        print(plot(Path(run_dir)))
