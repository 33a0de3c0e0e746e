"""kill -9 at the worst moments: during an update, during a checkpoint write, during an eval. The
run then resumes, evaluates, plots and replays, and loses at most one checkpoint interval."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from agents.cli import main

TESTS = Path(__file__).parent


def start(*argv) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "agents.cli", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(TESTS)})


def wait_for(condition, seconds=120, poll=0.05):
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(poll)


def metric_steps(run: Path) -> list[int]:
    lines = (run / "metrics.jsonl").read_text().splitlines() if (run / "metrics.jsonl").exists() else []
    return [json.loads(line)["step"] for line in lines if line.endswith("}")]


def kill9(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def assert_loses_at_most_one_interval(run: Path, per_update: int):
    saved = torch.load(run / "checkpoint.pt", weights_only=True)["step"]
    assert saved >= max(metric_steps(run)) - per_update


def test_kill_9_during_an_update_loses_at_most_one_interval(tmp_path):
    run = tmp_path / "run"
    # 300 epochs on a 128-step rollout: the process spends nearly all its time in updates, each longer
    # than the checkpoint interval (0.3 s), so that every update is checkpointed by time
    proc = start("train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "100000", "--envs", "2", "--rollout-len",
                 "64", "--epochs", "300", "--minibatches", "2", "--hidden", "16", "--checkpoint-every", "1000",
                 "--checkpoint-minutes", "0.005",
                 "--workers", "1", "--run-dir", str(run))
    wait_for(lambda: len(metric_steps(run)) >= 2)
    time.sleep(0.3)
    kill9(proc)
    assert_loses_at_most_one_interval(run, 128)
    steps = max(metric_steps(run))
    assert main(["train", "--resume", str(run), "--steps", str(steps + 128)]) == 0
    assert main(["eval", str(run), "--episodes", "2"]) == 0
    assert main(["plot", str(run), "--out", str(tmp_path / "curves.png")]) == 0


def test_kill_9_during_a_checkpoint_write_leaves_the_previous_checkpoint(tmp_path):
    run = tmp_path / "run"
    # a wide network: each checkpoint is tens of MB, long enough to be caught while written
    proc = start("train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "100000", "--envs", "2", "--rollout-len",
                 "64", "--epochs", "1", "--minibatches", "1", "--hidden", "1500", "1500", "--checkpoint-every", "1",
                 "--workers", "1", "--run-dir", str(run))
    tmp = run / ".checkpoint.pt.tmp"
    wait_for(lambda: (run / "checkpoint.pt").exists())
    wait_for(lambda: tmp.exists(), poll=0.001)
    kill9(proc)
    assert tmp.exists()  # the write was cut
    assert_loses_at_most_one_interval(run, 128)
    assert main(["eval", str(run), "--episodes", "1"]) == 0
    assert main(["train", "--resume", str(run), "--steps", str(max(metric_steps(run)) + 128)]) == 0
    assert not tmp.exists()


def test_kill_9_during_an_eval_keeps_the_previous_eval(tmp_path):
    run = tmp_path / "run"
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "128", "--envs", "2", "--rollout-len", "64",
                 "--hidden", "16", "--run-dir", str(run)]) == 0
    assert main(["eval", str(run), "--episodes", "3"]) == 0
    before = (run / "eval.json").read_bytes()
    proc = start("eval", str(run), "--episodes", "1000000")
    time.sleep(3)
    kill9(proc)
    assert (run / "eval.json").read_bytes() == before
    assert main(["eval", str(run), "--episodes", "3"]) == 0


def test_kill_9_while_training_on_the_arena_leaves_replays_that_play(tmp_path):
    run = tmp_path / "run"
    proc = start("train", "hide_and_seek_quadrant", "--no-recipe", "--env-kwargs", "{horizon: 16}", "--envs", "2",
                 "--rollout-len", "16", "--hidden", "16", "--checkpoint-every", "1000", "--checkpoint-minutes", "0.001",
                 "--record-every", "1",
                 "--workers", "1", "--steps", "1000000", "--run-dir", str(run))
    wait_for(lambda: len(metric_steps(run)) >= 3, seconds=240)
    kill9(proc)
    assert_loses_at_most_one_interval(run, 32)
    replays = sorted((run / "replays").glob("*.replay.npz"))
    assert replays and not list((run / "replays").glob(".*"))
    assert main(["watch", str(replays[-1]), "--frame", "1", "--out", str(tmp_path / "frame.png")]) == 0
    assert main(["plot", str(run), "--out", str(tmp_path / "curves.png")]) == 0
    assert main(["train", "--resume", str(run), "--steps", str(max(metric_steps(run)) + 32)]) == 0
