import os

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture
def one_torch_thread():
    """Torch on one thread, as the trainer runs it: two threads on two cores shared with other workers
    spin against each other (SB3's PPO ran 6x slower so)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
