"""Benchmarks: our micrograd against karpathy's micrograd 0.1.0, PyTorch 0-d tensors and
hand-written float code (the limit of pure Python), in one process.

    python benchmarks/run.py            # full run (a few minutes), writes benchmarks/results/latest.json
    python benchmarks/run.py --quick    # smaller sizes, about a minute
    python benchmarks/run.py --smoke    # tiny sizes, seconds (the test suite runs this)

How it measures: engines run interleaved (A B C A B C ...), each run starting from a collected
heap, with the garbage collector at its default during the run; the `gc.collect()` after each
run is timed and counted as that engine's "free" time (karpathy's graphs are reference cycles
and are only freed by the cyclic collector). The training workloads also report "gc": the time
spent inside the collector's own passes during the step or epoch (gc.callbacks). Reported
numbers are medians over the runs; the table names the machine and its load average (the
machine may be shared: other processes make times noisy).

Workloads: a wide graph (products of leaf pairs summed by a balanced tree, ~100k op nodes),
a deep chain (1,000,000 op nodes), karpathy's moons demo training step (same initial weights
for every engine, loss trajectories compared; ours as train_step and as ReplayStep on floats,
compiled, and as fit picks by default), one epoch of mini-batch training on scikit-learn's
digits (1,438 samples, batches of 32, cross-entropy; ours four ways, hand-written floats, and
PyTorch timed on its first batches and scaled; skipped with a note without scikit-learn),
bytes per op node (tracemalloc) and the time of `import micrograd` in a fresh interpreter.
Ratios against floats are time / floats' time: below 1.0x is faster than hand-written Python.

karpathy's micrograd is downloaded (pip download, sdist, pinned sha256) into --cache and loaded
as `karpathy_micrograd`; without network its columns are left out with a note.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))       # our micrograd and nn from this checkout

import karpathy                     # noqa: E402  (benchmarks/karpathy.py)
import workloads as W               # noqa: E402

SIZES = {   # wide pairs (op nodes = 2n - 1), chain depth, torch chain depth, karpathy survivable
            # chain depth, demo samples, demo steps, bytes pairs, repeats, import runs;
            # digits: training samples used (None: all 1,438), repeats, torch's timed batches
    "full": dict(wide=50_000, chain=1_000_000, torch_chain=100_000, k_chain=500, samples=100,
                 steps=10, mem=10_000, repeats=5, chain_repeats=3, imports=7,
                 digits=None, digits_repeats=3, torch_batches=4),
    "quick": dict(wide=10_000, chain=200_000, torch_chain=20_000, k_chain=500, samples=100,
                  steps=4, mem=5_000, repeats=3, chain_repeats=2, imports=3,
                  digits=None, digits_repeats=1, torch_batches=2),
    "smoke": dict(wide=500, chain=5_000, torch_chain=2_000, k_chain=300, samples=20,
                  steps=3, mem=500, repeats=2, chain_repeats=1, imports=1,
                  digits=72, digits_repeats=1, torch_batches=1),
}
# bytes: 176.04 is what a node with its gradient took before issue 10 (the Value is unchanged)
TARGETS = {"wide": 6.0, "demo": 20.0, "replay": 25.0, "bytes": 176.04, "chain_s": 3.0,
           "import_ms": 50.0, "fit_demo_vs_floats": 1.0, "fit_digits_vs_floats": 1.0,
           "replay_vs_old": 1.5}
# the float replay's demo step (100 samples, full mode) as recorded before ReplayStep grew a
# compiled backend: the baseline of the "replay vs old replay" target, not measured here
OLD_REPLAY_STEP_S = 0.027


settle = W.settle      # collect, then freeze what survives (inputs, models, recorded graphs)


def median_phases(runs: list[dict]) -> dict:
    keys = [k for k in runs[0] if isinstance(runs[0][k], int)]
    return {k: statistics.median(r[k] for r in runs) for k in keys}


def interleaved(runners: dict, repeats: int) -> dict:
    """{engine: (median phases in ns, check)} with runs interleaved across engines."""
    settle()
    runs = {name: [] for name in runners}
    checks = {}
    for _ in range(repeats):
        for name, run in runners.items():
            phases, check = run()
            runs[name].append(phases)
            checks[name] = check
    return {name: (median_phases(r), checks[name], r[-1].get("error")) for name, r in runs.items()}


# --- workloads -------------------------------------------------------------------------------
def bench_wide(engines: dict, size: dict) -> dict:
    xs, ys = W.wide_data(size["wide"])
    nodes = 2 * size["wide"] - 1
    runners = {name: (lambda e=e: W.wide_run(e, xs, ys)) for name, e in engines.items()}
    runners["floats"] = lambda: W.wide_floats(xs, ys)
    out = {}
    for name, (ph, check, _) in interleaved(runners, size["repeats"]).items():
        total = ph["forward"] + ph["backward"] + ph["free"]
        out[name] = {"forward_ns": ph["forward"] / nodes, "backward_ns": ph["backward"] / nodes,
                     "free_ns": ph["free"] / nodes, "total_ns": total / nodes,
                     "check": list(check)}
    return {"op_nodes": nodes, "repeats": size["repeats"], "engines": out}


def bench_chain(engines: dict, size: dict) -> dict:
    depth, out = size["chain"], {}
    runners = {"ours": lambda: W.chain_run(engines["ours"], depth),
               "floats": lambda: W.chain_floats(depth)}
    for name, (ph, check, _) in interleaved(runners, size["chain_repeats"]).items():
        out[name] = _chain_row(ph, depth, check)
    if "torch" in engines:          # ~30 us per node: measured on a shorter chain
        d = size["torch_chain"]
        (ph, check, _), = interleaved({"torch": lambda: W.chain_run(engines["torch"], d)},
                                      size["chain_repeats"]).values()
        out["torch"] = _chain_row(ph, d, check)
    if "karpathy" in engines:
        k = engines["karpathy"]
        # at the full depth its recursive topological sort raises RecursionError (one try)
        phases, check = W.chain_run(k, depth)
        out["karpathy"] = _chain_row(phases, depth, check, phases.get("error"))
        # at a depth it survives, interleaved with ours for a per-node comparison
        d = size["k_chain"]
        small = interleaved({"karpathy": lambda: W.chain_run(k, d),
                             "ours": lambda: W.chain_run(engines["ours"], d)},
                            max(size["repeats"], 3))
        out["karpathy_short"] = _chain_row(small["karpathy"][0], d, small["karpathy"][1])
        out["ours_short"] = _chain_row(small["ours"][0], d, small["ours"][1])
    return out


def _chain_row(ph: dict, depth: int, check, error: str | None = None) -> dict:
    row = {"depth": depth, "forward_s": ph["forward"] / 1e9, "backward_s": ph["backward"] / 1e9,
           "free_s": ph["free"] / 1e9, "fwd_bwd_s": (ph["forward"] + ph["backward"]) / 1e9,
           "ns_per_node": (ph["forward"] + ph["backward"] + ph["free"]) / depth,
           "check": list(check) if check else None}
    if error:
        row["error"] = error[:200]
    return row


# the demo engines whose graph is recorded on step 0 (epoch 1) and replayed afterwards
REPLAYED = ("ours_replay", "ours_compiled", "ours_fit")


def bench_demo(engines: dict, size: dict, kpkg, torch, timer: W.GcTimer) -> dict:
    X, y = W.demo_data(size["samples"])
    weights = W.demo_weights()
    steps = {"ours": W.ours_demo(weights, X, y),
             "ours_replay": W.ours_replay_demo(weights, X, y, compiled=False),
             "ours_compiled": W.ours_replay_demo(weights, X, y, compiled=True),
             "ours_fit": W.ours_replay_demo(weights, X, y, compiled=None),
             "floats": W.FloatsDemo(weights, X, y)}
    if kpkg is not None:
        steps["karpathy"] = W.karpathy_demo(kpkg, weights, X, y)
    if torch is not None:
        steps["torch"] = W.torch_demo(torch, weights, X, y)
    settle()
    times = {name: [] for name in steps}
    losses = {name: [] for name in steps}
    accs = {name: [] for name in steps}
    for k in range(size["steps"]):          # step k of every engine, then step k + 1
        for name, step in steps.items():
            phases, (loss, acc) = W.timed_step(step, k, timer)
            times[name].append(phases)
            losses[name].append(loss)
            accs[name].append(acc)
        if k == 0:
            settle()    # the replayed graph (recorded in step 0) is live state, like the models
    ref = losses["ours"]
    out = {}
    for name, step in steps.items():
        # a replayed engine records its graph on step 0: its median is over the replayed steps
        replayed = name in REPLAYED and len(times[name]) > 1
        ph = median_phases(times[name][1:] if replayed else times[name])
        out[name] = {"step_s": (ph["step"] + ph["free"]) / 1e9, "compute_s": ph["step"] / 1e9,
                     "free_s": ph["free"] / 1e9, "gc_s": ph["gc"] / 1e9,
                     "losses": losses[name], "final_accuracy": accs[name][-1],
                     "max_loss_diff_vs_ours": max(abs(a - b) for a, b in zip(losses[name], ref))}
        if name in REPLAYED:
            first = times[name][0]
            out[name]["backend"] = step.backend()
            out[name]["recording_step_s"] = (first["step"] + first["free"]) / 1e9
    return {"samples": size["samples"], "steps": size["steps"], "engines": out}


def bench_digits(size: dict, torch, timer: W.GcTimer) -> dict:
    """One epoch of mini-batch training on the digits; every engine trains 2 epochs from the
    same weights on the same batches, interleaved epoch by epoch; epoch 2 is the steady state
    (the replayed engines record their graphs in epoch 1, reported apart)."""
    try:
        X, y = W.digits_data(size["digits"])
    except ImportError as e:
        return {"skipped": f"digits epoch skipped: {e}"}
    epochs = W.digits_epochs(X, y, 2)
    weights = [p.data for p in W.digits_model().parameters()]
    kinds = {"ours": "normal", "ours_replay": "replay", "ours_compiled": "compiled",
             "ours_fit": "fit"}
    names = [*kinds, "floats"]
    runs = {name: [[], []] for name in names}           # per epoch: phases of each repeat
    per_batch = {name: [None, None] for name in names}  # per epoch: [(loss, correct)] (last)
    backends = {}
    torch_row = None
    for repeat in range(size["digits_repeats"]):
        engines = {name: W.ours_digits(kind) for name, kind in kinds.items()}
        engines["floats"] = W.FloatsDigits(weights)
        settle()
        for e, parts in enumerate(epochs):
            for name, run in engines.items():
                phases, batches = W.timed_epoch(run, parts, timer)
                runs[name][e].append(phases)
                per_batch[name][e] = batches
            if repeat == 0 and e == 0 and torch is not None:   # its first batches, once
                k = min(size["torch_batches"], len(parts))
                phases, batches = W.timed_epoch(W.torch_digits(torch, weights), parts[:k], timer)
                measured = sum(len(xb) for xb, _ in parts[:k])
                torch_row = (phases, batches, k, measured)
            if e == 0:
                settle()        # the recorded graphs are live state from now on
        backends = {name: run.backend() for name, run in engines.items()
                    if name in REPLAYED}
        engines = None
        gc.collect()
    n = len(X)
    ref = [b for e in per_batch["ours"] for b in e]     # ours: (loss, correct) of every batch
    out = {}
    for name in names:
        steady, first = median_phases(runs[name][1]), median_phases(runs[name][0])
        batches = [b for e in per_batch[name] for b in e]
        out[name] = {
            "epoch_s": (steady["epoch"] + steady["free"]) / 1e9, "gc_s": steady["gc"] / 1e9,
            "free_s": steady["free"] / 1e9,
            "first_epoch_s": (first["epoch"] + first["free"]) / 1e9,
            "first_epoch_gc_s": first["gc"] / 1e9,
            "epoch_loss": [sum(loss * len(xb) for (loss, _), (xb, _) in zip(bs, parts)) / n
                           for bs, parts in zip(per_batch[name], epochs)],
            "epoch_accuracy": [sum(c for _, c in bs) / n for bs in per_batch[name]],
            "max_loss_diff_vs_ours": max(abs(a[0] - b[0]) for a, b in zip(batches, ref)),
            "same_correct_as_ours": [c for _, c in batches] == [c for _, c in ref]}
        if name in backends:
            out[name]["backend"] = backends[name]
    if torch_row is not None:
        phases, batches, k, measured = torch_row
        scale = n / measured
        out["torch"] = {
            "epoch_s": (phases["epoch"] + phases["free"]) / 1e9 * scale,
            "gc_s": phases["gc"] / 1e9 * scale, "free_s": phases["free"] / 1e9 * scale,
            "measured_batches": k, "measured_samples": measured, "measured_s":
            (phases["epoch"] + phases["free"]) / 1e9,
            "batch_losses": [loss for loss, _ in batches],
            "max_loss_diff_vs_ours": max(abs(a[0] - b[0]) for a, b in zip(batches, ref)),
            "same_correct_as_ours": [c for _, c in batches] == [c for _, c in ref[:k]]}
    out["karpathy"] = {"n/a": "his Value has no exp or log, which softmax cross-entropy needs"}
    return {"samples": n, "batch_size": W.DIGITS_BATCH, "batches": len(epochs[0]),
            "repeats": size["digits_repeats"], "sizes": list(W.DIGITS_SIZES), "lr": W.DIGITS_LR,
            "engines": out}


def bench_bytes(engines: dict, size: dict) -> dict:
    """Bytes per op node of a wide graph, seen by tracemalloc, after forward and after backward."""
    xs, ys = W.wide_data(size["mem"])
    nodes = 2 * size["mem"] - 1
    out = {}
    for name, e in engines.items():
        if name == "torch":         # its graph lives in C++ memory, invisible to tracemalloc
            continue
        a = [e.leaf(x) for x in xs]
        b = [e.leaf(v) for v in ys]
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        root = W.wide_graph(a, b)
        after_forward = tracemalloc.get_traced_memory()[0]
        e.backward(root)
        after_backward = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        out[name] = {"forward_bytes": (after_forward - base) / nodes,
                     "with_grads_bytes": (after_backward - base) / nodes}
        root = a = b = None         # noqa: F841
        gc.collect()
    return {"op_nodes": nodes, "engines": out}


def bench_import(size: dict, cache: Path, have_karpathy: bool, have_torch: bool) -> dict:
    """Seconds to import each library in a fresh interpreter (median of several)."""
    timer = "import time, sys; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
    stmts = {"ours": "import micrograd"}
    if have_karpathy:
        stmts["karpathy"] = (f"sys.path.insert(0, {str(HERE)!r}); import karpathy; "
                             f"karpathy.load(__import__('pathlib').Path({str(cache)!r}))")
    if have_torch:
        stmts["torch"] = "import torch"
    runs = {name: [] for name in stmts}
    for _ in range(size["imports"]):
        for name, stmt in stmts.items():
            proc = subprocess.run([sys.executable, "-c", timer.format(stmt=stmt)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=300)
            if proc.returncode != 0:
                raise RuntimeError(f"import {name} failed: {proc.stderr.strip()[-300:]}")
            runs[name].append(float(proc.stdout.split()[-1]))
    return {name: {"ms": statistics.median(r) * 1e3, "runs": len(r)} for name, r in runs.items()}


# --- report ----------------------------------------------------------------------------------
def ratios(results: dict) -> dict:
    wide = results["wide"]["engines"]
    demo = results["demo"]["engines"]
    digits = results["digits"].get("engines", {})
    out = {}
    if "karpathy" in wide:
        out["wide_total_vs_karpathy"] = wide["karpathy"]["total_ns"] / wide["ours"]["total_ns"]
    if "karpathy" in demo:
        out["demo_step_vs_karpathy"] = demo["karpathy"]["step_s"] / demo["ours"]["step_s"]
        out["replay_step_vs_karpathy"] = demo["karpathy"]["step_s"] / demo["ours_replay"]["step_s"]
    if "torch" in wide:
        out["wide_total_vs_torch"] = wide["torch"]["total_ns"] / wide["ours"]["total_ns"]
    if "torch" in demo:
        out["demo_step_vs_torch"] = demo["torch"]["step_s"] / demo["ours"]["step_s"]
    out["wide_total_floats_limit"] = wide["ours"]["total_ns"] / wide["floats"]["total_ns"]
    out["demo_step_floats_limit"] = demo["ours"]["step_s"] / demo["floats"]["step_s"]
    for name in REPLAYED:                   # < 1: faster than the hand-written floats
        out[f"demo_{name}_vs_floats"] = demo[name]["step_s"] / demo["floats"]["step_s"]
    if results["demo"]["samples"] == 100:   # the size the old replay was recorded at
        out["replay_vs_old_replay"] = OLD_REPLAY_STEP_S / demo["ours_replay"]["step_s"]
    for name, row in digits.items():
        if "epoch_s" in row and name != "floats":
            out[f"digits_{name}_vs_floats"] = row["epoch_s"] / digits["floats"]["epoch_s"]
    return out


def targets(results: dict) -> list[dict]:
    r = results["ratios"]
    rows = [("wide graph fwd+bwd+free vs karpathy", r.get("wide_total_vs_karpathy"), ">=",
             TARGETS["wide"], "x"),
            ("demo step (train_step) vs karpathy", r.get("demo_step_vs_karpathy"), ">=",
             TARGETS["demo"], "x"),
            ("demo step, replay on floats, vs karpathy", r.get("replay_step_vs_karpathy"), ">=",
             TARGETS["replay"], "x"),
            (f"demo step, replay on floats: old {OLD_REPLAY_STEP_S * 1e3:g} ms (recorded) / now",
             r.get("replay_vs_old_replay"), ">=", TARGETS["replay_vs_old"], "x"),
            ("demo step, fit default, time / floats", r.get("demo_ours_fit_vs_floats"), "<=",
             TARGETS["fit_demo_vs_floats"], "x"),
            ("digits epoch, fit default, time / floats", r.get("digits_ours_fit_vs_floats"),
             "<=", TARGETS["fit_digits_vs_floats"], "x"),
            ("bytes per op node (with grads)",
             results["bytes"]["engines"]["ours"]["with_grads_bytes"], "<=", TARGETS["bytes"], "B"),
            (f"{results['chain']['ours']['depth']:,}-deep chain fwd+bwd",
             results["chain"]["ours"]["fwd_bwd_s"], "<", TARGETS["chain_s"], "s"),
            ("import micrograd", results["import"]["ours"]["ms"], "<", TARGETS["import_ms"], "ms")]
    out = []
    for name, value, cmp, goal, unit in rows:
        met = None if value is None else (value >= goal if cmp == ">=" else
                                          value <= goal if cmp == "<=" else value < goal)
        out.append({"target": name, "value": value, "goal": f"{cmp} {goal:g}{unit}", "met": met})
    return out


def table(results: dict) -> str:
    lines = machine_lines(results)
    lines.append("")
    wide = results["wide"]
    lines.append(f"Wide graph ({wide['op_nodes']:,} op nodes), ns per op node, "
                 f"median of {wide['repeats']}")
    lines.append(f"  {'engine':<12}{'forward':>10}{'backward':>10}{'free':>10}{'total':>10}"
                 f"{'÷ ours':>10}")
    ours_total = wide["engines"]["ours"]["total_ns"]
    for name, e in wide["engines"].items():
        lines.append(f"  {name:<12}{e['forward_ns']:>10.0f}{e['backward_ns']:>10.0f}"
                     f"{e['free_ns']:>10.0f}{e['total_ns']:>10.0f}"
                     f"{e['total_ns'] / ours_total:>9.2f}x")
    lines.append("")
    lines.append("Deep chain, seconds")
    lines.append(f"  {'engine':<16}{'depth':>10}{'fwd+bwd':>10}{'free':>8}{'ns/node':>9}")
    for name, c in results["chain"].items():
        note = (f"  forward {c['forward_s']:.2f} s, then backward: {c['error'][:34]}"
                if c.get("error") else "")
        fb = "failed" if c.get("error") else f"{c['fwd_bwd_s']:.3f}"
        lines.append(f"  {name:<16}{c['depth']:>10,}{fb:>10}{c['free_s']:>8.2f}"
                     f"{c['ns_per_node']:>9.0f}{note}")
    lines.append("")
    lines += demo_lines(results["demo"])
    lines.append("")
    lines += digits_lines(results["digits"])
    lines.append("")
    lines.append(f"Memory ({results['bytes']['op_nodes']:,} op nodes, tracemalloc), bytes per op node")
    for name, b in results["bytes"]["engines"].items():
        lines.append(f"  {name:<12} after forward {b['forward_bytes']:>7.0f}   "
                     f"with grads {b['with_grads_bytes']:>7.0f}")
    lines.append("")
    lines.append(f"An idle gc.collect() (the floor under every free time): "
                 f"{results['gc']['idle_collect_ms']:.2f} ms")
    lines.append("")
    lines.append("Import time in a fresh interpreter (median)")
    for name, i in results["import"].items():
        lines.append(f"  {name:<12}{i['ms']:>9.1f} ms")
    lines.append("")
    lines.append("Targets")
    for t in results["targets"]:
        v = ("n/a" if t["value"] is None else f"{t['value']:.2f}" if abs(t["value"]) >= 1
             else f"{t['value']:.3g}")
        met = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        lines.append(f"  {t['target']:<56}{v:>9}  (goal {t['goal']}): {met}")
    for note in results["notes"]:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def idle_collect_ms(runs: int = 5) -> float:
    """A gc.collect() with no garbage: the floor under every "free" time."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        gc.collect()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def machine_lines(results: dict) -> list[str]:
    m, v = results["machine"], results["versions"]
    libs = ", ".join(f"{name} {v[key]}" for name, key in
                     (("numpy", "numpy"), ("torch", "torch"), ("scikit-learn", "sklearn"))
                     if v.get(key))
    load = m.get("load_average")
    lines = [f"Machine: {m['cpu_model'] or 'unknown cpu'}, {m['cpus']} cores; "
             f"{m['implementation']} {m['python']} on {m['platform']}",
             f"  {libs or 'no numpy, torch or scikit-learn'}; commit {m['commit']}"
             f"{' (+ uncommitted changes)' if m['dirty'] else ''}; {m['date']}"]
    if load:
        lines.append(f"  load average (1 min) {load['start']:.2f} at the start, "
                     f"{load['end']:.2f} at the end: other processes share the cores, "
                     f"so times are noisy")
    return lines


