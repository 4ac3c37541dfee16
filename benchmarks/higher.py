"""What the derivative tools cost, against backward() in the same process, interleaved.

    python benchmarks/higher.py           # writes benchmarks/results/higher.json
    python benchmarks/higher.py --quick

- `grad(loss, parameters)` against `loss.backward()` for karpathy's demo network on enough
  two-moons samples for a ~100k-node graph (MLP(2, [16, 16, 1]), hinge + L2; 337 parameters).
  Target: within 1.5x.
- `grad(y, xs)` against `y.backward()` on the wide graph of benchmarks/workloads.py (products of
  leaf pairs summed by a balanced tree) with xs = every leaf: the worst case, one new Value per
  leaf (100,000 results, each of them also walked by the garbage collector once).
- `jvp(f, xs, t)` (build the graph, one forward pass of tangents) against building the same
  graph and calling backward(). Target: within 3x.
- `grad(..., create_graph=True)` on the same graph (the gradient built as a graph of Values).
- `explain(loss, w)` for one first-layer weight of karpathy's MLP(2, [16, 16, 1]) hinge loss
  on 8, 16 and 32 samples: seconds and seconds per graph node (flat = linear in the graph).

Medians over the repeats; the garbage collector stays at its default, objects alive before the
runs are frozen (as in benchmarks/run.py).
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import workloads as W               # noqa: E402

SIZES = {"full": dict(pairs=50_000, repeats=7, samples=(8, 16, 32), demo=150),
         "quick": dict(pairs=10_000, repeats=3, samples=(8, 16), demo=40),
         "smoke": dict(pairs=500, repeats=1, samples=(2,), demo=2)}


def timed(fn) -> tuple[float, object]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_grad(pairs: int, repeats: int) -> dict:
    from micrograd import Value, grad, jvp
    xs_data, ys_data = W.wide_data(pairs)
    n = len(xs_data)

    def leaves():
        return [Value(x) for x in xs_data], [Value(y) for y in ys_data]

    def backward():
        xs, ys = leaves()
        root = W.wide_graph(xs, ys)
        seconds, _ = timed(root.backward)
        return seconds, xs[0].grad

    def reverse():
        xs, ys = leaves()
        root = W.wide_graph(xs, ys)
        seconds, g = timed(lambda: grad(root, xs + ys))
        return seconds, g[0].data

    def symbolic():
        xs, ys = leaves()
        root = W.wide_graph(xs, ys)
        seconds, g = timed(lambda: grad(root, xs + ys, create_graph=True))
        return seconds, g[0].data

    def build_and_backward():
        xs, ys = leaves()
        seconds, _ = timed(lambda: W.wide_graph(xs, ys).backward())
        return seconds, None

    tangent = [1.0] + [0.0] * (2 * n - 1)

    def forward_mode():
        f = lambda *v: W.wide_graph(v[:n], v[n:])        # noqa: E731
        seconds, out = timed(lambda: jvp(f, xs_data + ys_data, tangent))
        return seconds, out[1]

    runs = {"backward": backward, "grad": reverse, "grad_create_graph": symbolic,
            "build_backward": build_and_backward, "jvp": forward_mode}
    times = {k: [] for k in runs}
    checks = {}
    gc.collect()
    gc.freeze()
    for _ in range(repeats):
        for name, run in runs.items():
            seconds, check = run()
            times[name].append(seconds)
            checks[name] = check
    assert checks["backward"] == checks["grad"] == checks["grad_create_graph"] == checks["jvp"], \
        checks
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"op_nodes": 2 * pairs - 1, "leaves": 2 * pairs, "repeats": repeats,
            "seconds": med,
            "grad_vs_backward": med["grad"] / med["backward"],
            "create_graph_vs_backward": med["grad_create_graph"] / med["backward"],
            "jvp_vs_build_backward": med["jvp"] / med["build_backward"]}


def bench_grad_parameters(samples: int, repeats: int) -> dict:
    from micrograd import backward_order, grad
    from nn import MLP, hinge
    from nn.train import batch_loss
    X, y = W.demo_data(samples)
    model = MLP(2, [16, 16, 1], seed=1337)
    params = model.parameters()

    def loss():
        return batch_loss(model, X, y, hinge, W.ALPHA)[0]

    def backward():
        root = loss()
        model.zero_grad()
        seconds, _ = timed(root.backward)
        return seconds, params[0].grad

    def reverse():
        root = loss()
        seconds, g = timed(lambda: grad(root, params))
        return seconds, g[0].data

    nodes = len(backward_order(loss()))
    times = {"backward": [], "grad": []}
    checks = {}
    for _ in range(repeats):
        for name, run in (("backward", backward), ("grad", reverse)):
            seconds, check = run()
            times[name].append(seconds)
            checks[name] = check
    assert checks["backward"] == checks["grad"], checks
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"nodes": nodes, "parameters": len(params), "samples": samples, "seconds": med,
            "grad_vs_backward": med["grad"] / med["backward"]}


def bench_explain(samples: tuple[int, ...], repeats: int) -> dict:
    from micrograd import backward_order, explain
    from nn import MLP, data, hinge
    from nn.train import batch_loss
    out = {}
    for n in samples:
        X, y = data.moons(n, noise=0.1, seed=1)
        model = MLP(2, [16, 16, 1], seed=1)
        model.named_parameters()
        loss, _ = batch_loss(model, X, [2 * t - 1 for t in y], hinge, 1e-4)
        w = model.parameters()[0]
        nodes = len(backward_order(loss))
        runs = [timed(lambda: str(explain(loss, w)))[0] for _ in range(repeats)]
        seconds = statistics.median(runs)
        out[n] = {"nodes": nodes, "seconds": seconds, "us_per_node": seconds / nodes * 1e6}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true")
    mode.add_argument("--smoke", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "higher.json")
    args = ap.parse_args(argv)
    size = SIZES["smoke" if args.smoke else "quick" if args.quick else "full"]
    results = {"grad_parameters": bench_grad_parameters(size["demo"], size["repeats"]),
               "grad": bench_grad(size["pairs"], size["repeats"]),
               "explain": bench_explain(size["samples"], size["repeats"])}
    p = results["grad_parameters"]
    print(f"demo loss, {p['samples']} samples, {p['nodes']} nodes, grad wrt its "
          f"{p['parameters']} parameters: backward {p['seconds']['backward'] * 1e3:.1f} ms, "
          f"grad {p['seconds']['grad'] * 1e3:.1f} ms: {p['grad_vs_backward']:.2f}x   "
          f"(target <= 1.5x)")
    g = results["grad"]
    print(f"wide graph, {g['op_nodes']} op nodes, {g['leaves']} leaves, median of "
          f"{g['repeats']}:")
    for k, v in g["seconds"].items():
        print(f"  {k:<20}{v * 1e3:>9.1f} ms")
    print(f"  grad / backward                {g['grad_vs_backward']:.2f}x   (every leaf: one new "
          f"Value per leaf)")
    print(f"  grad(create_graph) / backward  {g['create_graph_vs_backward']:.2f}x")
    print(f"  jvp / (build + backward)       {g['jvp_vs_build_backward']:.2f}x   (target <= 3x)")
    print("explain(loss, w) for a first-layer weight of MLP(2, [16, 16, 1]), hinge loss:")
    for n, e in results["explain"].items():
        print(f"  {n:>3} samples: {e['nodes']:>6} nodes  {e['seconds']:.3f} s  "
              f"{e['us_per_node']:.1f} us/node")
    from micrograd.files import atomic_write
    atomic_write(args.out, json.dumps(results, indent=1) + "\n")
    ok = p["grad_vs_backward"] <= 1.5 and g["jvp_vs_build_backward"] <= 3.0
    return 0 if ok or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
