import imageio.v2 as imageio_v2
import imageio.v3 as imageio_v3
import numpy as np
import pytest

from arena.render import TEAM_COLOURS, Renderer
from replays import export
from scenarios.errors import InputError
from test_replays_viewer import small_replay


@pytest.fixture(scope="module")
def replay():
    return small_replay(steps=12)


def test_mp4_export_is_playable_with_one_picture_per_frame(replay, tmp_path):
    out = tmp_path / "episode.mp4"
    export.export_video(replay, out, "t", fps=10, size=160, progress=False)
    reader = imageio_v2.get_reader(out, format="FFMPEG")
    assert reader.count_frames() == replay.num_frames == 13
    assert reader.get_meta_data()["fps"] == 10
    assert reader.get_data(0).shape == (160 + 48, 160 + 256, 3)


def test_gif_export_has_one_picture_per_frame_at_the_chosen_size(replay, tmp_path):
    out = tmp_path / "episode.gif"
    export.export_video(replay, out, "t", size=176, progress=False)
    frames = imageio_v3.imread(out, index=None)
    assert frames.shape[:3] == (13, 176 + 48, 176 + 256)
    assert not np.array_equal(frames[0], frames[-1])


def test_frame_export_draws_the_team_colours_where_the_agents_are(replay, tmp_path):
    out = tmp_path / "frame.png"
    export.export_frame(replay, 7, out, "t", size=320)
    image = imageio_v3.imread(out)
    snap = replay.snapshot(7)
    renderer = Renderer(snap.static, width=320)
    for pos, team in zip(snap.agent_pos, snap.static.agent_team):
        x, y = np.round(renderer.to_screen(pos) + (0, 4)).astype(int)
        assert tuple(image[y, x, :3]) == TEAM_COLOURS[int(team)]


@pytest.mark.parametrize("name", ["episode.avi", "episode"])
def test_an_unknown_video_suffix_is_an_input_error(replay, tmp_path, name):
    with pytest.raises(InputError, match="mp4 or .gif"):
        export.export_video(replay, tmp_path / name, "t", progress=False)
    assert not any(tmp_path.iterdir())


def test_a_frame_outside_the_episode_is_an_input_error(replay, tmp_path):
    with pytest.raises(InputError, match="frames 0 to 12"):
        export.export_frame(replay, 13, tmp_path / "f.png", "t")
