"""state_dict / save / load: exact round trip, atomic writes, and errors that change nothing."""
import json
import math
import os
import re

import pytest

from nn import FORMAT_VERSION, MLP, ModelFileError


def model(seed=0, **kw):
    return MLP(2, [4, 3, 1], activation="tanh", seed=seed, **kw)


def test_save_load_round_trip_is_exact(tmp_path):
    a, b = model(seed=1), model(seed=2)
    a.layers[0].neurons[0].w[0].data = 0.1 + 0.2          # not a "nice" float
    a.layers[2].neurons[0].b.data = -1e-300
    path = tmp_path / "m.json"
    a.save(path)
    b.load(path)
    assert b.state_dict() == a.state_dict()                # bit-for-bit equal floats
    assert b([0.3, -0.2])[0].data == a([0.3, -0.2])[0].data
    doc = json.loads(path.read_text())
    assert doc["version"] == FORMAT_VERSION and doc["class"] == "MLP"
    assert doc["config"] == {"nin": 2, "nouts": [4, 3, 1], "activation": "tanh",
                             "output_activation": "linear"}
    assert list(doc["parameters"]) == [n for n, _ in a.named_parameters()]


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "m.json"
    model(seed=1).save(path)
    model(seed=2).save(path)                               # replaces the old file
    assert os.listdir(tmp_path) == ["m.json"]
    b = model(seed=3)
    b.load(path)
    assert b.state_dict() == model(seed=2).state_dict()


def test_save_into_a_missing_folder_fails_without_leaving_anything(tmp_path):
    with pytest.raises(OSError):
        model().save(tmp_path / "no" / "such" / "m.json")
    assert os.listdir(tmp_path) == []


def test_state_dict_round_trip_and_validation():
    a, b = model(seed=1), model(seed=2)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    before = b.state_dict()
    bad = dict(a.state_dict())
    bad.pop("layers.0.neurons.0.w.0")
    with pytest.raises(ValueError, match="missing 1 .*layers.0.neurons.0.w.0"):
        b.load_state_dict(bad)
    bad = dict(a.state_dict(), extra=1.0)
    with pytest.raises(ValueError, match="unexpected 1 .*'extra'"):
        b.load_state_dict(bad)
    bad = dict(a.state_dict())
    bad["layers.2.neurons.0.b"] = float("nan")
    with pytest.raises(ValueError, match="layers.2.neurons.0.b.*not a finite number"):
        b.load_state_dict(bad)
    bad["layers.2.neurons.0.b"] = "0.5"
    with pytest.raises(ValueError, match="not a number"):
        b.load_state_dict(bad)
    assert b.state_dict() == before                        # nothing changed


def _write(tmp_path, text):
    path = tmp_path / "m.json"
    path.write_text(text)
    return path


def test_wrong_architecture_is_a_clear_error_and_changes_nothing(tmp_path):
    path = tmp_path / "other.json"
    MLP(2, [16, 16, 1], seed=0).save(path)
    m = model(seed=5)
    before = m.state_dict()
    with pytest.raises(ModelFileError, match=r"holds MLP\(nin=2, nouts=\[16, 16, 1\].*this model "
                                             r"is MLP\(nin=2, nouts=\[4, 3, 1\]"):
        m.load(path)
    MLP(2, [4, 3, 1], activation="relu", seed=0).save(path)   # same shape, other activation
    with pytest.raises(ModelFileError, match="activation='relu'"):
        m.load(path)
    assert m.state_dict() == before


