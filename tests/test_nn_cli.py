"""`python -m nn train`: bad arguments (one line, exit 2, no traceback), small real runs and the
training page it writes (out/training.html; --no-html skips it)."""
import json
import os
import subprocess
import sys

import pytest

from nn import MLP
from nn.__main__ import main


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nn", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.mark.parametrize("args,mentions", [
    ([], "missing command"),
    (["fly"], "invalid choice: 'fly'"),
    (["train", "--dataset", "mnist"], "--dataset: invalid choice: 'mnist'"),
    (["train", "--hidden", "16,x"], "--hidden: expected comma-separated positive layer sizes"),
    (["train", "--hidden", "0"], "--hidden"),
    (["train", "--lr", "-1"], "--lr: expected a finite number > 0"),
    (["train", "--lr", "nan"], "--lr"),
    (["train", "--epochs", "0"], "--epochs: expected a positive integer"),
    (["train", "--batch-size", "two"], "--batch-size"),
    (["train", "--activation", "gelu"], "--activation: invalid choice"),
    (["train", "--loss", "l1"], "--loss: invalid choice"),
    (["train", "--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_bad_arguments_give_one_line_and_exit_2(args, mentions, capsys):
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and mentions in lines[0] and lines[0].startswith("python -m nn: error:")


def test_bad_arguments_from_the_shell_have_no_traceback(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("x")
    for args in (["train", "--epochs", "-3"], ["train", "--out", str(target / "sub")]):
        r = run(*args)
        assert r.returncode == 2 and r.stdout == ""
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_tiny_xor_run_writes_model_and_plots(tmp_path):
    out = tmp_path / "run"
    r = run("train", "--dataset", "xor", "--epochs", "300", "--quiet", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "final:      mse loss" in r.stdout and "accuracy" in r.stdout
    assert "ms per training step" in r.stdout
    for name in ("model.json", "loss.png", "decision_boundary.png", "training.html"):
        assert (out / name).stat().st_size > 0
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert r.stdout.splitlines()[-1] == "wrote: " + ", ".join(
        str(out / name) for name in ("model.json", "loss.png", "decision_boundary.png",
                                     "training.html"))
    doc = json.loads((out / "model.json").read_text())
    assert doc["config"]["nouts"] == [4, 1] and doc["config"]["output_activation"] == "sigmoid"
    m = MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid")
    m.load(out / "model.json")                      # the saved model loads back


def test_table_run_has_no_decision_boundary_and_options_apply(tmp_path, capsys):
    assert main(["train", "--dataset", "table", "--hidden", "6,3", "--loss", "cross_entropy",
                 "--epochs", "3", "--batch-size", "4", "--lr", "0.2", "--quiet",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "MLP(5, [6, 3, 2]" in out and "3 epochs x 3 step(s)" in out and "lr 0.2" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png", "model.json",
                                                          "training.html"]


def test_without_matplotlib_it_says_so_and_still_succeeds(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import matplotlib -> ImportError
    code = main(["train", "--samples", "20", "--hidden", "4", "--epochs", "2", "--quiet",
                 "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert sum("matplotlib is not installed" in line for line in out.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "training.html"]
    assert out.splitlines()[-1] == (f"wrote: {tmp_path / 'model.json'}, "
                                    f"{tmp_path / 'training.html'}")


def test_importing_nn_loads_no_heavy_packages():
    code = ("import sys, nn, nn.__main__; "
            "print(sorted(m for m in ('matplotlib', 'tqdm', 'numpy', 'torch', 'graphviz') "
            "if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_moons_schedule_spans_every_mini_batch_step(tmp_path, capsys, monkeypatch):
    # 20 points in batches of 5: 4 steps per epoch, 3 epochs = 12 optimizer steps, and the
    # schedule 1.0 - 0.9*k/12 must still be falling at the last one (not flat at 0.1 after 3)
    import nn.__main__ as cli
    used = []

    class RecordingSGD(cli.SGD):
        def step(self):
            used.append(self.current_lr())
            super().step()

    monkeypatch.setattr(cli, "SGD", RecordingSGD)
    assert main(["train", "--samples", "20", "--hidden", "4", "--epochs", "3",
                 "--batch-size", "5", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "SGD lr 1.0 - 0.9*k/12 (k = step), 3 epochs x 4 step(s), batch size 5" in out
    assert len(used) == 12
    assert used == [1.0 - 0.9 * k / 12 for k in range(12)]
    assert all(a > b for a, b in zip(used, used[1:]))      # never clamped early


@pytest.mark.parametrize("dataset,nin,hidden,setup", [
    # 002_909b28b3d0b2318a.txt: learning_rate 0.5, epochs 10000, all four points at once
    ("xor", 2, [4], "SGD lr 0.5, 10000 epochs x 1 step(s), full batch"),
    # 001_535ec0cb8a4ef9ef.txt: lr 0.1 on the gradient summed over all 10 rows, 1000 epochs;
    # our loss is the batch mean, so the same steps need lr 0.1 * 10 = 1
    ("table", 5, [10], "SGD lr 1, 1000 epochs x 1 step(s), full batch"),
])
def test_document_defaults_train_full_batch_and_get_every_point_right(
        dataset, nin, hidden, setup, tmp_path, capsys):
    from nn import data
    from nn.train import predict
    assert main(["train", "--dataset", dataset, "--quiet", "--out", str(tmp_path)]) == 0
    assert setup in capsys.readouterr().out
    model = MLP(nin, hidden + [1], activation="sigmoid", output_activation="sigmoid",
                init="uniform" if dataset == "xor" else "normal")
    model.load(tmp_path / "model.json")
    X, y = data.xor() if dataset == "xor" else data.table()
    assert [float(o[0] > 0.5) for o in predict(model, X)] == y   # every point on its side


# --- what the two loss lines report -----------------------------------------------------------
def _value(line: str, objective: str) -> float:
    return float(line.split(objective, 1)[1].split(",")[0])


@pytest.mark.parametrize("args,objective,l2", [
    (["--dataset", "xor", "--epochs", "300"], "mse loss", 0.0),
    (["--samples", "20", "--hidden", "4", "--epochs", "5"], "hinge loss + L2", 1e-4),
    (["--samples", "20", "--hidden", "4", "--epochs", "3", "--batch-size", "6", "--l2", "0.01"],
     "hinge loss + L2", 0.01),
])
def test_final_line_is_the_objective_of_the_saved_model_and_says_so(tmp_path, capsys, args,
                                                                    objective, l2):
    from nn import data, evaluate, hinge, mse
    assert main(["train", *args, "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    [last] = [line for line in out if line.startswith("last epoch: ")]
    [final] = [line for line in out if line.startswith("final:      ")]
    assert last.startswith(f"last epoch: {objective} ") and "(history.loss, the bar)" in last
    assert "before its update" in last or "before each batch's update" in last
    assert final.startswith(f"final:      {objective} ")
    assert final.endswith("after the last update (the saved model)")
    xor = "xor" in args
    X, y = data.xor() if xor else data.moons(20, noise=0.1, seed=1337)
    loss = mse if xor else hinge
    if not xor:
        y = [2 * t - 1 for t in y]
    model = MLP(2, [4, 1], activation="sigmoid" if xor else "relu",
                output_activation="sigmoid" if xor else "linear").load(tmp_path / "model.json")
    expect, acc = evaluate(model, X, y, loss, l2=l2)
    assert _value(final, objective) == float(f"{expect:.6f}")
    assert f"accuracy {acc:.1%}" in final


# --- divergence and unwritable outputs: one line, exit 2 --------------------------------------
@pytest.mark.parametrize("args", [
    ["--lr", "1e308"],
    ["--activation", "linear", "--lr", "100"],
    ["--lr", "1e200", "--epochs", "1", "--hidden", "4,4"],   # caught by the final forward
    ["--lr", "1e300", "--batch-size", "10"],
])
def test_a_diverging_run_prints_one_error_line_and_writes_nothing(tmp_path, args):
    out = tmp_path / "run"
    r = run("train", *args, "--quiet", "--out", str(out))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("python -m nn: error: training diverged at epoch ")
    assert "try a smaller --lr" in lines[0] and "'layers." in lines[0]
    assert "replay" not in lines[0].lower()
    assert "final" not in r.stdout and "wrote" not in r.stdout
    assert list(out.iterdir()) == []


def _no_training(monkeypatch):
    import nn.__main__ as cli

    def fit(*a, **k):
        raise AssertionError("trained before checking --out")
    monkeypatch.setattr(cli, "fit", fit)


@pytest.mark.parametrize("blocker", ["model.json", "loss.png", "decision_boundary.png",
                                     "training.html"])
def test_an_output_file_that_is_a_folder_is_refused_before_training(tmp_path, capsys,
                                                                   monkeypatch, blocker):
    _no_training(monkeypatch)
    (tmp_path / blocker).mkdir()
    with pytest.raises(SystemExit) as e:
        main(["train", "--quiet", "--out", str(tmp_path)])
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.strip().splitlines()
    assert line.startswith("python -m nn: error: argument --out:") and blocker in line


def test_an_unwritable_folder_is_refused_before_training(tmp_path, capsys, monkeypatch):
    import tempfile
    _no_training(monkeypatch)

    def mkstemp(*a, **k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with pytest.raises(SystemExit) as e:
        main(["train", "--quiet", "--out", str(tmp_path)])
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "cannot write into folder" in err and "Permission denied" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_a_folder_where_no_file_can_be_made_is_refused_from_the_shell():
    r = run("train", "--quiet", "--out", "/proc/self")     # even root cannot create files there
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "argument --out: cannot write into folder '/proc/self'" in r.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="permission bits do not stop root")
def test_a_read_only_folder_is_refused_before_training(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        r = run("train", "--quiet", "--out", str(out))
    finally:
        out.chmod(0o700)
    assert r.returncode == 2 and r.stdout == "" and "cannot write into folder" in r.stderr


def test_a_write_that_fails_after_training_is_one_error_line(tmp_path, capsys, monkeypatch):
    import nn.__main__ as cli

    def save(self, path):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cli.MLP, "save", save)
    with pytest.raises(SystemExit) as e:
        main(["train", "--samples", "10", "--hidden", "3", "--epochs", "2", "--quiet",
              "--out", str(tmp_path)])
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert "final:" in out and "wrote" not in out
    [line] = err.strip().splitlines()
    assert line == (f"python -m nn: error: cannot write into {str(tmp_path)!r}: "
                    f"No space left on device")


# --- the training page ------------------------------------------------------------------------
def _page_data(path) -> dict:
    import re
    text = open(path, encoding="utf-8").read()
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def test_train_writes_the_training_page_by_default_and_says_so(tmp_path, capsys):
    from nn import SGD, data, fit, hinge, linear_schedule
    assert main(["train", "--samples", "20", "--hidden", "4", "--epochs", "5", "--quiet",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "wrote: " + ", ".join(str(tmp_path / name) for name in (
        "model.json", "loss.png", "decision_boundary.png", "training.html"))
    # the page holds the run's own history: the same run again, in Python
    X, y = data.moons(20, noise=0.1, seed=1337)
    model = MLP(2, [4, 1], seed=1337)
    history = fit(model, X, [2 * t - 1 for t in y], loss=hinge, l2=1e-4, epochs=5, seed=1337,
                  progress=False, optimizer=SGD(model.parameters(),
                                                lr=linear_schedule(1.0, 0.1, 5)))
    d = _page_data(tmp_path / "training.html")
    assert [f["loss"] for f in d["frames"]] == [repr(v) for v in history.loss] + [
        repr(history.final_loss)]
    assert d["boundary"]["n"] == 32 and d["title"].startswith("Training MLP(2, [4, 1]")


def test_no_html_writes_no_page_and_a_page_folder_is_no_obstacle(tmp_path, capsys, monkeypatch):
    import nn.live

    def fail(*a, **k):
        raise AssertionError("recorded with --no-html")
    monkeypatch.setattr(nn.live.TrainingRecorder, "start", fail)
    (tmp_path / "training.html").mkdir()            # refused without --no-html (see above)
    assert main(["train", "--samples", "20", "--hidden", "4", "--epochs", "2", "--quiet",
                 "--no-html", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "wrote: " + ", ".join(str(tmp_path / name) for name in (
        "model.json", "loss.png", "decision_boundary.png"))
    assert (tmp_path / "training.html").is_dir()


def test_the_time_line_is_the_training_alone(tmp_path, capsys, monkeypatch):
    import time
    import nn.live
    classes = nn.live.TrainingRecorder._classes

    def slow_classes(self):
        time.sleep(0.3)                             # a slow page: 4 frames, 1.2 s of recording
        return classes(self)
    monkeypatch.setattr(nn.live.TrainingRecorder, "_classes", slow_classes)
    assert main(["train", "--samples", "20", "--hidden", "4", "--epochs", "3", "--quiet",
                 "--out", str(tmp_path)]) == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("time:  ")]
    assert float(line.split()[1]) < 0.3, line


# --- digits, and losses from the table ------------------------------------------------------------
def test_digits_one_epoch_reports_held_out_accuracy_and_writes_the_confusion_png(tmp_path, capsys):
    pytest.importorskip("sklearn")
    out = tmp_path / "digits"
    assert main(["train", "--dataset", "digits", "--epochs", "1", "--quiet", "--no-html",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1438 to train on and 359 held out" in text
    assert "MLP(64, [32, 10]" in text and "cross_entropy loss" in text
    assert "batch size 32" in text and "45 step(s)" in text
    test_line = next(line for line in text.splitlines() if line.startswith("test:"))
    right = int(test_line.split("(")[1].split("/")[0])
    assert right / 359 > 0.7                        # one epoch already gets most right (80%)
    assert (out / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (out / "decision_boundary.png").exists()     # 64 inputs: no 2-D boundary
    assert MLP(64, [32, 10]).load(str(out / "model.json")).nouts == [32, 10]


@pytest.mark.parametrize("loss", ["hinge", "bce", "mse", "binary_cross_entropy"])
def test_a_one_output_loss_on_ten_classes_is_one_error_line(loss, capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", "--dataset", "digits", "--loss", loss])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has 10: use cross_entropy" in err[0]


def test_digits_without_scikit_learn_is_one_error_line_naming_the_extra(tmp_path):
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "from nn.__main__ import main\n"
            f"main(['train', '--dataset', 'digits', '--out', {str(tmp_path)!r}])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "micrograd-lab[digits]" in lines[0]
    assert not (tmp_path / "model.json").exists()


@pytest.mark.parametrize("loss,nout,activation", [("cross_entropy", 2, "linear"),
                                                  ("mse_mean", 1, "sigmoid"),
                                                  ("binary_cross_entropy", 1, "sigmoid"),
                                                  ("bce", 1, "linear")])
def test_every_table_loss_trains_from_the_command_line(tmp_path, capsys, loss, nout, activation):
    out = tmp_path / loss
    assert main(["train", "--loss", loss, "--epochs", "3", "--samples", "20", "--quiet",
                 "--no-html", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"MLP(2, [16, 16, {nout}], activation='relu', output_activation='{activation}')" in text
    assert "final:" in text


def test_without_numpy_the_run_says_it_replays_on_floats_and_still_trains(tmp_path):
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from nn.__main__ import main\n"
            f"sys.exit(main(['train', '--epochs', '3', '--quiet', '--no-html', "
            f"'--out', {str(tmp_path)!r}]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "numpy is not installed, so training replays its graph on Python floats" in r.stderr
    assert "pip install numpy" in r.stderr and "final:" in r.stdout
