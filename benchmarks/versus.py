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

Wall-clock ratios on a shared 2-core VM move by a few percent from run to run. `--callgrind`
also counts the CPU instructions each workload takes, per run, under valgrind's callgrind (the
same count every time for the same code and inputs): each version and workload runs in a fresh
process once with 1 repetition and once with 3, and the difference over 2 is one repetition,
setup excluded.
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


WORKLOADS = ("build", "backward", "step", "replay_step")


def worker(version: str, workload: str, reps: int, pairs: int) -> None:
    """Run one workload `reps` times after one untimed warm-up (for --callgrind)."""
    import micrograd
    import nn
    if version == "base":
        micrograd, nn = (importlib.import_module("micrograd_base"),
                         importlib.import_module("nn_base"))
    gc.disable()                        # instructions of the engine, not of the collector
    if workload in ("build", "backward"):
        xs_data, ys_data = W.wide_data(pairs)
        Value = micrograd.Value
        for _ in range(reps + 1):
            xs, ys = [Value(x) for x in xs_data], [Value(y) for y in ys_data]
            root = W.wide_graph(xs, ys)
            if workload == "backward":
                root.backward()
        return
    X, y = W.demo_data(100)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    optimizer = nn.SGD(model.parameters(), lr=W.lr_at)
    step = nn.ReplayStep() if workload == "replay_step" else nn.train_step
    for _ in range(reps + 1):                 # graphs are acyclic: refcounting frees them
        step(model, X, y, nn.hinge, optimizer, W.ALPHA)


def instructions(ref: str, folder: Path, pairs: int) -> dict:
    """{version: {workload: instructions per repetition}} from callgrind (see the docstring)."""
    import re
    out: dict = {"base": {}, "new": {}}
    for version in out:
        for workload in WORKLOADS:
            counts = []
            for reps in (1, 3):
                cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                       sys.executable, __file__, "--base", ref, "--worker", version, workload,
                       str(reps), "--pairs", str(pairs), "--folder", str(folder)]
                run = subprocess.run(cmd, capture_output=True, text=True)
                m = re.search(r"Collected : (\d+)", run.stderr)
                if run.returncode != 0 or not m:
                    raise RuntimeError(f"callgrind run failed: {run.stderr[-500:]}")
                counts.append(int(m.group(1)))
            out[version][workload] = (counts[1] - counts[0]) / 2
    # "build" ran the build only; "backward" ran build + backward: keep backward alone
    for counts in out.values():
        counts["backward"] -= counts["build"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="git revision to compare against")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--pairs", type=int, default=50_000, help="wide graph: 2n - 1 op nodes")
    ap.add_argument("--steps", type=int, default=4, help="demo steps per run")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--callgrind", action="store_true",
                    help="also count instructions per workload under valgrind (slow)")
    ap.add_argument("--worker", nargs=3, metavar=("VERSION", "WORKLOAD", "REPS"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        sys.path.insert(0, args.folder)
        version, workload, reps = args.worker
        worker(version, workload, int(reps), args.pairs)
        return 0
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
    counted = None
    if args.callgrind:
        counted = instructions(args.base, folder, args.pairs)
        print(f"instructions per repetition (callgrind, collector off):")
        print(f"{'workload':<24}{'base':>14}{'new':>14}{'new/base':>10}")
        for k in WORKLOADS:
            b, n = counted["base"][k], counted["new"][k]
            print(f"{k:<24}{b / 1e6:>13.1f}M{n / 1e6:>13.1f}M{n / b:>10.3f}")
    if args.json:
        from micrograd.files import atomic_write
        atomic_write(args.json, json.dumps({"base": args.base, "new": rev, "dirty": bool(dirty),
                                            "repeats": args.repeats, "medians_ns": medians,
                                            "instructions": counted, "identical": same},
                                           indent=1) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
