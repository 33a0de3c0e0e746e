"""Headless export of a replay: a video (`.mp4` through ffmpeg, or `.gif`) with one picture per
recorded frame, or a single frame as `.png`. Pictures are the viewer's (arena, HUD, timeline)
without its help line. Files are written atomically."""
from __future__ import annotations

import sys
from pathlib import Path

import imageio.v2 as imageio_v2
import imageio.v3 as imageio_v3
import numpy as np
import pygame
from tqdm import tqdm

from arena.render import Overlays
from replays import format as fmt
from replays.files import atomic_output
from replays.viewer import Layout, View, ViewerState
from scenarios.errors import InputError

VIDEO_SUFFIXES = (".mp4", ".gif")


class _Pictures:
    def __init__(self, replay: fmt.Replay, title: str, size: int, overlays: Overlays):
        self.replay, self.title, self.overlays = replay, title, overlays
        self.view = View(Layout(size))
        self.canvas = pygame.Surface(self.view.layout.window)

    def __call__(self, k: int) -> np.ndarray:
        state = ViewerState(position=float(k), overlays=self.overlays)
        self.view.draw(self.canvas, self.replay, state, self.title, live=False)
        w, h = self.canvas.get_size()
        return np.frombuffer(pygame.image.tobytes(self.canvas, "RGB"), np.uint8).reshape(h, w, 3)


def frames(replay: fmt.Replay, title: str = "", size: int = 256) -> np.ndarray:
    """(T, H, W, 3) uint8: every frame of the episode as the viewer draws it, e.g. for TensorBoard."""
    picture = _Pictures(replay, title, size, Overlays())
    return np.stack([picture(k) for k in range(replay.num_frames)])


def export_video(replay: fmt.Replay, out: str | Path, title: str, fps: float | None = None, size: int = 640,
                 overlays: Overlays = Overlays(), progress: bool = True) -> None:
    """fps defaults to real time (one frame per recorded dt)."""
    out = Path(out)
    if out.suffix.lower() not in VIDEO_SUFFIXES:
        raise InputError(f"{out}: the video must end in {' or '.join(VIDEO_SUFFIXES)}")
    fps = fps or 1.0 / replay.meta["dt"]
    picture = _Pictures(replay, title, size, overlays)
    frames = tqdm(range(replay.num_frames), desc=f"export {out.name}", unit="frame",
                  disable=not progress, file=sys.stderr)
    with atomic_output(out) as tmp:
        if out.suffix.lower() == ".gif":
            with imageio_v3.imopen(tmp, "w", plugin="pillow") as writer:
                for k in frames:
                    writer.write(picture(k), duration=1000.0 / fps, loop=0, is_batch=False)
        else:
            writer = imageio_v2.get_writer(tmp, format="FFMPEG", fps=fps, codec="libx264",
                                           pixelformat="yuv420p", macro_block_size=16)
            with writer:
                for k in frames:
                    writer.append_data(picture(k))


def export_frame(replay: fmt.Replay, k: int, out: str | Path, title: str, size: int = 640,
                 overlays: Overlays = Overlays()) -> None:
    out = Path(out)
    if not 0 <= k < replay.num_frames:
        raise InputError(f"--frame {k} is outside the episode: it has frames 0 to {replay.num_frames - 1}")
    if out.suffix.lower() != ".png":
        raise InputError(f"{out}: a frame is written as .png")
    with atomic_output(out) as tmp:
        imageio_v3.imwrite(tmp, _Pictures(replay, title, size, overlays)(k))