@pytest.mark.parametrize("mutate,match", [
    (lambda text, doc: text[: len(text) // 2], "not valid JSON"),
    (lambda text, doc: "", "not valid JSON"),
    (lambda text, doc: "[1, 2]", "not a micrograd-lab.nn model file"),
    (lambda text, doc: json.dumps(dict(doc, format="other")), "not a micrograd-lab.nn"),
    (lambda text, doc: json.dumps(dict(doc, version=99)), "format version 99 is not supported"),
    (lambda text, doc: json.dumps(dict(doc, parameters={**doc["parameters"],
                                                        "layers.0.neurons.0.b": None})),
     "layers.0.neurons.0.b.*not a number"),
    (lambda text, doc: text.replace('"layers.1.neurons.2.w.0"', '"layers.1.neurons.2.w.9"'),
     "missing 1.*unexpected 1"),
    (lambda text, doc: text.replace('"layers.2.neurons.0.b": 0.0', '"layers.2.neurons.0.b": 1e999'),
     "not a finite number"),
])
def test_corrupt_files_are_clear_errors_and_change_nothing(tmp_path, mutate, match):
    src = model(seed=1)
    path = tmp_path / "good.json"
    src.save(path)
    text = path.read_text()
    bad = _write(tmp_path, mutate(text, json.loads(text)))
    m = model(seed=9)
    before = m.state_dict()
    with pytest.raises(ModelFileError, match=match):
        m.load(bad)
    assert m.state_dict() == before


def test_saved_file_has_the_usual_permissions(tmp_path):
    (tmp_path / "plain.txt").write_text("x")
    model().save(tmp_path / "m.json")
    mode = lambda p: os.stat(p).st_mode & 0o777
    assert mode(tmp_path / "m.json") == mode(tmp_path / "plain.txt")


def _png_bytes():
    # the 8-byte PNG signature and an IHDR chunk: byte 0 (0x89) is not valid UTF-8
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize("content,match", [
    (_png_bytes(), "not a text file"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    (b"1" * 5000, "not valid JSON"),                    # past Python's int digit limit
    ("big", "too large for a float"),                   # a parameter of 10**400 in the JSON
])
def test_files_that_are_not_json_or_hold_huge_numbers_raise_model_file_error(
        tmp_path, content, match):
    src = model(seed=1)
    good = tmp_path / "good.json"
    src.save(good)
    if content == "big":
        content = good.read_text().replace('"layers.2.neurons.0.b": 0.0',
                                           '"layers.2.neurons.0.b": 1' + "0" * 400).encode()
        assert b"0" * 400 in content
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    m = model(seed=9)
    before = m.state_dict()
    with pytest.raises(ModelFileError, match=match) as e:
        m.load(bad)
    assert str(bad) in str(e.value)                     # the message names the file
    assert m.state_dict() == before


# --- load returns the model; what load refuses to read ------------------------------------------
def test_load_returns_the_model_itself(tmp_path):
    path = tmp_path / "m.json"
    model(seed=1).save(path)
    m = model(seed=2)
    assert m.load(path) is m
    assert MLP(2, [4, 3, 1], activation="tanh").load(path).state_dict() == \
        model(seed=1).state_dict()


posix = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev files")


@posix
@pytest.mark.parametrize("kind,match", [
    ("fifo", r"not a regular file \(a FIFO\)"),
    ("/dev/zero", r"not a regular file \(a character device\)"),
    ("/dev/urandom", r"not a regular file \(a character device\)"),
    ("directory", r"not a regular file \(a directory\)"),
])
def test_load_refuses_endless_or_blocking_paths_at_once(tmp_path, kind, match):
    import subprocess
    import sys
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)                 # no writer: open() would wait for one forever
    elif kind == "directory":
        path = tmp_path
    else:
        path = kind
        if not os.path.exists(path):
            pytest.skip(f"no {path}")
    # in a child, so a regression blocks (or fills the memory of) that child, not the run
    code = ("import sys; from nn import MLP, ModelFileError\n"
            "m = MLP(2, [4, 3, 1], activation='tanh', seed=0); before = m.state_dict()\n"
            "try:\n    m.load(sys.argv[1])\nexcept ModelFileError as e:\n"
            "    print(e); assert m.state_dict() == before\n")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"load {path}: ") and re.search(match, r.stdout), r.stdout


def test_load_refuses_a_file_far_larger_than_any_file_of_this_model(tmp_path):
    from nn.module import FILE_BASE_BYTES, FILE_BYTES_PER_PARAMETER
    m = model(seed=1)
    path = tmp_path / "m.json"
    m.save(path)
    limit = FILE_BASE_BYTES + FILE_BYTES_PER_PARAMETER * len(m.parameters())
    assert path.stat().st_size < limit / 100            # ample room for a real file
    text = path.read_text()
    path.write_text(text[:-2] + " " * (limit + 1 - len(text)) + "}\n")   # valid, 1 byte over
    assert path.stat().st_size == limit + 1
    before = m.state_dict()
    with pytest.raises(ModelFileError, match=f"{limit + 1} bytes, more than the {limit} allowed"):
        m.load(path)
    path.write_text(text[:-2] + " " * (limit - len(text)) + "}\n")   # exactly the limit
    assert path.stat().st_size == limit
    m.load(path)
    assert m.state_dict() == before
    with open(path, "wb") as f:
        f.truncate(1 << 40)                                  # 1 TiB, sparse: never read
    with pytest.raises(ModelFileError, match="more than"):
        m.load(path)


@pytest.mark.parametrize("version", ["true", "1.0", '"1"', "null", "[1]", "2", "0"])
def test_a_format_version_that_is_not_exactly_the_integer_1_is_refused(tmp_path, version):
    src = model(seed=1)
    path = tmp_path / "m.json"
    src.save(path)
    text = path.read_text()
    assert '"version": 1,' in text
    path.write_text(text.replace('"version": 1,', f'"version": {version},'))
    m = model(seed=9)
    before = m.state_dict()
    with pytest.raises(ModelFileError, match="format version .* is not supported"):
        m.load(path)
    assert m.state_dict() == before


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_saving_a_non_finite_parameter_names_it_and_writes_nothing(tmp_path, bad):
    path = tmp_path / "m.json"
    m = model(seed=1)
    m.save(path)
    saved = path.read_bytes()
    m.layers[1].neurons[2].w[0].data = bad                   # as a diverged update leaves it
    with pytest.raises(ValueError, match=r"save .*m\.json: parameter "
                                         r"'layers\.1\.neurons\.2\.w\.0' is .*not a finite"):
        m.save(path)
    assert path.read_bytes() == saved and os.listdir(tmp_path) == ["m.json"]
    with pytest.raises(ValueError, match="layers.1.neurons.2.w.0"):
        m.save(tmp_path / "new.json")
    assert os.listdir(tmp_path) == ["m.json"]


def test_saving_keeps_plain_floats_whatever_was_assigned(tmp_path):
    from fractions import Fraction
    m = model(seed=1)
    m.layers[0].neurons[0].b.data = Fraction(1, 4)           # a Real, not a float
    m.save(tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["parameters"]["layers.0.neurons.0.b"] == 0.25


def test_resaving_keeps_a_private_files_mode(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX modes")
    path = tmp_path / "m.json"
    model(seed=1).save(path)
    os.chmod(path, 0o600)
    model(seed=2).save(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
