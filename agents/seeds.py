"""The seeds episodes reset with, in integer ranges that never overlap.

- Training resets with seeds below EVAL_BASE: the run's `seed` (at most TRAIN_SEED_MAX) plus small
  offsets (the update and env counts); `train` refuses any seed that would reach EVAL_BASE.
- Evaluation resets with seeds from EVAL_BASE up: `arena eval --seed N` plays the set
  EVAL_BASE + N * EVAL_SET_SIZE + k, for episode index k < EVAL_SET_SIZE.

So no episode of an evaluation starts from a seed that any training reset used, whatever the run's
seed. Set 0 (the default) is the validation set, on which checkpoints and settings are compared; any
other set (`--seed 1` ...) is a test set for reporting. Episodes after the first of each training env
continue that env's own generator, seeded below EVAL_BASE, so they draw from other streams too."""
from __future__ import annotations

from scenarios.errors import InputError

TRAIN_SEED_MAX = 2**32 - 1
EVAL_BASE = 2**62
EVAL_SET_SIZE = 2**40
EVAL_SETS = 2**20
VALIDATION_SET = 0


def train(run_seed: int, offset: int = 0) -> int:
    """A training reset seed: the run's seed plus `offset`."""
    if not 0 <= run_seed <= TRAIN_SEED_MAX:
        raise InputError(f"seed: must be in [0, {TRAIN_SEED_MAX}], got {run_seed}")
    seed = run_seed + offset
    if not 0 <= seed < EVAL_BASE:
        raise ValueError(f"training seed {seed} would reach the evaluation seeds (from {EVAL_BASE})")
    return seed


def evaluation(eval_set: int, index: int = 0) -> int:
    """The seed of episode `index` of evaluation set `eval_set` (`arena eval --seed`)."""
    if not 0 <= eval_set < EVAL_SETS:
        raise InputError(f"--seed: must be in [0, {EVAL_SETS - 1}], got {eval_set}")
    if not 0 <= index < EVAL_SET_SIZE:
        raise InputError(f"evaluation episode {index}: at most {EVAL_SET_SIZE} per --seed")
    return EVAL_BASE + eval_set * EVAL_SET_SIZE + index


def is_training(seed: int) -> bool:
    return 0 <= seed < EVAL_BASE
