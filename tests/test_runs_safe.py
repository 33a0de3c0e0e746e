"""A run survives every mistake: a failed command leaves it byte-identical, runs are never
overwritten without --overwrite, damaged files are refused, and crashes keep the last update."""
import json
import zipfile
from pathlib import Path

import pytest
import torch

from agents import config, seeds
from agents import trainer as trainer_mod
from agents.cli import main
from agents.commands.learn import env_factory
from agents.trainer import Trainer, evaluate

FAST = ["--envs", "2", "--rollout-len", "64", "--minibatches", "2", "--epochs", "1", "--hidden", "16",
        "--checkpoint-every", "1"]


def snapshot(run: Path) -> dict:
    return {p.relative_to(run): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "run"
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "256", "--run-dir", str(run), *FAST]) == 0
    return run


@pytest.fixture
def run(trained, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("flags, message", [
    (["--hidden", "32", "32"], "--hidden"),
    (["--lr", "0.1"], "--lr"),
    (["--algo", "trpo"], "--algo"),
    pytest.param(["--device", "cuda"], "--device cuda",
                 marks=pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")),
])
def test_a_failed_resume_leaves_the_run_byte_identical(run, flags, message, capsys):
    before = snapshot(run)
    assert main(["train", "--resume", str(run), *flags]) == 2
    assert message in one_line_error(capsys)
    assert snapshot(run) == before
    assert main(["eval", str(run), "--episodes", "1"]) == 0  # and the run still works


def test_a_resume_may_change_what_can_change_mid_run(run, capsys):
    assert main(["train", "--resume", str(run), "--steps", "384", "--checkpoint-every", "3"]) == 0
    assert "resuming from step 256" in capsys.readouterr().out
    assert config.load(run / "config.yaml").steps == 384
    assert torch.load(run / "checkpoint.pt", weights_only=True)["step"] == 384


def test_training_into_an_existing_run_needs_overwrite(run, capsys):
    before = snapshot(run)
    argv = ["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "128", "--run-dir", str(run), *FAST]
    assert main(argv) == 2
    assert "--overwrite" in one_line_error(capsys)
    assert snapshot(run) == before
    assert main([*argv, "--overwrite"]) == 0
    assert [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()] == [128]
    other = run.parent / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("not a run")
    assert main([*argv[:-len(FAST) - 2], "--run-dir", str(other), *FAST, "--overwrite"]) == 2
    assert "holds no run" in one_line_error(capsys) and [p.name for p in other.iterdir()] == ["mine.txt"]


def test_exporting_over_a_run_needs_overwrite(run, tmp_path, capsys):
    before = snapshot(run)
    assert main(["export", str(run), str(run)]) == 2
    assert "--overwrite" in one_line_error(capsys)
    assert snapshot(run) == before
    other = tmp_path / "other"
    assert main(["export", str(run), str(other)]) == 0
    assert main(["export", str(run), str(other)]) == 2
    assert main(["export", str(run), str(other), "--overwrite"]) == 0


def flip_bytes_in_a_weight(path: Path):
    """Flip four bytes inside the stored data of the largest tensor (not in a zip header)."""
    with zipfile.ZipFile(path) as archive:
        info = max((i for i in archive.infolist() if "/data/" in i.filename), key=lambda i: i.file_size)
    raw = bytearray(path.read_bytes())
    name_len, extra_len = (int.from_bytes(raw[info.header_offset + k:info.header_offset + k + 2], "little")
                           for k in (26, 28))
    start = info.header_offset + 30 + name_len + extra_len + info.file_size // 2
    raw[start:start + 4] = bytes(b ^ 0xFF for b in raw[start:start + 4])
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("command", [["eval", "{run}"], ["train", "--resume", "{run}"], ["export", "{run}", "{out}"]])
def test_a_damaged_checkpoint_is_refused(run, tmp_path, command, capsys):
    flip_bytes_in_a_weight(run / "checkpoint.pt")
    before = snapshot(run)
    assert main([a.format(run=run, out=tmp_path / "out") for a in command]) == 2
    assert "CRC" in one_line_error(capsys)
    assert snapshot(run) == before and not (tmp_path / "out").exists()


def test_non_finite_weights_are_refused_on_reading_and_never_saved(run, capsys):
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    name = next(iter(state["policies"]["agent"]))
    state["policies"]["agent"][name] = state["policies"]["agent"][name].float().fill_(float("nan"))
    torch.save(state, run / "checkpoint.pt")
    assert main(["eval", str(run)]) == 2
    assert f"non-finite weights in agent.{name}" in one_line_error(capsys)
    good = run / "good.pt"
    with pytest.raises(FloatingPointError):
        trainer_mod.checkpoints.write(state, good)
    assert not good.exists() and not list(run.glob(".*.tmp"))


def test_a_metrics_line_cut_by_a_kill_is_dropped_on_resume(run, capsys):
    with open(run / "metrics.jsonl", "a") as f:
        f.write('{"step": 384, "upd')
    assert main(["train", "--resume", str(run), "--steps", "384"]) == 0
    assert "dropped its last line" in capsys.readouterr().err
    assert [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()] == [128, 256, 384]


def test_a_config_cut_at_a_line_is_caught_against_the_checkpoint(run, capsys):
    lines = (run / "config.yaml").read_text().splitlines(keepends=True)
    (run / "config.yaml").write_text("".join(lines[:-3]))
    before = snapshot(run)
    for argv in (["train", "--resume", str(run)], ["eval", str(run)]):
        assert main(argv) == 2
        err = one_line_error(capsys)
        assert "lacks" in err and "record_every" in err
    assert snapshot(run) == before


def test_a_hand_edit_of_a_fixed_key_in_config_is_caught(run, capsys):
    text = (run / "config.yaml").read_text()
    (run / "config.yaml").write_text(text.replace("gamma: 0.99", "gamma: 0.5"))
    assert main(["train", "--resume", str(run)]) == 2
    assert "gamma: 0.5 here, 0.99 in the checkpoint" in one_line_error(capsys)


def test_resume_removes_the_debris_of_interrupted_writes(run):
    (run / ".checkpoint.pt.tmp").write_bytes(b"half a checkpoint")
    (run / ".config.yaml.tmp").write_text("algo: pp")
    assert main(["train", "--resume", str(run), "--steps", "384"]) == 0
    assert not list(run.glob(".*.tmp"))


def cartpole(tmp_path, **kw):
    cfg = config.resolve("ppo", ("test", dict(target="gym:CartPole-v1", steps=64 * 2 * 6, envs=2, rollout_len=64,
                                              minibatches=2, epochs=1, hidden=[16], **kw)))
    return cfg, env_factory(cfg.target, {})


def test_checkpoints_come_at_the_first_update_and_by_time(tmp_path, monkeypatch):
    saved_at, save = [], Trainer.save

    def noting_save(self):
        saved_at.append(self.updates)
        save(self)

    monkeypatch.setattr(Trainer, "save", noting_save)
    cfg, make_env = cartpole(tmp_path, checkpoint_every=1000, checkpoint_minutes=0.0)
    Trainer(cfg, make_env, tmp_path / "a").train()
    assert saved_at == [1, 6]  # the first update, and the end
    saved_at.clear()
    clock = iter(range(0, 10_000, 100))  # 100 s pass per reading: every update is 5 minutes on
    monkeypatch.setattr(trainer_mod.time, "monotonic", lambda: next(clock))
    cfg, make_env = cartpole(tmp_path, checkpoint_every=1000, checkpoint_minutes=5.0)
    Trainer(cfg, make_env, tmp_path / "b").train()
    assert saved_at[:-1] == [1, 4] and saved_at[-1] == 6


def test_an_error_while_collecting_saves_the_last_update(tmp_path, monkeypatch, capsys):
    cfg, make_env = cartpole(tmp_path, checkpoint_every=1000, checkpoint_minutes=0.0)
    trainer = Trainer(cfg, make_env, tmp_path / "run")
    collect = trainer.collector.collect
    calls = []

    def failing_in_the_fourth_rollout(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("an env worker died")
        return collect(*args, **kwargs)

    monkeypatch.setattr(trainer.collector, "collect", failing_in_the_fourth_rollout)
    with pytest.raises(RuntimeError):
        trainer.train()
    assert torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["updates"] == 3
    assert "stopped by RuntimeError: checkpoint of step 384 saved" in capsys.readouterr().err


class SeedLog:
    """An env factory that notes the seed of every reset that an episode is played from (not the
    probe that only reads the spaces); in-process envs only."""

    def __init__(self, make_env):
        self.make_env, self.seeds = make_env, []

    def __call__(self):
        env, last = self.make_env(), []
        reset, step = env.reset, env.step

        def noting_reset(seed=None, options=None):
            last[:] = [seed]
            return reset(seed=seed, options=options)

        def noting_step(action):
            if last:
                self.seeds.append(last.pop())
            return step(action)

        env.reset, env.step = noting_reset, noting_step
        return env


def test_evaluation_seeds_never_overlap_any_training_seeds(tmp_path):
    trained_on, evaluated_on = set(), set()
    for run_seed in (0, 10_000, seeds.TRAIN_SEED_MAX):
        cfg, make_env = cartpole(tmp_path, seed=run_seed, workers=1, checkpoint_every=1)
        log = SeedLog(make_env)
        Trainer(cfg, log, tmp_path / str(run_seed), resume=False).train()
        trained_on |= {s for s in log.seeds if s is not None}
        for eval_set in (0, 1):
            log = SeedLog(make_env)
            evaluate(tmp_path / str(run_seed), log, episodes=12, seed=eval_set)
            evaluated_on |= {s for s in log.seeds if s is not None}
    assert len(trained_on) > 3 * 12 and len(evaluated_on) >= 2 * 12  # later episodes are seeded too
    assert not trained_on & evaluated_on
    assert all(seeds.is_training(s) for s in trained_on) and not any(map(seeds.is_training, evaluated_on))


def test_eval_seed_changes_the_episodes_and_the_same_seed_replays_them(trained, tmp_path):
    results = []
    for eval_set in (1, 2, 1):
        out = tmp_path / f"eval{len(results)}.json"
        assert main(["eval", str(trained), "--episodes", "6", "--seed", str(eval_set), "--out", str(out)]) == 0
        result = json.loads(out.read_text())
        results.append((result["seed"], result["mean"], result["std"]))
    assert results[0] == results[2]
    assert results[0][1:] != results[1][1:]