def demo_lines(demo: dict) -> list[str]:
    lines = [f"Demo training step (moons, {demo['samples']} samples, MLP(2,[16,16,1]), "
             f"{demo['steps']} steps), median seconds per step incl. freeing",
             "  replayed engines: median over steps 2.. (step 1 records the graph, shown apart);"
             " gc: time inside",
             "  collector passes during the step (part of step); free: the gc.collect() after it",
             f"  {'engine':<14}{'step':>9}{'gc':>9}{'free':>9}{'÷ ours':>9}{'÷ floats':>10}"
             f"{'max |dloss|':>13}{'acc':>6}  notes"]
    engines = demo["engines"]
    ours, floats = engines["ours"]["step_s"], engines["floats"]["step_s"]
    for name, d in engines.items():
        note = ""
        if name in REPLAYED:
            how = {"ours_replay": "ReplayStep(compiled=False)",
                   "ours_compiled": "ReplayStep(compiled=True)",
                   "ours_fit": f"ReplayStep(), fit's default: picked {d['backend']}"}[name]
            note = f"{how}; recording step {d['recording_step_s']:.3f} s"
        elif name == "ours":
            note = "train_step"
        elif name == "floats":
            note = "hand-written, the pure-Python limit"
        lines.append(f"  {name:<14}{d['step_s']:>9.4f}{d['gc_s']:>9.4f}{d['free_s']:>9.4f}"
                     f"{d['step_s'] / ours:>8.2f}x{d['step_s'] / floats:>9.2f}x"
                     f"{d['max_loss_diff_vs_ours']:>13.1e}{d['final_accuracy']:>6.2f}  {note}")
    return lines


