"""`arena watch`: open replays in the viewer, export one as a video, or save one frame as a PNG."""
from __future__ import annotations

import argparse

from scenarios.errors import InputError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "watch", help="watch recorded episodes, or export one as .mp4/.gif/.png",
        description="Open a replay file (or every *.replay.npz in a directory) in the viewer. "
                    "With --export or --frame/--out it runs headless.")
    parser.add_argument("path", help="a .replay.npz file or a directory of them")
    parser.add_argument("--episode", type=int, default=0,
                        help="which file of a directory to start with or export (default 0)")
    parser.add_argument("--frame", type=int, help="the frame to start at, or to save with --out")
    parser.add_argument("--out", help="save --frame as this .png and exit")
    parser.add_argument("--export", metavar="VIDEO", help="write the episode as .mp4 or .gif and exit")
    parser.add_argument("--fps", type=float, help="video frames per second (default: real time)")
    parser.add_argument("--size", type=int, default=640, help="arena side in pixels (default 640)")
    parser.add_argument("--lidar", action="store_true", help="draw lidar rays")
    parser.add_argument("--no-vision", action="store_true", help="hide vision cones")
    parser.add_argument("--no-sight", action="store_true", help="hide who-sees-whom lines")
    parser.add_argument("--no-grabs", action="store_true", help="hide grab links")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    _check_flags(args)
    from arena.render import Overlays
    from replays import export, format, viewer
    from replays.files import replay_files

    paths = replay_files(args.path)
    if not 0 <= args.episode < len(paths):
        raise InputError(f"--episode {args.episode}: {args.path} holds {len(paths)} replay file(s)")
    overlays = Overlays(vision=not args.no_vision, sight=not args.no_sight, grabs=not args.no_grabs,
                        lidar=args.lidar)
    path = paths[args.episode]
    if args.export:
        export.export_video(format.load(path), args.export, path.name, fps=args.fps, size=args.size,
                            overlays=overlays, progress=not args.quiet)
    elif args.out:
        export.export_frame(format.load(path), args.frame, args.out, path.name, size=args.size, overlays=overlays)
    else:
        import pygame
        try:
            viewer.watch(paths, size=args.size, overlays=overlays, episode=args.episode, frame=args.frame or 0)
        except pygame.error as e:
            raise InputError(f"cannot open a window ({e}); use --export VIDEO or --frame N --out PNG") from None
    return 0


def _check_flags(args: argparse.Namespace) -> None:
    if args.out and args.frame is None:
        raise InputError("--out needs --frame N (the frame to save)")
    if args.out and args.export:
        raise InputError("use either --export VIDEO or --frame N --out PNG, not both")
    if args.fps is not None and not args.fps > 0:
        raise InputError(f"--fps must be positive, got {args.fps}")
    if args.size < 160:
        raise InputError(f"--size must be at least 160 pixels, got {args.size}")
