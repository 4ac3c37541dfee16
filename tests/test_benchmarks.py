"""A tiny run of benchmarks/run.py (--smoke), so the benchmark script never rots.

No timing is asserted (the machines are shared and noisy): only that every workload ran, the
numbers are sane, every engine's loss trajectory matches ours, the JSON file is complete, and
karpathy's columns are either present or skipped with a note saying why (no network needed).
"""
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run([sys.executable, str(RUN), "--smoke", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    return proc, out


def test_smoke_run_succeeds_and_prints_a_table(smoke):
    proc, out = smoke
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    for heading in ("Machine:", "Wide graph", "Deep chain", "Demo training step", "Digits epoch",
                    "Memory", "Import time", "Targets"):
        assert heading in proc.stdout
    assert out.is_file() and not list(out.parent.glob("*.tmp"))     # atomic write, no leftovers


def test_results_file_is_complete(smoke):
    proc, out = smoke
    results = json.loads(out.read_text())
    assert results["mode"] == "smoke"
    engines = set(results["wide"]["engines"])
    assert {"ours", "floats"} <= engines
    karpathy_ran = "karpathy" in engines
    if not karpathy_ran:            # offline: skipped, and the note says so
        assert any("karpathy" in note for note in results["notes"])
    for name, row in results["wide"]["engines"].items():
        for key in ("forward_ns", "backward_ns", "free_ns", "total_ns"):
            assert math.isfinite(row[key]) and row[key] >= 0, (name, key)
    # every engine computed the same wide graph: same value, same two gradients
    checks = [row["check"] for row in results["wide"]["engines"].values()]
    for check in checks[1:]:
        assert check == pytest.approx(checks[0], rel=1e-9)
    ours_chain = results["chain"]["ours"]
    assert ours_chain["check"][1] == pytest.approx(1.000001 ** (ours_chain["depth"] // 2))
    if karpathy_ran:                # its recursive topological sort fails on the deep chain
        assert "RecursionError" in results["chain"]["karpathy"]["error"]
        assert results["chain"]["karpathy_short"]["check"] is not None
    demo = results["demo"]["engines"]
    assert {"ours", "ours_replay", "ours_compiled", "ours_fit", "floats"} <= set(demo)
    assert demo["ours_replay"]["losses"] == demo["ours"]["losses"]     # replay: identical
    assert demo["ours_replay"]["backend"] == "floats"
    assert demo["ours_compiled"]["backend"] == "compiled"
    assert demo["ours_fit"]["backend"] in ("floats", "compiled")      # fit's pick, reported
    for name, row in demo.items():
        assert len(row["losses"]) == results["demo"]["steps"]
        assert row["max_loss_diff_vs_ours"] <= 1e-9, name
        assert 0 <= row["gc_s"] <= row["compute_s"], name             # collector time in the step
    for name in ("ours_compiled", "ours_fit"):                          # numpy: to rounding
        assert demo[name]["losses"] == pytest.approx(demo["ours"]["losses"], rel=1e-12, abs=0)
    assert results["machine"]["cpus"] >= 1 and "cpu_model" in results["machine"]
    assert results["bytes"]["engines"]["ours"]["forward_bytes"] > 0
    assert results["import"]["ours"]["ms"] > 0
    assert {t["target"] for t in results["targets"]} and "ratios" in results


def test_digits_epoch_rows_exist_and_agree(smoke):
    proc, out = smoke
    digits = json.loads(out.read_text())["digits"]
    if "skipped" in digits:         # no scikit-learn: skipped, and the note says so
        pytest.importorskip("sklearn")
        pytest.fail(f"scikit-learn is installed but the digits epoch was skipped: {digits}")
    engines = digits["engines"]
    assert {"ours", "ours_replay", "ours_compiled", "ours_fit", "floats"} <= set(engines)
    assert "n/a" in engines["karpathy"] and "exp" in engines["karpathy"]["n/a"]
    assert digits["batches"] == math.ceil(digits["samples"] / digits["batch_size"])
    ours = engines["ours"]
    for name, row in engines.items():
        if "n/a" in row:
            continue
        assert math.isfinite(row["epoch_s"]) and row["epoch_s"] > 0, name
        assert 0 <= row["gc_s"], name
        assert row["max_loss_diff_vs_ours"] <= 1e-9, name
        assert row["same_correct_as_ours"], name
        if name == "torch":         # timed on its first batches only, scaled to the epoch
            assert 1 <= row["measured_batches"] <= digits["batches"]
            continue
        assert len(row["epoch_loss"]) == 2 and row["first_epoch_s"] > 0
        # numpy (compiled) agrees to rounding, everything else to 1e-9 (checked above)
        tol = 1e-12 if name in ("ours_compiled", "ours_fit") else 1e-9
        assert row["epoch_loss"] == pytest.approx(ours["epoch_loss"], rel=tol, abs=0), name
        assert row["epoch_accuracy"] == ours["epoch_accuracy"], name
    assert engines["ours_replay"]["epoch_loss"] == ours["epoch_loss"]     # float replay: ==
    assert engines["ours_replay"]["backend"] == "floats"
    assert engines["ours_compiled"]["backend"] == "compiled"
    assert engines["ours_fit"]["backend"] in ("floats", "compiled")


def test_new_targets_are_listed(smoke):
    proc, out = smoke
    targets = {t["target"]: t for t in json.loads(out.read_text())["targets"]}
    for words in ("fit default, time / floats", "old 27 ms (recorded)", "bytes per op node",
                  "train_step) vs karpathy"):
        assert any(words in name for name in targets), words
    digits_fit = next(t for name, t in targets.items() if name.startswith("digits epoch"))
    assert digits_fit["value"] is not None         # measured (timing itself not asserted)


def test_karpathy_loader_does_not_touch_our_micrograd(tmp_path):
    # karpathy's package is loaded under another name; ours stays importable and first
    code = ("import sys; sys.path.insert(0, 'benchmarks'); import karpathy, pathlib, micrograd;"
            "k = karpathy.load(pathlib.Path(sys.argv[1]));"
            "assert sys.modules['micrograd'] is micrograd and hasattr(micrograd, 'gradcheck');"
            "assert 'micrograd.nn' not in sys.modules;"
            "v = k.engine.Value(2.0) * 3; v.backward(); print(v.data, k.nn.Value is k.engine.Value)")
    cache = Path(__import__("tempfile").gettempdir()) / "micrograd-lab-bench"
    proc = subprocess.run([sys.executable, "-c", code, str(cache)], capture_output=True,
                          text=True, timeout=180, cwd=ROOT)
    if proc.returncode != 0 and "Unavailable" in proc.stderr:
        pytest.skip(f"karpathy's sdist not available offline: {proc.stderr.strip()[-200:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["6.0", "True"]


@pytest.mark.parametrize("batch_size", [None, 10])
def test_replay_step_in_fit_matches_train_step(batch_size):
    # ReplayStep is a drop-in `step` for nn.fit. On floats (compiled=False) its history is
    # identical (==) to train_step's; compiled (numpy) and fit's default (compiled where the
    # graph is wide enough) agree to rounding. Inputs and targets are replay inputs, so one
    # recording serves every batch of a size: the full batch, or the 3 batches of 10.
    from nn.data import moons
    from nn.layers import MLP
    from nn.optim import SGD
    from nn.train import ReplayStep, fit, train_step

    X, y = moons(30, seed=1)
    y = [2 * t - 1 for t in y]

    def train(step_kwargs):
        model = MLP(2, [8, 8, 1], seed=5)
        history = fit(model, X, y, loss="hinge", epochs=6, l2=1e-4, progress=False,
                      batch_size=batch_size, seed=3,
                      optimizer=SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100),
                      **step_kwargs)
        return history.loss + history.accuracy + [p.data for p in model.parameters()]

    replay = ReplayStep(compiled=False)
    reference = train({"step": train_step})
    assert train({"step": replay}) == reference
    assert len(replay.graphs) == 1                   # recorded once, replayed every other step
    pytest.importorskip("numpy")
    assert train({"step": ReplayStep(compiled=True)}) == pytest.approx(reference, rel=1e-12)
    assert train({}) == pytest.approx(reference, rel=1e-12)
