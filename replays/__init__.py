"""Episode replays: the file format, the recording wrapper, the viewer and video export.
See docs/replays.md."""
from replays.format import FORMAT_VERSION, Replay, load, save
from replays.recorder import RecordEpisodes

__all__ = ["FORMAT_VERSION", "Replay", "load", "save", "RecordEpisodes"]
