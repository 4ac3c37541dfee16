"""Small data sets, a train/test split and shuffled mini-batches (plain lists, no numpy).

Every data set is (X, y): X a list of feature lists, y a list of targets (numbers). `batches`
and `train_test_split` also take numpy arrays.

`moons` is scikit-learn's make_moons construction drawn with Python's `random`, not numpy's:
the same shape, other points (`moons(100, noise=0.1, seed=1337)` is not the data of karpathy's
demo, which comes from numpy's global generator after `np.random.seed(1337)`).
"""
from __future__ import annotations

import math
import random
from numbers import Integral
from typing import Iterator, Sequence

from micrograd.arguments import check_number


def xor() -> tuple[list[list[float]], list[float]]:
    """The four XOR points and their labels (0 or 1), as in 002_909b28b3d0b2318a.txt."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [0.0, 1.0, 1.0, 0.0]
    return X, y


# the 10 x 5 binary table and its targets from 001_535ec0cb8a4ef9ef.txt ("Training the network")
_TABLE = [
    [0, 0, 1, 0, 1],
    [1, 1, 1, 0, 0],
    [1, 0, 1, 1, 1],
    [0, 1, 1, 1, 0],
    [1, 0, 0, 1, 1],
    [0, 1, 0, 0, 1],
    [1, 1, 0, 1, 0],
    [0, 0, 0, 1, 0],
    [1, 0, 0, 0, 1],
    [0, 1, 1, 0, 1],
]
_TABLE_TARGETS = [0, 1, 1, 0, 1, 0, 1, 0, 1, 1]


def table() -> tuple[list[list[float]], list[float]]:
    """The documents' 10 rows of 5 binary features with a 0/1 target each.

    The target equals the first feature except in the last row ([0, 1, 1, 0, 1] -> 1), so a
    network must do more than copy one input.
    """
    X = [[float(v) for v in row] for row in _TABLE]
    y = [float(t) for t in _TABLE_TARGETS]
    return X, y


def moons(n: int = 100, noise: float = 0.1, seed: int | None = 0
          ) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, labels 0 (upper moon) and 1 (lower moon), shuffled.

    The same construction as scikit-learn's make_moons (n // 2 points on the upper moon,
    the rest on the lower, Gaussian noise of std `noise` on each coordinate), written with
    Python's `random` so it needs no scikit-learn and is reproducible from `seed`.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"moons: n must be an integer >= 2, got {n!r}")
    noise = check_number(noise, "noise", "moons")
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    points = []
    for i in range(n_out):      # upper moon: (cos t, sin t), t in [0, pi]
        t = math.pi * i / (n_out - 1) if n_out > 1 else 0.0
        points.append(([math.cos(t), math.sin(t)], 0.0))
    for i in range(n_in):       # lower moon: (1 - cos t, 1/2 - sin t)
        t = math.pi * i / (n_in - 1) if n_in > 1 else 0.0
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1.0))
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for (x, y), _ in points]
    y = [label for _, label in points]
    return X, y


def digits() -> tuple[list[list[float]], list[int]]:
    """The 1,797 handwritten digits that scikit-learn ships (8x8 grey images, UCI optdigits):
    X is 1,797 lists of 64 floats in [0, 1] (grey levels 0..16 over 16), y the labels 0-9.

    Read from scikit-learn's bundled copy, nothing downloaded; scikit-learn is the optional
    extra `pip install "micrograd-lab[digits]"`, and a clear ImportError says so without it.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("digits: the data set is read from scikit-learn's bundled copy; "
                          "install it with pip install 'micrograd-lab[digits]'") from None
    data = load_digits()
    X = [[v / 16.0 for v in row] for row in data.data.tolist()]
    return X, [int(t) for t in data.target.tolist()]


def train_test_split(X: Sequence, y: Sequence, test_fraction: float = 0.25,
                     seed: int | None = 0) -> tuple[list, list, list, list]:
    """(X_train, X_test, y_train, y_test): a seeded shuffle, the last test_fraction held out."""
    if len(X) != len(y):
        raise ValueError(f"train_test_split: {len(X)} inputs but {len(y)} targets")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"train_test_split: test_fraction must be in (0, 1), "
                         f"got {test_fraction!r}")
    order = list(range(len(X)))
    random.Random(seed).shuffle(order)
    n_test = max(1, round(len(X) * test_fraction))
    if n_test >= len(X):
        raise ValueError(f"train_test_split: {len(X)} samples are too few to hold out "
                         f"{test_fraction:.0%}")
    train, test = order[:-n_test], order[-n_test:]
    return ([X[i] for i in train], [X[i] for i in test],
            [y[i] for i in train], [y[i] for i in test])


def batches(X: Sequence, y: Sequence, batch_size: int | None = None,
            rng: random.Random | None = None) -> Iterator[tuple[list, list]]:
    """Mini-batches (Xb, yb) covering every sample once.

    batch_size None (or >= len(X)) gives one full batch in the original order. Otherwise the
    samples are shuffled with `rng` (a `random.Random`, so the order is reproducible) and cut
    into batches of batch_size; the last one may be smaller.
    """
    if len(X) != len(y):
        raise ValueError(f"batches: {len(X)} inputs but {len(y)} targets")
    if len(X) == 0:                 # len, not truth: numpy arrays work too
        raise ValueError("batches: no samples")
    if batch_size is not None and (isinstance(batch_size, bool)
                                   or not isinstance(batch_size, Integral) or batch_size < 1):
        raise ValueError(f"batches: batch_size must be a positive integer, got {batch_size!r}")
    if batch_size is None or batch_size >= len(X):
        yield list(X), list(y)
        return
    order = list(range(len(X)))
    (rng or random.Random(0)).shuffle(order)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        yield [X[i] for i in idx], [y[i] for i in idx]