def digits_lines(digits: dict) -> list[str]:
    if "skipped" in digits:
        return [f"Digits epoch: {digits['skipped']}"]
    sizes = digits["sizes"]
    lines = [f"Digits epoch (scikit-learn's 8x8 digits, {digits['samples']:,} training samples, "
             f"{digits['batches']} shuffled batches of {digits['batch_size']}, "
             f"MLP({sizes[0]}, [{', '.join(map(str, sizes[1:]))}]) relu,",
             f"  cross-entropy, SGD lr {digits['lr']:g}), seconds per epoch: epoch 2 (steady "
             f"state), median of {digits['repeats']};",
             "  epoch 1: the recording epoch of the replayed engines; loss: epoch 2's mean batch "
             "loss (as fit's",
             "  History.loss); max |dloss|: over every batch of both epochs; gc: time inside "
             "collector passes",
             f"  {'engine':<14}{'epoch':>9}{'÷ floats':>10}{'gc':>8}{'epoch 1':>9}{'loss':>11}"
             f"{'max |dloss|':>13}{'acc':>6}  notes"]
    engines = digits["engines"]
    floats = engines["floats"]["epoch_s"]
    for name, d in engines.items():
        if "n/a" in d:
            lines.append(f"  {name:<14}{'n/a':>9}  {d['n/a']}")
            continue
        if name == "torch":
            note = (f"~ scaled from its first {d['measured_batches']} batches "
                    f"({d['measured_samples']} samples, {d['measured_s']:.1f} s); "
                    f"0-d float64 tensors, eager")
            lines.append(f"  {name:<14}{'~' + format(d['epoch_s'], '.1f'):>9}"
                         f"{d['epoch_s'] / floats:>9.1f}x"
                         f"{d['gc_s']:>8.3f}{'-':>9}{'-':>11}{d['max_loss_diff_vs_ours']:>13.1e}"
                         f"{'-':>6}  {note}")
            continue
        note = {"ours": "train_step", "ours_replay": "ReplayStep(compiled=False)",
                "ours_compiled": "ReplayStep(compiled=True)",
                "ours_fit": f"ReplayStep(), fit's default: picked {d.get('backend')}",
                "floats": "hand-written, the pure-Python limit"}.get(name, "")
        lines.append(f"  {name:<14}{d['epoch_s']:>9.3f}{d['epoch_s'] / floats:>9.2f}x"
                     f"{d['gc_s']:>8.3f}{d['first_epoch_s']:>9.3f}{d['epoch_loss'][-1]:>11.6f}"
                     f"{d['max_loss_diff_vs_ours']:>13.1e}{d['epoch_accuracy'][-1]:>6.2f}  {note}")
    return lines


