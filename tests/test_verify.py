"""verify(): hand-computed values and gradients checked, and the first wrong step pointed at."""
import pytest

from micrograd import Value, verify
from test_explain import _worked_example


def _correct_claims(v):
    """What a careful learner gets by hand (closed forms), rounded to 4 decimals."""
    o1, h2 = v["out_o1"].data, v["out_h2"].data
    dE_dout_o1 = o1 - 0.02                      # d/d out of 1/2 (t - out)^2
    return {name: round(x, 4) for name, x in {
        "in_h1": 0.25 * 0.1 + 0.5 * 0.05 + 0.3,
        "out_h1": v["out_h1"].data,
        "in_o1": 0.7 * v["out_h1"].data + 0.6 * h2 + 0.9,
        "out_o1": o1,
        "E_o1": 0.5 * (0.02 - o1) ** 2,
        "E": v["E_o1"].data + v["E_o2"].data,
        "dE/dout_o1": dE_dout_o1,
        "dE/din_o1": dE_dout_o1 * o1 * (1 - o1),
        "dE/dw7": dE_dout_o1 * o1 * (1 - o1) * h2,
    }.items()}


def test_correct_worked_example_holds():
    v = _worked_example()
    report = verify(v["E"], _correct_claims(v))
    assert report and report.ok
    assert all(r.ok and r.first_wrong_upstream is None for r in report.rows)
    assert [r.name for r in report.rows][-1] == "dE/dw7"
    assert "all 9 claims hold" in str(report)
    assert v["w7"].grad == 0.0                   # verify reads no .grad and writes none


def test_documents_numbers_point_at_the_first_wrong_step():
    # the numbers printed in 003_d77308b932c75427.txt; with the weights of its own code,
    # in_h2 = 0.2*0.1 + 0.15*0.05 + 0.3 = 0.3275 holds, but in_o1 = 1.345 does not
    v = _worked_example()
    claims = {"in_h1": 0.35, "in_h2": 0.3275, "out_h1": 0.5866, "out_h2": 0.5812,
              "in_o1": 1.345, "out_o1": 0.7927, "E_o1": 0.2985, "E": 0.3226, "dE/dw7": 0.0745}
    report = verify(v["E"], claims)
    assert not report
    rows = {r.name: r for r in report.rows}
    assert [n for n in claims if rows[n].ok] == ["in_h1", "in_h2", "out_h1", "out_h2"]
    assert not rows["in_o1"].ok and rows["in_o1"].first_wrong_upstream is None
    for name in ("out_o1", "E_o1", "E", "dE/dw7"):
        assert rows[name].first_wrong_upstream == "in_o1"
    assert rows["in_o1"].computed == pytest.approx(0.7 * 0.586618 + 0.6 * 0.581151 + 0.9, abs=1e-5)
    text = str(report)
    assert "in_o1   1.345    1.65932    WRONG  <- first wrong step" in text
    assert "(follows from in_o1)" in text and "start checking at: in_o1" in text


def test_a_wrong_gradient_step_is_found_behind_correct_values():
    v = _worked_example()
    claims = _correct_claims(v)
    claims["dE/dout_o1"] = -claims["dE/dout_o1"]      # the classic sign slip: t - out
    claims["dE/din_o1"] = -claims["dE/din_o1"]
    claims["dE/dw7"] = -claims["dE/dw7"]
    report = verify(v["E"], claims)
    rows = {r.name: r for r in report.rows}
    assert all(rows[n].ok for n in ("in_h1", "out_h1", "in_o1", "out_o1", "E_o1", "E"))
    assert rows["dE/dout_o1"].first_wrong_upstream is None
    assert rows["dE/din_o1"].first_wrong_upstream == "dE/dout_o1"
    assert rows["dE/dw7"].first_wrong_upstream == "dE/dout_o1"


def test_a_slip_at_the_last_step_only_blames_itself():
    v = _worked_example()
    claims = _correct_claims(v)
    claims["dE/dw7"] += 0.01
    report = verify(v["E"], claims)
    assert [r.name for r in report.rows if not r.ok] == ["dE/dw7"]
    assert report.rows[-1].first_wrong_upstream is None


def test_tolerance_accepts_rounding_not_mistakes():
    a, b = Value(0.123456, "a"), Value(2.0, "b")
    c = a * b
    c.label = "c"
    assert verify(c, {"c": 0.2469, "dc/da": 2.0, "dc/db": 0.1235})
    assert not verify(c, {"c": 0.2479})
    assert verify(c, {"c": 0.2479}, abs_tol=0.01)
    assert not verify(c, {"c": 0.2469}, rel_tol=0.0, abs_tol=1e-9)
    assert verify(c, {"c": 0.246912}, rel_tol=0.0, abs_tol=1e-12)


def test_clear_errors():
    a = Value(1.0, "a")
    f = a * 2.0
    f.label = "f"
    with pytest.raises(ValueError, match="no node labelled 'w9'"):
        verify(f, {"w9": 1.0})
    with pytest.raises(ValueError, match="no node labelled 'w9'"):
        verify(f, {"df/dw9": 1.0})
    with pytest.raises(ValueError, match="about 'L', but the root is labelled 'f'"):
        verify(f, {"dL/da": 2.0})
    with pytest.raises(TypeError, match="must be a number"):
        verify(f, {"a": "one"})
    b1, b2 = Value(1.0, "b"), Value(2.0, "b")
    with pytest.raises(ValueError, match="2 nodes are labelled 'b'"):
        verify(b1 + b2, {"b": 1.0})


def test_unlabelled_root_and_spaced_gradient_names():
    x = Value(3.0, "x")
    y = x * x
    report = verify(y, {"dy / dx": 6.0, "∂y/∂x": 6.0})
    assert report and [r.computed for r in report.rows] == [6.0, 6.0]
