import json
import os
from pathlib import Path

import pytest
import torch

from agents import config
from agents.cli import main
from agents.commands.learn import env_factory
from agents import trainer as trainer_mod
from agents.trainer import Trainer, open_envs

FAST = ["--envs", "2", "--rollout-len", "64", "--minibatches", "2", "--epochs", "2", "--hidden", "16",
        "--checkpoint-every", "1"]
TARGETS = {"ppo": "gym:CartPole-v1", "trpo": "gym:Pendulum-v1", "tnpg": "gym:CartPole-v1",
           "mappo": "pz:test_agents_toys", "ippo": "pz:test_agents_toys"}


def read_metrics(run):
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("algo", sorted(TARGETS))
def test_train_then_eval_end_to_end(algo, tmp_path, capsys):
    run = tmp_path / algo
    assert main(["train", TARGETS[algo], "--algo", algo, "--steps", "256", "--run-dir", str(run), *FAST]) == 0
    assert {"config.yaml", "checkpoint.pt", "metrics.jsonl", "tb"} <= {p.name for p in run.iterdir()}
    saved = config.load(run / "config.yaml")
    assert saved.algo == algo and saved.rollout_len == 64 and saved.hidden == [16]
    assert [m["step"] for m in read_metrics(run)] == [128, 256]
    assert main(["eval", str(run), "--episodes", "3"]) == 0
    result = json.loads((run / "eval.json").read_text())
    assert result["episodes"] == 3 and result["step"] == 256
    assert any(k.startswith("return/") for k in result["mean"])
    assert "wrote" in capsys.readouterr().out
    assert main(["eval", str(run), "--episodes", "2"]) == 0
    assert json.loads((run / "eval.json").read_text())["episodes"] == 2
    assert json.loads((run / "eval.3ep.json").read_text()) == result


def test_resume_continues_from_the_last_checkpoint(tmp_path):
    run = tmp_path / "run"
    cfg = config.resolve("ppo", ("test", dict(target="gym:CartPole-v1", steps=512, envs=2, rollout_len=64,
                                              minibatches=2, epochs=1, checkpoint_every=2)))
    trainer = Trainer(cfg, env_factory(cfg.target, {}), run)

    def killed_at_update_4(episodes):
        if trainer.updates == 4:
            raise KeyboardInterrupt
        return {}

    trainer.metric_hooks.append(killed_at_update_4)
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    assert [m["step"] for m in read_metrics(run)] == [128, 256, 384]  # checkpoint holds step 256
    saved = torch.load(run / "checkpoint.pt", weights_only=True)
    assert saved["step"] == 256
    assert main(["train", "--resume", str(run)]) == 0
    assert [m["step"] for m in read_metrics(run)] == [128, 256, 384, 512]
    final = torch.load(run / "checkpoint.pt", weights_only=True)
    assert final["step"] == 512
    adam_steps = lambda state: state["algos"]["agent"]["optimizer"]["state"][0]["step"].item()  # noqa: E731
    assert adam_steps(final) == adam_steps(saved) + 2 * 2  # optimiser state was carried over, not restarted


def test_an_interrupt_while_collecting_keeps_the_last_update(tmp_path, capsys):
    run = tmp_path / "run"
    cfg = config.resolve("ppo", ("test", dict(target="gym:CartPole-v1", steps=512, envs=2, rollout_len=64,
                                              minibatches=2, epochs=1, checkpoint_every=10)))
    trainer = Trainer(cfg, env_factory(cfg.target, {}), run)
    collect = trainer.collector.collect

    def killed_in_the_third_rollout():
        if trainer.updates == 2:
            raise KeyboardInterrupt
        return collect()

    trainer.collector.collect = killed_in_the_third_rollout
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    assert torch.load(run / "checkpoint.pt", weights_only=True)["step"] == 256  # no periodic checkpoint was due
    assert "checkpoint of step 256 saved" in capsys.readouterr().err
    assert main(["train", "--resume", str(run)]) == 0
    assert [m["step"] for m in read_metrics(run)] == [128, 256, 384, 512]


