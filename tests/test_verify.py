"""verify(): hand-computed values and gradients checked, and the first wrong step pointed at."""
import math

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


# --- where errors start: the linear sweeps against the definition, on random graphs ----------
def _reference_first_wrong(report, root):
    """The definition, by brute force: each wrong claim's wrong dependencies, then origins."""
    from micrograd import backward_order
    order = backward_order(root)
    nodes = {n.label: n for n in order if n.label}
    consumers = {n: [] for n in order}
    for n in order:
        for c in n.children:
            consumers[c].append(n)

    def down(starts):
        seen, stack = set(), list(starts)
        while stack:
            v = stack.pop()
            if v not in seen:
                seen.add(v)
                stack.extend(v.children)
        return seen

    def up(v):
        seen, stack = set(), list(consumers[v])
        while stack:
            u = stack.pop()
            if u not in seen:
                seen.add(u)
                stack.extend(consumers[u])
        return seen

    def node(row):
        return nodes[row.name] if row.kind == "value" else nodes[row.name.split("/d", 1)[1]]

    wrong = [r for r in report.rows if not r.ok]
    deps = {}
    for r in wrong:
        v = node(r)
        if r.kind == "value":
            vals, grads = down(v.children), set()
        else:
            grads = up(v)
            vals = down(grads)
        deps[r.name] = [o for o in wrong if o is not r and
                        node(o) in (vals if o.kind == "value" else grads)]
    out = {}
    for r in wrong:
        origins = [o for o in deps[r.name] if not deps[o.name]]
        out[r.name] = (origins[0].name if origins else
                       deps[r.name][0].name if deps[r.name] else None)
    return out


@pytest.mark.parametrize("seed", range(30))
def test_first_wrong_upstream_matches_the_definition(seed):
    import random
    from exprs import VALUE_LIB, output, random_program
    from micrograd import backward_order
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-1, 1), f"x{i}") for i in range(3)]
    root, _ = output(random_program(rng, 3, 25), leaves, VALUE_LIB)
    root.label = "E"
    for k, n in enumerate(backward_order(root)):
        if n.children and n is not root:
            n.label = f"h{k}"
    root.backward()
    claims = {}
    for n in backward_order(root):
        if n.label and rng.random() < 0.6:
            claims[n.label] = n.data + (0.5 if rng.random() < 0.3 else 0.0)
        if n.label and rng.random() < 0.6:
            claims[f"dE/d{n.label}"] = n.grad + (0.5 if rng.random() < 0.3 else 0.0)
    report = verify(root, claims)
    expected = _reference_first_wrong(report, root)
    assert {r.name: r.first_wrong_upstream for r in report.rows if not r.ok} == expected


def test_thousands_of_claims_on_a_long_chain_are_checked():
    x = Value(0.3, "x")
    y, chain = x, []
    for i in range(2000):
        y = (y * 1.0001 + 0.001) if i % 2 else y.tanh()
        y.label = f"n{i}"
        chain.append(y)
    y.label = "E"
    claims = {}
    for k, n in enumerate(chain[:-1]):
        claims[n.label] = n.data + (1.0 if k == 700 else 0.0)       # one wrong value
        claims[f"dE/d{n.label}"] = 0.0                                # every gradient wrong
    report = verify(y, claims)
    assert len(report.rows) == len(claims) == 3998
    wrong_value = chain[700].label
    values = [r for r in report.wrong if r.kind == "value"]
    assert [(r.name, r.first_wrong_upstream) for r in values] == [(wrong_value, None)]
    # every gradient claim is computed from all values, n700 among them: the one origin
    assert {r.first_wrong_upstream for r in report.wrong if r.kind == "grad"} == {wrong_value}


@pytest.mark.parametrize("claimed", [float("inf"), float("-inf"), float("nan"), "inf", "nan"])
def test_a_non_finite_claim_never_holds(claimed):
    x = Value(2.0, "x")
    f = x * x
    f.label = "f"
    report = verify(f, {"x": claimed, "df/dx": claimed}, rel_tol=1e300, abs_tol=1e300)
    assert not report.ok and all(not r.ok for r in report.rows)


def test_verify_after_a_failed_backward_refuses_instead_of_accepting():
    x = Value(1e-10, "x")
    f = x.log() * 1e300
    f.label = "f"
    with pytest.raises(OverflowError):
        f.backward()
    with pytest.raises(OverflowError, match="backward: gradient"):
        verify(f, {"df/dx": 12345.0})             # never "ok" against an infinite gradient


def test_verify_reads_and_writes_no_grad():
    x, w = Value(0.5, "x"), Value(-1.0, "w")
    f = (x * w).tanh()
    f.label = "f"
    x.grad, w.grad = 7.0, -3.0                    # left from some earlier pass
    report = verify(f, {"df/dx": -0.7864, "df/dw": 0.3932})
    assert report.ok
    assert (x.grad, w.grad, f.grad) == (7.0, -3.0, 0.0)
    f.backward()
    assert w.grad == pytest.approx(-3.0 + 0.5 * (1 - math.tanh(-0.5) ** 2))   # not doubled


@pytest.mark.parametrize("kwargs", [dict(rel_tol=-1), dict(abs_tol=float("nan")),
                                    dict(rel_tol=float("inf")), dict(abs_tol="0.1"),
                                    dict(rel_tol=True)])
def test_bad_tolerances_name_the_argument(kwargs):
    x = Value(1.0, "x")
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        verify(x * 2, {"x": 1.0}, **kwargs)


def test_float_absorption_is_a_limit_of_the_sum_order_as_documented():
    # check.py's docstring: b*3 + (b - b)/b at b = 1e-300; the order of the sum decides
    from micrograd import gradcheck, grad
    b = Value(1e-300, "b")
    assert grad(b * 3 + (b - b) / b, b).data == 0.0          # 3 + 1e300 - 1e300
    assert grad((b - b) / b + b * 3, b).data == 3.0          # 1e300 - 1e300 + 3
    assert not gradcheck(lambda b: b * 3 + (b - b) / b, [b])  # flagged, not hidden
    torch = pytest.importorskip("torch")
    t = torch.tensor(1e-300, dtype=torch.float64, requires_grad=True)
    (t * 3 + (t - t) / t).backward()
    u = torch.tensor(1e-300, dtype=torch.float64, requires_grad=True)
    ((u - u) / u + u * 3).backward()
    assert (t.grad.item(), u.grad.item()) == (3.0, 0.0)       # the other way round
