"""`arena plot RUN_DIR --out curves.png`: returns per team and emergence-stage rates over steps, with
the step at which each stage first held in most episodes (RUN_DIR/stages.json) marked, each stage's
phase shaded until the next stage first held (where it is overtaken), and the
curriculum's values (scaled to 0..1 over their waypoints) beside the stage rates; quadrant runs also
get the fort rate of their one-door and two-door rooms.
`arena plot RUN_DIR RUN_DIR... --metric KEY...`: one panel per metrics.jsonl key, one line per run."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from agents.commands.argtypes import output_file
from scenarios.errors import InputError

SMOOTH = 10


def register(subparsers) -> None:
    p = subparsers.add_parser("plot", help="draw a run's learning curves as a PNG",
                              description="Returns per team, and the share of episodes showing each "
                                          "emergence stage, against environment steps; dotted lines mark "
                                          "where each stage first held in most episodes (stages.json). "
                                          "With --metric, compares runs instead: one panel per metric, one "
                                          "line per run.")
    p.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR", help="run directories of `arena train`")
    p.add_argument("--metric", action="append", metavar="KEY",
                   help="a metrics.jsonl key to compare across the runs, e.g. hider/entropy (repeatable; default: the "
                        "returns and stage rates of one run)")
    p.add_argument("--out", type=output_file("--out"), help="PNG to write (default RUN_DIR/curves.png, or compare.png in the "
                                            "first RUN_DIR with --metric)")
    p.set_defaults(run=run)


def read_metrics(run_dir: Path) -> list[dict]:
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        raise InputError(f"{run_dir}: no metrics.jsonl here; is this a run directory of `arena train`?")
    lines = path.read_text().splitlines()
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            if number == len(lines):
                break  # a run killed while writing its last line
            raise InputError(f"{path}:{number}: not JSON ({e.msg})") from None
    if not rows:
        raise InputError(f"{path}: no updates logged yet")
    return rows


def read_firsts(run_dir: Path) -> dict[str, int]:
    """{stage: first step} from stages.json; a missing file is no marks, a bad one a warning."""
    path = run_dir / "stages.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
        return {name: int(entry["step"]) for name, entry in data.items()}
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        print(f"arena: warning: {path}: unreadable ({type(e).__name__}: {e}); no stage marks", file=sys.stderr)
        return {}


def read_curriculum(run_dir: Path) -> dict[str, tuple[float, float]]:
    """{key: (lowest, highest) waypoint} of the run's curriculum (config.yaml); none is no lines."""
    from agents import config

    path = run_dir / "config.yaml"
    if not path.is_file():
        return {}
    try:
        points = config.load(path).curriculum
    except InputError as e:
        print(f"arena: warning: {e}; no curriculum lines", file=sys.stderr)
        return {}
    return {key: (min(p), max(p)) for key, p in points.items() if max(p) > min(p)}


def _series(rows: list[dict], key: str, gaps: bool = False) -> tuple[list[float], list[float]]:
    """(steps, values) of `key`; rows without it are skipped, or with `gaps` kept as NaN."""
    points = [(r["step"], r.get(key, float("nan"))) for r in rows if "step" in r and (gaps or key in r)]
    return [p[0] for p in points], [p[1] for p in points]


def _smooth(values: list[float]) -> list[float]:
    """The mean of the last SMOOTH values, skipping NaN (NaN where all of them are)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    known = np.concatenate([[0], np.cumsum(~np.isnan(values))])
    total = np.concatenate([[0.0], np.cumsum(np.nan_to_num(values))])
    start = np.maximum(np.arange(len(values)) + 1 - SMOOTH, 0)
    count = known[1:] - known[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        return list(np.where(count > 0, (total[1:] - total[start]) / count, np.nan))


def _pyplot():
    """pyplot without a display."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig, out: Path) -> Path:
    """Write the figure atomically as a PNG and free it."""
    import matplotlib.pyplot as plt

    from replays.files import atomic_output

    fig.tight_layout()
    with atomic_output(out) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return out


