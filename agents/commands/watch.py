"""`arena watch`: open replays in the viewer, export one as a video, or save one frame as a PNG."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from agents.commands.argtypes import output_dir, output_file
from scenarios.errors import InputError

MIN_FPS, MAX_FPS = 0.1, 240.0
MIN_SIZE, MAX_SIZE = 160, 4096
DEFAULT_VIDEO_DIR = Path("arena-videos")  # a Path, so that it is checked only when it is used
STAGE_NAMES = ("chasing", "fort", "ramp_use", "ramp_defence")   # arena.stages.STAGES, without its imports


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "watch", help="watch recorded episodes, or export one as .mp4/.gif/.png",
        description="Open a replay file (or every *.replay.npz in a directory) in the viewer. "
                    "With --export or --frame/--out it runs headless. With no display to open a window "
                    "on, it exports every episode as an .mp4 into --video-dir instead. Episodes are "
                    "numbered from 1, as the viewer shows them, among those --stage keeps.")
    parser.add_argument("path", help="a .replay.npz file or a directory of them")
    parser.add_argument("--episode", type=int,
                        help="which episode of a directory to start with or export, from 1 (default 1)")
    parser.add_argument("--stage", choices=STAGE_NAMES,
                        help="only the episodes that showed this emergence stage (default: all)")
    parser.add_argument("--frame", type=int, help="the frame to start at, or to save with --out (default 0)")
    parser.add_argument("--out", type=output_file("--out"), help="save --frame as this .png and exit (default: none)")
    parser.add_argument("--export", metavar="VIDEO|DIR",
                        help="write the episode as .mp4 or .gif and exit; on a directory without --episode, "
                             "DIR receives every episode as .mp4 (default: none)")
    parser.add_argument("--fps", type=float, help=f"video frames per second, {MIN_FPS:g} to {MAX_FPS:g} "
                                                  "(default: real time)")
    parser.add_argument("--size", type=int, default=640, help=f"arena side in pixels, {MIN_SIZE} to {MAX_SIZE} "
                                                               "(default 640)")
    parser.add_argument("--lidar", action="store_true", help="draw lidar rays (default off)")
    parser.add_argument("--no-vision", action="store_true", help="hide vision cones (default shown)")
    parser.add_argument("--no-sight", action="store_true", help="hide who-sees-whom lines (default shown)")
    parser.add_argument("--no-grabs", action="store_true", help="hide grab links (default shown)")
    parser.add_argument("--video-dir", default=DEFAULT_VIDEO_DIR, type=output_dir("--video-dir"),
                        help="where the videos go when there is no display (default ./arena-videos)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (default: a bar)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    _check_flags(args)
    from arena.render import Overlays
    from replays import export, format, outcome, viewer
    from replays.files import replay_files

    every = replay_files(args.path)
    paths = outcome.showing(every, args.stage)
    if not paths:
        raise InputError(f"--stage {args.stage}: none of the {len(every)} episode(s) in {args.path} showed it")
    episode = 1 if args.episode is None else args.episode
    if not 1 <= episode <= len(paths):
        kept = f" that showed {args.stage}" if args.stage else ""
        raise InputError(f"--episode {episode}: {args.path} holds {len(paths)} episode(s){kept}, numbered from 1")
    overlays = Overlays(vision=not args.no_vision, sight=not args.no_sight, grabs=not args.no_grabs,
                        lidar=args.lidar)
    path = paths[episode - 1]
    whole_folder = Path(args.path).is_dir() and args.episode is None
    if args.export and whole_folder:
        _export_all(paths, Path(args.export), args, overlays, "exporting")
    elif args.export:
        output_file("--export")(args.export)
        export.export_video(format.load(path), args.export, path.name, fps=args.fps, size=args.size,
                            overlays=overlays, progress=not args.quiet)
        print(f"wrote {args.export}")
    elif args.out:
        export.export_frame(format.load(path), args.frame, args.out, path.name, size=args.size, overlays=overlays)
        print(f"wrote {args.out}")
    elif not has_display():
        _export_all(paths[episode - 1:], Path(args.video_dir), args, overlays, "no display to open a window on")
    else:
        import pygame
        try:
            viewer.watch(every, size=args.size, overlays=overlays, episode=episode - 1, frame=args.frame or 0,
                         stage=args.stage)
        except pygame.error as e:
            _export_all(paths[episode - 1:], Path(args.video_dir), args, overlays, f"cannot open a window ({e})")
    return 0


def has_display() -> bool:
    if os.environ.get("SDL_VIDEODRIVER") in ("dummy", "offscreen"):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _export_all(paths: list, video_dir: Path, args: argparse.Namespace, overlays, why: str) -> None:
    from replays import export, format

    if video_dir.suffix.lower() in (".mp4", ".gif"):
        raise InputError(f"--export {video_dir}: on a directory of replays --export names a folder for "
                         f"every episode; add --episode N to write one video")
    replays = [format.load(path) for path in paths]  # a damaged file stops us before anything is written
    output_dir("--export" if why == "exporting" else "--video-dir")(str(video_dir))
    print(f"{why}: {len(paths)} episode(s) as videos into {video_dir}/", file=sys.stderr)
    video_dir.mkdir(parents=True, exist_ok=True)
    for path, replay in zip(paths, replays):
        out = video_dir / (path.name.split(".")[0] + ".mp4")
        export.export_video(replay, out, path.name, fps=args.fps, size=args.size,
                            overlays=overlays, progress=not args.quiet)
        print(f"wrote {out}")


def _check_flags(args: argparse.Namespace) -> None:
    if args.out and args.frame is None:
        raise InputError("--out needs --frame N (the frame to save)")
    if args.out and args.export:
        raise InputError("use either --export VIDEO or --frame N --out PNG, not both")
    if args.fps is not None and not MIN_FPS <= args.fps <= MAX_FPS:
        raise InputError(f"--fps must be in [{MIN_FPS:g}, {MAX_FPS:g}], got {args.fps}")
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        raise InputError(f"--size must be in [{MIN_SIZE}, {MAX_SIZE}] pixels, got {args.size}")