def test_an_interrupt_during_an_update_waits_for_it_and_keeps_it(tmp_path, capsys):
    import signal

    run = tmp_path / "run"
    cfg = config.resolve("ppo", ("test", dict(target="gym:CartPole-v1", steps=512, envs=2, rollout_len=64,
                                              minibatches=2, epochs=1, checkpoint_every=10)))
    trainer = Trainer(cfg, env_factory(cfg.target, {}), run)
    algo = trainer.algos["agent"]
    update = algo.update

    def interrupted_in_the_third_update(batch, progress):
        if trainer.updates == 2:
            signal.raise_signal(signal.SIGINT)
        return update(batch, progress)

    algo.update = interrupted_in_the_third_update
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    assert torch.load(run / "checkpoint.pt", weights_only=True)["step"] == 384
    assert [m["step"] for m in read_metrics(run)] == [128, 256, 384]
    assert "checkpoint of step 384 saved" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_init_from_starts_a_new_run_with_another_runs_policies(tmp_path, capsys, monkeypatch):
    source, tuned = tmp_path / "source", tmp_path / "tuned"
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "256", "--run-dir", str(source), *FAST]) == 0
    trainer = Trainer(config.resolve("ppo", ("test", dict(target="gym:CartPole-v1", envs=2, hidden=[16],
                                                          init_from=str(source)))),
                      env_factory("gym:CartPole-v1", {}), tuned)
    trainer.vec.close()
    learned = torch.load(source / "checkpoint.pt", weights_only=True)["policies"]["agent"]
    assert trainer.step == 0
    for name, tensor in trainer.policies["agent"].state_dict().items():
        assert torch.equal(tensor, learned[name]), name
    assert config.load(tuned / "config.yaml").init_from == str(source)
    capsys.readouterr()
    closed = []

    def open_envs_noting_close(*args, **kwargs):
        vec = open_envs(*args, **kwargs)
        close = vec.close
        vec.close = lambda: closed.append(vec) or close()
        return vec

    monkeypatch.setattr(trainer_mod, "open_envs", open_envs_noting_close)
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "128", "--run-dir", str(tmp_path / "wide"),
                 *FAST, "--hidden", "32", "--init-from", str(source)]) == 2
    assert "does not match" in capsys.readouterr().err
    assert len(closed) == 1 and not (tmp_path / "wide").exists()
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "128", "--run-dir", str(tmp_path / "x"),
                 *FAST, "--init-from", str(tmp_path / "nowhere")]) == 2
    assert "--init-from" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_corrupt_checkpoint_is_a_clear_error(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "128", "--run-dir", str(run), *FAST]) == 0
    (run / "checkpoint.pt").write_bytes(b"not a checkpoint")
    capsys.readouterr()
    assert main(["eval", str(run)]) == 2
    assert "damaged or unreadable checkpoint" in capsys.readouterr().err
    assert main(["train", "--resume", str(run)]) == 2
    assert "damaged or unreadable checkpoint" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["train", "gym:CartPole-v1", "--gamma", "-1"], "--gamma must be in [0, 1], got -1.0"),
    (["train", "gym:NoSuchEnv-v0", "--algo", "ppo", "--steps", "10"], "gym:NoSuchEnv-v0"),
    (["train", "pz:no_such_module_xyz", "--steps", "10"], "cannot import"),
    (["train", "gym:CartPole-v1", "--encoder", "entity", "--steps", "10"], "Dict (entity) observations"),
    (["eval", "/nonexistent/run"], "not a run directory"),
    (["train", "--resume", "/nonexistent/run"], "not a run directory"),
])
def test_bad_input_exits_2_with_a_message(argv, message, tmp_path, capsys):
    assert main([*argv, *(["--run-dir", str(tmp_path / "r")] if argv[0] == "train" else [])]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["train", "--algo", "sac"], ["train", "--steps", "many"], ["train", "--bogus"]])
def test_bad_flags_exit_2(argv):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2


def test_yaml_hyperparameters_are_validated_and_flags_win(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("learning_rate: 0.1\n")
    assert main(["train", "gym:CartPole-v1", "--config", str(bad)]) == 2
    assert "unknown hyperparameter 'learning_rate'" in capsys.readouterr().err
    good = tmp_path / "good.yaml"
    good.write_text("algo: trpo\nmax_kl: 0.02\ngamma: 0.9\n")
    run = tmp_path / "run"
    assert main(["train", "gym:CartPole-v1", "--config", str(good), "--gamma", "0.95", "--steps", "128",
                 "--run-dir", str(run), *FAST]) == 0
    cfg = config.load(run / "config.yaml")
    assert (cfg.algo, cfg.max_kl, cfg.gamma, cfg.cg_iters) == ("trpo", 0.02, 0.95, 15)


def test_kill_stops_training_cleanly_and_releases_the_shared_memory(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    run = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "agents.cli", "train", "pz:test_agents_toys", "--steps", "10000000",
                             "--envs", "4", "--workers", "2", "--run-dir", str(run)], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)})
    deadline = time.time() + 60
    while not (run / "metrics.jsonl").exists() and time.time() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=30)[1]
    assert proc.returncode == 130 and "interrupted" in err
    assert "leaked" not in err and "Traceback" not in err