def write_json(path: Path, data: dict) -> None:
    from micrograd.files import atomic_write       # temp file in the same folder, then rename
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(data, indent=1) + "\n")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def machine() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except OSError:
            return ""
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "processor": platform.processor(),
            "cpu_model": cpu_model(), "cpus": os.cpu_count(),
            "commit": git("rev-parse", "--short", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no", "--", "micrograd",
                                 "nn", "benchmarks")),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z")}


def versions(kpkg, torch) -> dict:
    out = {"karpathy_micrograd": karpathy.VERSION if kpkg else None,
           "torch": torch.__version__ if torch else None}
    for name in ("numpy", "sklearn"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    mode.add_argument("--smoke", action="store_true", help="tiny sizes (seconds), for the tests")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json",
                        help="JSON results file (default: benchmarks/results/latest.json)")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "micrograd-lab-bench",
                        help="where karpathy's sdist is downloaded")
    parser.add_argument("--no-karpathy", action="store_true", help="leave karpathy's out")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    args = parser.parse_args(argv)
    size_name = "smoke" if args.smoke else "quick" if args.quick else "full"
    size = SIZES[size_name]
    notes = []

    from micrograd import Value
    engines = {"ours": W.value_engine("ours", Value)}
    kpkg = None
    if args.no_karpathy:
        notes.append("karpathy's micrograd left out (--no-karpathy)")
    else:
        try:
            kpkg = karpathy.load(args.cache)
            engines["karpathy"] = W.value_engine("karpathy", kpkg.engine.Value)
        except (karpathy.Unavailable, OSError) as e:
            notes.append(f"karpathy's micrograd columns skipped: {e}")
    torch = None
    if args.no_torch:
        notes.append("PyTorch left out (--no-torch)")
    else:
        try:
            import torch
            torch.set_num_threads(1)    # 0-d tensors: threads only add overhead on 2 cores
            engines["torch"] = W.torch_engine(torch)
        except ImportError:
            notes.append("PyTorch not installed: its columns are skipped")

    results = {"mode": size_name, "sizes": size, "machine": machine(),
               "versions": versions(kpkg, torch),
               "gc": {"thresholds": gc.get_threshold(), "enabled": gc.isenabled()}}
    load_at_start = load_average()
    # Everything alive now (torch's and our modules, karpathy's code) goes to the collector's
    # permanent generation: a collection then costs what the engine's own objects cost, not a
    # walk over torch's heap (~70 ms each otherwise). Same for every engine.
    gc.collect()
    gc.freeze()
    results["gc"]["frozen_objects"] = gc.get_freeze_count()
    results["gc"]["idle_collect_ms"] = idle_collect_ms()
    started = time.perf_counter()
    print(f"benchmark ({size_name}): engines {', '.join(engines)} + floats", flush=True)
    print("  wide graph ...", flush=True)
    results["wide"] = bench_wide(engines, size)
    print("  deep chain ...", flush=True)
    results["chain"] = bench_chain(engines, size)
    with W.GcTimer() as timer:
        print("  demo training step ...", flush=True)
        results["demo"] = bench_demo(engines, size, kpkg, torch, timer)
        print("  digits epoch ...", flush=True)
        results["digits"] = bench_digits(size, torch, timer)
    if "skipped" in results["digits"]:
        notes.append(results["digits"]["skipped"])
    print("  memory ...", flush=True)
    results["bytes"] = bench_bytes(engines, size)
    print("  import time ...", flush=True)
    results["import"] = bench_import(size, args.cache, kpkg is not None, torch is not None)
    results["ratios"] = ratios(results)
    results["targets"] = targets(results)
    results["notes"] = notes
    results["seconds"] = time.perf_counter() - started
    if load_at_start is not None:
        results["machine"]["load_average"] = {"start": load_at_start, "end": load_average()}
    diffs = {f"demo {k}": v["max_loss_diff_vs_ours"] for k, v in results["demo"]["engines"].items()}
    diffs.update({f"digits {k}": v["max_loss_diff_vs_ours"]
                  for k, v in results["digits"].get("engines", {}).items()
                  if "max_loss_diff_vs_ours" in v})
    bad = {k: d for k, d in diffs.items() if not d <= 1e-9}
    if bad:
        notes.append(f"loss trajectories disagree with ours by more than 1e-9: {bad}")
    write_json(args.out, results)
    print()
    print(table(results))
    print(f"\nwritten {args.out} in {results['seconds']:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
