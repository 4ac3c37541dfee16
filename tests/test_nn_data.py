"""nn.data.digits: scikit-learn's bundled 8x8 digits as plain lists, or a clear error without it."""
import builtins

import pytest

from nn import data


def test_digits_are_1797_images_of_64_floats_in_0_1_with_labels_0_to_9():
    sklearn = pytest.importorskip("sklearn.datasets")
    X, y = data.digits()
    assert len(X) == len(y) == 1797
    assert all(len(row) == 64 and all(0.0 <= v <= 1.0 for v in row) for row in X)
    assert set(y) == set(range(10)) and all(type(t) is int for t in y)
    assert all(type(v) is float for v in X[0])
    raw = sklearn.load_digits()
    assert X[5] == [v / 16 for v in raw.data[5].tolist()] and y[:10] == list(range(10))
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, test_fraction=0.2, seed=7)
    assert len(Xte) == round(1797 * 0.2) and len(Xtr) + len(Xte) == 1797
    assert data.train_test_split(X, y, 0.2, seed=7) == (Xtr, Xte, ytr, yte)   # seeded


def test_without_scikit_learn_the_error_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r"micrograd-lab\[digits\]"):
        data.digits()
