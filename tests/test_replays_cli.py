import json
import os
import subprocess
import sys

import numpy as np
import pytest

from agents.cli import main
from replays import format as fmt
from test_replays_viewer import small_replay


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.replay.npz"
    fmt.save(small_replay(steps=6), path)
    return path


def newer_version(path):
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    meta["format_version"] = fmt.FORMAT_VERSION + 1
    np.savez_compressed(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def corrupt(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 32] = bytes(32)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [truncate, corrupt, newer_version])
@pytest.mark.parametrize("mode", [["--frame", "0", "--out", "f.png"], ["--export", "v.gif"], []])
def test_a_damaged_replay_exits_2_with_a_message_naming_it(good, damage, mode, capsys, tmp_path):
    damage(good)
    mode = [str(tmp_path / m) if m.endswith((".png", ".gif")) else m for m in mode]
    assert main(["watch", str(good), *mode]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"arena: error: {good}: ") and "Traceback" not in err
    assert not list(tmp_path.glob("[fv].*"))


@pytest.mark.parametrize("flags, message", [
    (["--out", "x.png"], "--out needs --frame"),
    (["--frame", "1", "--out", "x.png", "--export", "v.mp4"], "not both"),
    (["--export", "v.mp4", "--fps", "0"], "--fps must be in [0.1, 240], got 0.0"),
    (["--export", "v.mp4", "--size", "10"], "--size must be in [160, 4096] pixels, got 10"),
    (["--export", "v.webm"], "must end in .mp4 or .gif"),
    (["--frame", "99", "--out", "x.png"], "outside the episode"),
    (["--frame", "1", "--out", "x.jpg"], "written as .png"),
    (["--episode", "3"], "holds 1 episode(s), numbered from 1"),
    (["--episode", "0"], "holds 1 episode(s), numbered from 1"),
    (["--stage", "fort"], "none of the 1 episode(s)"),
])
def test_bad_flags_exit_2_with_a_message(good, flags, message, capsys):
    assert main(["watch", str(good), *flags]) == 2
    assert message in capsys.readouterr().err


def test_a_directory_without_replays_or_a_missing_path_exits_2(tmp_path, capsys):
    assert main(["watch", str(tmp_path)]) == 2
    assert "no *.replay.npz files" in capsys.readouterr().err
    assert main(["watch", str(tmp_path / "nope.replay.npz")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_frame_and_export_write_files_for_a_directory_episode(tmp_path, capsys):
    for name in ("a", "b"):
        fmt.save(small_replay(steps=4), tmp_path / f"{name}.replay.npz")
    out = tmp_path / "out"
    assert main(["watch", str(tmp_path), "--episode", "2", "--frame", "2", "--out", str(out / "f.png")]) == 0
    assert main(["watch", str(tmp_path), "--episode", "1", "--export", str(out / "v.gif"), "--size", "160",
                 "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["f.png", "v.gif"]
    assert capsys.readouterr().out.splitlines() == [f"wrote {out / 'f.png'}", f"wrote {out / 'v.gif'}"]


def test_episode_numbers_count_from_one_as_the_viewer_shows_them(tmp_path, capsys):
    from replays.viewer import title

    paths = [tmp_path / "a.replay.npz", tmp_path / "b.replay.npz"]
    fmt.save(small_replay(steps=4), paths[0])
    fmt.save(small_replay(steps=6), paths[1])
    assert main(["watch", str(tmp_path), "--episode", "2", "--frame", "6", "--out", str(tmp_path / "f.png")]) == 0
    assert main(["watch", str(tmp_path), "--episode", "1", "--frame", "6", "--out", str(tmp_path / "g.png")]) == 2
    assert "frames 0 to 4" in capsys.readouterr().err
    assert title(paths, 1, 1, 2, None) == "b.replay.npz\nepisode 2 of 2"


def test_the_stage_choices_are_the_stages():
    from agents.commands.watch import STAGE_NAMES
    from arena.stages import STAGES

    assert STAGE_NAMES == tuple(STAGES)


def test_the_installed_command_exits_2_without_a_traceback(good, tmp_path):
    truncate(good)
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy"}
    done = subprocess.run([sys.executable, "-m", "agents.cli", "watch", str(good), "--export",
                           str(tmp_path / "v.mp4")], capture_output=True, text=True, env=env)
    assert done.returncode == 2
    assert "not a readable replay file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("flag, why", [("--video-dir", "no display"), ("--export", "exporting")])
def test_a_directory_exports_every_episode_without_a_display_or_with_export(tmp_path, capsys, flag, why):
    for name in ("a", "b"):
        fmt.save(small_replay(steps=4), tmp_path / f"{name}.replay.npz")
    videos = tmp_path / "videos"
    assert main(["watch", str(tmp_path), flag, str(videos), "--size", "160", "--quiet"]) == 0
    assert sorted(p.name for p in videos.iterdir()) == ["a.mp4", "b.mp4"]
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"wrote {videos / 'a.mp4'}", f"wrote {videos / 'b.mp4'}"] and why in err


def test_export_on_a_directory_names_a_folder_not_a_video(tmp_path, capsys):
    fmt.save(small_replay(steps=4), tmp_path / "a.replay.npz")
    assert main(["watch", str(tmp_path), "--export", str(tmp_path / "one.gif")]) == 2
    assert "add --episode N" in capsys.readouterr().err and not (tmp_path / "one.gif").exists()