def plot(run_dir: Path, out: Path) -> Path:
    from arena.stages import phases

    plt = _pyplot()
    rows = read_metrics(run_dir)
    firsts = read_firsts(run_dir)
    keys = sorted({k for r in rows for k in r})
    returns = [k for k in keys if k.startswith("return/")]
    stages = [k for k in keys if k.startswith("stage/")]
    curriculum = {k: span for k, span in read_curriculum(run_dir).items() if f"curriculum/{k}" in keys}
    panels = 2 if stages or firsts or curriculum else 1
    fig, axes = plt.subplots(panels, 1, figsize=(8, 3.2 * panels), sharex=True, squeeze=False)
    ax = axes[0, 0]
    for key in returns:
        steps, values = _series(rows, key)
        line, = ax.plot(steps, values, alpha=0.25)
        ax.plot(steps, _smooth(values), color=line.get_color(), label=key.removeprefix("return/"))
    ax.set_ylabel("episode return")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    if panels == 2:
        ax = axes[1, 0]
        colors = {}
        for key in stages:
            steps, values = _series(rows, key)
            line, = ax.plot(steps, _smooth(values), label=key.removeprefix("stage/").replace("_", " "))
            colors[key.removeprefix("stage/")] = line.get_color()
        for doors, style in ((1, (0, (1, 1))), (2, "-.")):
            key = f"episode/fort_prep_doors_{doors}"
            if key in keys:  # updates without rooms of that kind do not log it: a gap in the line
                steps, values = _series(rows, key, gaps=True)
                ax.plot(steps, _smooth(values), color=colors.get("fort"), linestyle=style, linewidth=1,
                        label=f"fort, {doors}-door rooms")
        for key, (lo, hi) in curriculum.items():
            steps, values = _series(rows, f"curriculum/{key}")
            ax.plot(steps, [(v - lo) / (hi - lo) for v in values], linestyle="--", linewidth=1,
                    label=f"curriculum {key} ({lo:g}..{hi:g})")
        for name, step in firsts.items():
            for panel in axes[:, 0]:
                panel.axvline(step, color=colors.get(name, "grey"), linestyle=":", linewidth=1.5)
            ax.annotate(f"{name.replace('_', ' ')} first", (step, 1.0), xytext=(3, -3), textcoords="offset points",
                        rotation=90, va="top", fontsize=8, color=colors.get(name, "grey"))
        for name, (first, overtaken) in phases(firsts).items():   # each stage's phase, shaded
            ax.axvspan(first, rows[-1]["step"] if overtaken is None else overtaken, color=colors.get(name, "grey"),
                       alpha=0.08)
            if overtaken is not None:
                ax.annotate(f"{name.replace('_', ' ')} overtaken", (overtaken, 0.0), xytext=(-3, 3),
                            textcoords="offset points", rotation=90, ha="right", fontsize=8,
                            color=colors.get(name, "grey"))
        ax.set_ylabel("share of episodes")
        ax.set_ylim(-0.02, 1.02)
        if stages or curriculum:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("environment steps", labelpad=0)
    fig.suptitle(run_dir.name)
    return _save(fig, out)


def compare(run_dirs: list[Path], metrics: list[str], out: Path) -> Path:
    """One panel per metric, one line per run that logged it (a run keeps its colour in every panel)."""
    plt = _pyplot()
    runs = {run_dir: read_metrics(run_dir) for run_dir in run_dirs}
    keys = {run_dir: {k for r in rows for k in r} for run_dir, rows in runs.items()}
    for metric in metrics:
        if not any(metric in logged for logged in keys.values()):
            known = sorted(set().union(*keys.values()))
            raise InputError(f"no run logged {metric} ({', '.join(str(d / 'metrics.jsonl') for d in runs)}); "
                             f"their keys are {', '.join(known)}")
    fig, axes = plt.subplots(len(metrics), 1, figsize=(8, 2.6 * len(metrics)), sharex=True, squeeze=False)
    lines = {}
    for ax, metric in zip(axes[:, 0], metrics):
        for colour, (run_dir, rows) in enumerate(runs.items()):
            if metric in keys[run_dir]:
                steps, values = _series(rows, metric, gaps=True)  # a break where the run stopped logging it
                lines[run_dir.name], = ax.plot(steps, _smooth(values), label=run_dir.name, color=f"C{colour}")
        ax.set_ylabel(metric, fontsize=8)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(lines.values(), lines.keys(), loc="best", fontsize=8)
    axes[-1, 0].set_xlabel("environment steps", labelpad=0)
    return _save(fig, out)


def run(args) -> int:
    if len(args.run_dirs) > 1 and not args.metric:
        raise InputError("several RUN_DIRs are compared on chosen metrics: add --metric KEY (e.g. --metric "
                         "return/hider), or give one RUN_DIR for its curves")
    default = "compare.png" if args.metric else "curves.png"
    out = args.out or args.run_dirs[0] / default
    if out.suffix.lower() != ".png":
        raise InputError(f"--out {out}: give a path ending in .png")
    made = compare(args.run_dirs, args.metric, out) if args.metric else plot(args.run_dirs[0], out)
    print(f"wrote {made}")
    return 0
