"""`arena plot` draws a run's curves; stage rates come from episode statistics."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from arena import stages


def _stats(hidden, fort, crossings=0.0, ramps=0.0):
    return {"hidden_fraction": hidden, "fort_prep": fort, "seeker_ramp_crossings": crossings,
            "ramps_defended_prep": ramps}


def test_stage_rates_count_the_episodes_that_show_each_stage():
    episodes = [_stats(0.2, 1.0), _stats(0.9, 0.0, crossings=1.0), _stats(0.9, 1.0, ramps=1.0),
                _stats(0.6, 0.0, ramps=0.5)]
    assert stages.rates(episodes) == {"stage/chasing": 0.25, "stage/fort": 0.5, "stage/ramp_use": 0.25,
                                      "stage/ramp_defence": 0.25}
    assert stages.rates([{"other_task": 1.0}]) == {}


def _run(path, rows):
    """A run directory at `path` whose metrics.jsonl holds `rows`."""
    path.mkdir(exist_ok=True)
    (path / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return str(path)


def _arena(*args):
    return subprocess.run([sys.executable, "-m", "agents.cli", *args], capture_output=True, text=True)


def test_plot_writes_a_png_and_tolerates_a_cut_last_line(tmp_path):
    rows = [{"step": 1000 * i, "return/hider": i, "return/seeker": -i, "stage/fort": i / 10} for i in range(10)]
    (tmp_path / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + '\n{"step": 10')
    result = _arena("plot", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_bad_input_exits_2(tmp_path):
    assert _arena("plot", str(tmp_path)).returncode == 2
    (tmp_path / "metrics.jsonl").write_text('{"step": 1}\nnot json\n{"step": 2}\n')
    result = _arena("plot", str(tmp_path))
    assert result.returncode == 2 and "metrics.jsonl:2: not JSON" in result.stderr
    assert _arena("plot", str(tmp_path), "--out", str(tmp_path / "c.jpg")).returncode == 2


def test_plot_marks_the_first_step_of_each_stage_from_stages_json(tmp_path, monkeypatch, capsys):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    from agents.commands.plot import plot

    rows = [{"step": 1000 * i, "return/hider": i, "return/seeker": -i, "stage/chasing": i / 10, "stage/fort": 0.0}
            for i in range(10)]
    _run(tmp_path, rows)
    marks = []
    axvline = Axes.axvline
    monkeypatch.setattr(Axes, "axvline", lambda self, x, **kw: marks.append(x) or axvline(self, x, **kw))
    plot(tmp_path, tmp_path / "none.png")
    assert marks == []  # no stages.json: no marks
    (tmp_path / "stages.json").write_text(json.dumps({"chasing": {"step": 6000, "update": 6, "share": 0.6}}))
    assert plot(tmp_path, tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert marks == [6000, 6000]  # on the returns panel and on the stage panel
    (tmp_path / "stages.json").write_text("[1, 2]")
    marks.clear()
    plot(tmp_path, tmp_path / "c.png")
    assert marks == [] and "stages.json: unreadable" in capsys.readouterr().err


def test_plot_draws_the_curriculum_scaled_over_its_waypoints(tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    from agents.commands.plot import plot

    rows = [{"step": 1000 * i, "return/hider": i, "curriculum/d": 0.3 * i} for i in range(6)]
    _run(tmp_path, rows)
    (tmp_path / "config.yaml").write_text("target: hide_and_seek_quadrant\ncurriculum: {d: [0.0, 3.0, 3.0]}\n")
    lines = {}
    draw = Axes.plot

    def plot_and_note(self, x, y, *args, **kwargs):
        lines[kwargs.get("label")] = y
        return draw(self, x, y, *args, **kwargs)

    monkeypatch.setattr(Axes, "plot", plot_and_note)
    plot(tmp_path, tmp_path / "c.png")
    assert lines["curriculum d (0..3)"] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])


def test_plot_compares_runs_on_chosen_metrics(tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    from agents.commands.plot import compare

    a = _run(tmp_path / "a", [{"step": i, "hider/entropy": 8.0, "return/hider": i} for i in range(5)])
    b = _run(tmp_path / "b", [{"step": i, "hider/entropy": 8.0 - i, "return/hider": -i} for i in range(5)])
    result = _arena("plot", a, b, "--metric", "hider/entropy", "--metric", "return/hider")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a" / "compare.png").read_bytes()[:4] == b"\x89PNG"
    lines = []
    draw = Axes.plot
    monkeypatch.setattr(Axes, "plot", lambda self, x, y, *args, **kw: lines.append((kw["label"], y))
                        or draw(self, x, y, *args, **kw))
    compare([tmp_path / "a", tmp_path / "b"], ["hider/entropy"], tmp_path / "c.png")
    assert lines[0] == ("a", pytest.approx([8.0] * 5)) and lines[1][0] == "b"
    assert lines[1][1] == pytest.approx([8.0, 7.5, 7.0, 6.5, 6.0])  # smoothed: running mean while under SMOOTH rows


def test_plot_compare_draws_a_metric_for_the_runs_that_logged_it(tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    from agents.commands.plot import compare

    _run(tmp_path / "a", [{"step": i, "hider/entropy": 8.0} for i in range(3)])
    _run(tmp_path / "b", [{"step": i, "hider/entropy": 7.0, "hider/ent_coef": 0.01} for i in range(3)])
    drawn = []
    draw = Axes.plot
    monkeypatch.setattr(Axes, "plot", lambda self, x, y, *args, **kw: drawn.append((kw["label"], kw["color"]))
                        or draw(self, x, y, *args, **kw))
    compare([tmp_path / "a", tmp_path / "b"], ["hider/entropy", "hider/ent_coef"], tmp_path / "c.png")
    assert drawn == [("a", "C0"), ("b", "C1"), ("b", "C1")]  # b keeps its colour where a has no line


def test_plot_compare_breaks_a_line_where_a_run_stopped_logging_the_metric(tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    from agents.commands import plot

    rows = [{"step": i, **({"episode/fort_prep_doors_2": 0.1} if i < 5 or i >= 80 else {})} for i in range(100)]
    _run(tmp_path / "a", rows)
    drawn = []
    draw = Axes.plot
    monkeypatch.setattr(Axes, "plot", lambda self, x, y, *args, **kw: drawn.append(list(y)) or draw(self, x, y, *args, **kw))
    plot.compare([tmp_path / "a"], ["episode/fort_prep_doors_2"], tmp_path / "c.png")
    gap = [math.isnan(v) for v in drawn[0]]
    assert len(gap) == 100 and not any(gap[:5] + gap[80:]) and all(gap[5 + plot.SMOOTH:80])


def test_plot_compare_bad_input_exits_2(tmp_path):
    a = _run(tmp_path / "a", [{"step": 0, "return/seeker": 0.0}])
    b = _run(tmp_path / "b", [{"step": 0, "return/seeker": 0.0}])
    result = _arena("plot", a, b, "--metric", "return/hider")
    assert result.returncode == 2 and "no run logged return/hider" in result.stderr
    assert "b/metrics.jsonl" in result.stderr and "return/seeker" in result.stderr  # the keys they do have
    result = _arena("plot", a, b)
    assert result.returncode == 2 and "--metric" in result.stderr
    assert not (tmp_path / "a" / "compare.png").exists()


def test_plot_splits_the_fort_rate_by_the_doors_of_the_room_when_logged(tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    from agents.commands.plot import plot

    rows = [{"step": 1000 * i, "return/hider": i, "stage/fort": 0.5, "episode/fort_prep_doors_1": 0.8,
             **({"episode/fort_prep_doors_2": 0.2} if i % 2 else {})} for i in range(6)]
    _run(tmp_path, rows)
    lines = {}
    draw = Axes.plot

    def plot_and_note(self, x, y, *args, **kwargs):
        lines[kwargs.get("label")] = (x, y)
        return draw(self, x, y, *args, **kwargs)

    monkeypatch.setattr(Axes, "plot", plot_and_note)
    plot(tmp_path, tmp_path / "c.png")
    assert lines["fort, 1-door rooms"][0] == [0, 1000, 2000, 3000, 4000, 5000]
    assert lines["fort, 2-door rooms"][1] == pytest.approx([np.nan, 0.2, 0.2, 0.2, 0.2, 0.2], nan_ok=True)


def test_smoothing_skips_missing_values_and_leaves_a_gap_only_where_the_window_has_none(monkeypatch):
    from agents.commands import plot

    monkeypatch.setattr(plot, "SMOOTH", 2)
    assert plot._smooth([1.0, 3.0, np.nan, np.nan, 5.0]) == pytest.approx([1.0, 2.0, 3.0, np.nan, 5.0], nan_ok=True)
