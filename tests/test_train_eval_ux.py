"""What training and evaluation tell the user and where eval writes: the progress bar's stage
rates and curriculum stage, the one-time notice of numba compiling, eval.json outside the
installed package, and the previous eval.json kept until the new one is written."""
import json
from pathlib import Path

from agents import config
from agents.cli import main
from agents.commands import learn
from agents.trainer import Trainer

PRETRAINED = Path(__file__).resolve().parent.parent / "agents" / "pretrained" / "hide_and_seek_quadrant"


def test_the_progress_bar_shows_stage_rates_and_the_curriculum_stage(tmp_path):
    cfg = config.resolve("ppo", ("test", dict(target="gym:CartPole-v1", envs=2, rollout_len=16, hidden=[8],
                                              curriculum={"x": [0.0, 1.0]}, curriculum_stages=4)))
    trainer = Trainer(cfg, learn.env_factory(cfg.target, {}), tmp_path / "run")
    trainer.curriculum.stage = 2
    try:
        postfix = trainer._postfix({"steps_per_s": 100.0, "stage/fort": 0.25, "stage/ramp_use": 0.0})
    finally:
        trainer.close()
    assert "fort 25%" in postfix and "ramp_use 0%" in postfix and "curriculum 2/4" in postfix


def test_compiling_is_announced_only_when_the_kernels_are_not_cached(monkeypatch, capsys):
    made = []
    monkeypatch.setattr(learn.os.path, "exists", lambda path: True)  # every kernel's cache index on disk
    assert learn._kernels_cached()
    learn.announce_compiling(lambda: made.append(1))
    assert not made and capsys.readouterr().out == ""
    monkeypatch.setattr(learn.os.path, "exists", lambda path: False)
    assert not learn._kernels_cached()
    monkeypatch.undo()
    monkeypatch.setattr(learn, "_kernels_cached", lambda: False)
    learn.announce_compiling(lambda: learn.env_factory("hide_and_seek_quadrant", {})())
    out = capsys.readouterr().out
    assert "compiling the arena's numba kernels" in out and "compiled in" in out


def test_eval_never_writes_into_the_installed_package(tmp_path, monkeypatch, capsys):
    shipped = {p.name: p.read_bytes() for p in PRETRAINED.iterdir()}
    monkeypatch.chdir(tmp_path)
    assert main(["eval", str(PRETRAINED), "--episodes", "1", "--record"]) == 0
    assert {p.name: p.read_bytes() for p in PRETRAINED.iterdir()} == shipped
    assert json.loads((tmp_path / "hide_and_seek_quadrant.eval.json").read_text())["episodes"] == 1
    assert len(list((tmp_path / "hide_and_seek_quadrant.eval_replays").glob("*.replay.npz"))) == 1
    assert f"writing into {tmp_path} instead" in capsys.readouterr().out


def test_eval_takes_a_checkpoint_file(tmp_path):
    out = tmp_path / "e.json"
    assert main(["eval", str(PRETRAINED / "checkpoint.pt"), "--episodes", "1", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["step"] > 0


def test_a_failed_eval_leaves_the_previous_eval_json(tmp_path, monkeypatch):
    run = tmp_path / "run"
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "128", "--envs", "2", "--rollout-len", "64",
                 "--hidden", "8", "--run-dir", str(run)]) == 0
    assert main(["eval", str(run), "--episodes", "2"]) == 0
    before = (run / "eval.json").read_bytes()

    def dying(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("agents.trainer.play", dying)
    assert main(["eval", str(run), "--episodes", "3"]) == 130
    assert (run / "eval.json").read_bytes() == before and not (run / "eval.2ep.json").exists()
