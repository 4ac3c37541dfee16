"""Our engine against itself at another git revision, in one process, interleaved, as ratios.

    python benchmarks/versus.py --base d0d8f90          # this checkout vs that commit
    python benchmarks/versus.py --base main~3 --repeats 9

Before a change that touches the engine's hot paths lands, this shows what it costs: both
versions of `micrograd` and `nn` are loaded side by side (the base from `git archive`, renamed
`micrograd_base` / `nn_base` with its absolute imports rewritten), and each workload runs A B A B
... from a collected heap, with the garbage collector at its default, medians reported. Ratios
are new / base time: 1.03 means 3% slower.

Workloads: `backward()` alone on the wide graph of benchmarks/workloads.py (products of leaf
pairs summed by a balanced tree), building that graph, and karpathy's demo training step as a
user writes it with nn (`train_step`, building the graph) and with graph replay (`ReplayStep`).
"""
from __future__ import annotations

import argparse
import gc
import importlib
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from time import perf_counter_ns as now

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import workloads as W               # noqa: E402  (benchmarks/workloads.py)


def load_base(ref: str, folder: Path) -> tuple:
    """(micrograd, nn) of git revision `ref`, imported as micrograd_base and nn_base."""
    tar = subprocess.run(["git", "archive", ref, "micrograd", "nn"], cwd=ROOT, check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        for member in t.getmembers():
            if not member.isfile() or not member.name.endswith(".py"):
                continue
            package, _, rest = member.name.partition("/")
            text = t.extractfile(member).read().decode("utf-8")
            for name in ("micrograd", "nn"):
                text = text.replace(f"from {name} import", f"from {name}_base import")
                text = text.replace(f"from {name}.", f"from {name}_base.")
                text = text.replace(f"import {name}\n", f"import {name}_base as {name}\n")
            target = folder / f"{package}_base" / rest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    return importlib.import_module("micrograd_base"), importlib.import_module("nn_base")


def wide(micrograd, pairs: int):
    """(build ns, backward ns) for the wide graph on this engine."""
    xs_data, ys_data = W.wide_data(pairs)
    Value = micrograd.Value
    xs, ys = [Value(x) for x in xs_data], [Value(y) for y in ys_data]
    gc.collect()
    t0 = now()
    root = W.wide_graph(xs, ys)
    t1 = now()
    root.backward()
    t2 = now()
    check = (root.data, xs[0].grad, ys[-1].grad)
    del root, xs, ys
    gc.collect()
    return {"build": t1 - t0, "backward": t2 - t1}, check


def demo(nn, replay: bool, samples: int, steps: int):
    """ns per demo training step (nn's MLP, hinge + 1e-4 L2, SGD), over `steps` steps."""
    X, y = W.demo_data(samples)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    optimizer = nn.SGD(model.parameters(), lr=W.lr_at)
    step = nn.ReplayStep() if replay else nn.train_step
    times, losses = [], []
    for _ in range(steps):
        gc.collect()
        t0 = now()
        result = step(model, X, y, nn.hinge, optimizer, W.ALPHA)
        times.append(now() - t0)
        losses.append(result.loss)
    key = "replay_step" if replay else "step"
    # the first replayed step records the graph: report the steady state after it
    return {key: statistics.median(times[1:] if replay and steps > 1 else times)}, tuple(losses)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="git revision to compare against")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--pairs", type=int, default=50_000, help="wide graph: 2n - 1 op nodes")
    ap.add_argument("--steps", type=int, default=4, help="demo steps per run")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args(argv)

    import micrograd
    import nn
    folder = Path(tempfile.mkdtemp(prefix="versus-"))
    base_mg, base_nn = load_base(args.base, folder)
    engines = {"base": (base_mg, base_nn), "new": (micrograd, nn)}
    runs = {name: {} for name in engines}
    checks: dict = {name: {} for name in engines}
    gc.collect()
    gc.freeze()
    for _ in range(args.repeats):
        for name, (mg, package) in engines.items():
            for run in (lambda: wide(mg, args.pairs),
                        lambda: demo(package, False, 100, args.steps),
                        lambda: demo(package, True, 100, args.steps + 1)):
                phases, check = run()
                for k, v in phases.items():
                    runs[name].setdefault(k, []).append(v)
                checks[name][tuple(phases)] = check
    if checks["base"] != checks["new"]:
        print("warning: the two versions computed different numbers:", checks, file=sys.stderr)
    medians = {name: {k: statistics.median(v) for k, v in r.items()} for name, r in runs.items()}
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "micrograd", "nn"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    print(f"base {args.base} vs this checkout ({rev}{' + changes' if dirty else ''}); "
          f"median of {args.repeats}, interleaved; wide graph {2 * args.pairs - 1} op nodes")
    print(f"{'workload':<24}{'base':>12}{'new':>12}{'new/base':>10}")
    units = {"build": 1e6, "backward": 1e6, "step": 1e6, "replay_step": 1e6}
    for k in medians["base"]:
        b, n = medians["base"][k], medians["new"][k]
        print(f"{k:<24}{b / units[k]:>10.2f}ms{n / units[k]:>10.2f}ms{n / b:>10.3f}")
    same = checks["base"] == checks["new"]
    print("numbers: identical" if same else "numbers: DIFFER")
    if args.json:
        from micrograd.files import atomic_write
        atomic_write(args.json, json.dumps({"base": args.base, "new": rev, "dirty": bool(dirty),
                                            "repeats": args.repeats, "medians_ns": medians,
                                            "identical": same}, indent=1) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
