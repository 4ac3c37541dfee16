"""`python -m nn train`: train a small network and write the model, its plots and its page.

With no options this is karpathy's micrograd demo: 100 two-moons points (noise 0.1), an
MLP(2, [16, 16, 1]) with relu, the max-margin (hinge) loss with labels -1/+1 plus 1e-4 L2,
100 full-batch steps of SGD with lr = 1.0 - 0.9*k/100 (k = steps taken; with --batch-size the
schedule spans epochs x batches steps). `--dataset xor` and `--dataset table`
train the documents' sigmoid networks with the 1/2-sum squared error instead; `--dataset digits`
trains MLP(64, [32, 10]) with cross-entropy on scikit-learn's 8x8 digits (the digits extra),
20% held out. What a loss needs (targets from class labels, the output layer) comes from the
loss table, `nn.losses`.

Writes into --out (default out/): model.json (load it with MLP(...).load(path)), loss.png and,
for 2-D data, decision_boundary.png, with a held-out set confusion.png (the confusion matrix
and sample predictions), and training.html, the training page (nn.live: the network,
the curves and the boundary, frame by frame, in one file that opens offline; --no-html skips
it). The folder is checked before training. It prints the objective (the loss plus the L2
term, if any) twice: for the last epoch, measured before its update (the progress bar's and
history.loss's number), and for the final weights, after the last update (the saved model's);
`time:` is the training's own (recording the page's frames is timed apart). Bad arguments (an
unwritable --out among them) and a training that diverges give one line on stderr and exit
code 2, with nothing written; so does a write that fails anyway (disk full), after the files
written before it.
"""
from __future__ import annotations

import argparse
import importlib
import io
import math
import os
import sys
import time
from dataclasses import dataclass, replace

from micrograd.files import atomic_write

from . import data
from .layers import ACTIVATIONS, MLP
from .live import TrainingRecorder, boundary_grid, decision_classes
from .losses import ALIASES, LOSSES, lookup
from .optim import SGD, linear_schedule
from .train import TrainingDiverged, fit, predict

PROG = "python -m nn"


@dataclass(frozen=True)
class Preset:
    """What `--dataset NAME` trains unless an option says otherwise: each is what the text it
    comes from uses (or needs to be quick)."""
    hidden: tuple[int, ...]
    activation: str
    loss: str                   # a name in the loss table (nn.losses.LOSSES)
    init: str
    epochs: int
    lr: float | None            # None: karpathy's schedule, 1.0 - 0.9*k/steps
    batch_size: int | None      # None: full batch
    l2: float
    test_fraction: float = 0.0  # held out (seeded) and reported as test accuracy


PRESETS = {
    # karpathy's micrograd demo.ipynb
    "moons": Preset(hidden=(16, 16), activation="relu", loss="hinge", init="uniform",
                    epochs=100, lr=None, batch_size=None, l2=1e-4),
    # 002_909b28b3d0b2318a.txt: 2-4-1 sigmoid, full-batch gradient descent, learning_rate 0.5,
    # epochs 10000. Its gradients carry 1/m (a mean over the batch, as ours); its dZ2 = a2 - y
    # leaves out the output sigmoid's a2(1 - a2), which our squared error keeps.
    "xor": Preset(hidden=(4,), activation="sigmoid", loss="mse", init="uniform",
                  epochs=10000, lr=0.5, batch_size=None, l2=0.0),
    # 001_535ec0cb8a4ef9ef.txt: 5-10-1 sigmoid, N(0, nin**-0.5) weights, 1000 epochs, FULL
    # batch: its fit passes the whole 10x5 array to backprop, which sums the gradient over the
    # 10 rows, with lr 0.1. Our loss is the mean over the batch, so lr 1.0 here = 0.1 on the sum.
    "table": Preset(hidden=(10,), activation="sigmoid", loss="mse", init="normal",
                    epochs=1000, lr=1.0, batch_size=None, l2=0.0),
    # scikit-learn's 8x8 digits: MLP(64, [32, 10]) with cross-entropy, shuffled batches of 32,
    # 20% held out for the test accuracy
    "digits": Preset(hidden=(32,), activation="relu", loss="cross_entropy", init="normal",
                     epochs=15, lr=0.3, batch_size=32, l2=0.0, test_fraction=0.2),
}
LOSS_NAMES = (*LOSSES, *ALIASES)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (no usage block) and exits 2."""

    def error(self, message: str):
        print(f"{PROG}: error: {message} (see {PROG} train --help)", file=sys.stderr)
        sys.exit(2)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return n


def _number(lo: float, strict: bool):
    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(x) or x < lo or (strict and x == lo):
            raise argparse.ArgumentTypeError(
                f"expected a finite number {'>' if strict else '>='} {lo:g}, got {text!r}")
        return x
    return parse


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive layer sizes such as 16,16, got {text!r}")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Train small networks made of micrograd Values.")
    commands = parser.add_subparsers(dest="command", metavar="train")
    train = commands.add_parser(
        "train", help="train a network and write model.json and plots",
        description="Train an MLP. No options: karpathy's two-moons demo. Options left out "
                    "take the data set's defaults.")
    train.add_argument("--dataset", choices=sorted(PRESETS), default="moons",
                       help="moons (default); xor (002_909b28b3d0b2318a.txt: full batch, lr 0.5, "
                            "10000 epochs); table (001_535ec0cb8a4ef9ef.txt's 10x5 table: full "
                            "batch, lr 1.0 on the mean loss = its 0.1 on the sum, 1000 epochs); "
                            "digits (scikit-learn's 8x8 digits, needs the digits extra: "
                            "MLP(64, [32, 10]), cross_entropy, batches of 32, 15 epochs, 20%% "
                            "held out)")
    train.add_argument("--hidden", type=_sizes, help="hidden layer sizes, e.g. 16,16")
    train.add_argument("--activation", choices=sorted(ACTIVATIONS),
                       help="hidden-layer activation")
    train.add_argument("--loss", choices=LOSS_NAMES,
                       help="a loss of the table (nn.losses): hinge (labels -1/+1), mse and "
                            "mse_mean (sigmoid output), bce = binary_cross_entropy_with_logits, "
                            "binary_cross_entropy (sigmoid output), cross_entropy (one output "
                            "logit per class)")
    train.add_argument("--epochs", type=_positive_int, help="passes over the data")
    train.add_argument("--lr", type=_number(0.0, True),
                       help="constant learning rate (moons default: 1.0 - 0.9*k/steps, "
                            "k = steps taken, steps = epochs x batches per epoch)")
    train.add_argument("--batch-size", type=_positive_int, help="mini-batch size (default: all)")
    train.add_argument("--l2", type=_number(0.0, False), help="L2 strength added to the loss")
    train.add_argument("--samples", type=_positive_int, default=100, help="moons: points")
    train.add_argument("--noise", type=_number(0.0, False), default=0.1, help="moons: noise")
    train.add_argument("--seed", type=int, default=1337, help="data, weights and shuffling")
    train.add_argument("--out", default="out", help="output folder (default out/)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--no-html", action="store_true",
                       help="do not write training.html (the training page)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command != "train":
        parser.error("missing command: use `python -m nn train`")
    chosen = {key: getattr(args, key) for key in ("hidden", "activation", "loss", "epochs",
                                                  "lr", "batch_size", "l2")
              if getattr(args, key) is not None}
    p = replace(PRESETS[args.dataset], **chosen)
    spec = lookup(p.loss)
    if args.dataset == "moons" and args.samples < 2:
        parser.error("argument --samples: moons needs at least 2 points")
    _check_out(parser, args.out, OUTPUTS if not args.no_html else OUTPUTS[:-1])

    # data: inputs and class labels 0, 1, ...; the loss table says how a label is a target
    if args.dataset == "moons":
        X, labels = data.moons(args.samples, noise=args.noise, seed=args.seed)
        what = f"{len(X)} two-moons points (noise {args.noise:g}, seed {args.seed})"
    elif args.dataset == "digits":
        try:
            X, labels = data.digits()
        except ImportError as e:
            _fail(str(e))
        what = f"the {len(X)} 8x8 digits of scikit-learn"
    else:
        X, labels = data.xor() if args.dataset == "xor" else data.table()
        what = f"the {len(X)} {'XOR points' if args.dataset == 'xor' else 'table rows'}"
    classes = max(int(c) for c in labels) + 1
    if classes > 2 and not spec.multiclass:
        parser.error(f"argument --loss: {spec.name} has one output, for two classes; "
                     f"{args.dataset} has {classes}: use cross_entropy")
    X_test, labels_test = [], []
    if p.test_fraction:
        X, X_test, labels, labels_test = data.train_test_split(X, labels, p.test_fraction,
                                                               seed=args.seed)
        what += f", {len(X)} to train on and {len(X_test)} held out (seed {args.seed})"
    y = [spec.labels(c) for c in labels]

    # model: the loss's output layer (one logit per class, or one output)
    nout = classes if spec.multiclass else 1
    model = MLP(len(X[0]), [*p.hidden, nout], activation=p.activation,
                output_activation=spec.output_activation, init=p.init, seed=args.seed)
    epochs = p.epochs
    steps_per_epoch = 1 if not p.batch_size else math.ceil(len(X) / p.batch_size)
    steps = epochs * steps_per_epoch
    # the schedule is called with k = optimizer steps taken, so it spans every step, not epochs
    lr = p.lr if p.lr is not None else linear_schedule(1.0, 0.1, steps)
    lr_text = f"{lr:g}" if p.lr is not None else f"1.0 - 0.9*k/{steps} (k = step)"
    print(f"data:  {what}")
    print(f"model: {model!r}, {len(model.parameters())} parameters")
    print(f"train: {spec.name} loss" + (f" + {p.l2:g} L2" if p.l2 else "")
          + f", SGD lr {lr_text}, {epochs} epochs x {steps_per_epoch} step(s), "
          + (f"batch size {p.batch_size}" if p.batch_size else "full batch"))

    try:
        importlib.import_module("numpy")        # fit compiles its replay with it
    except ImportError:
        print(f"{PROG}: note: numpy is not installed, so training replays its graph on Python "
              f"floats; pip install numpy for the compiled replay (about 10x faster steps)",
              file=sys.stderr)
    optimizer = SGD(model.parameters(), lr=lr)
    recorder = None if args.no_html else TrainingRecorder(live=False)
    start = time.perf_counter()
    try:
        history = fit(model, X, y, loss=spec, optimizer=optimizer, epochs=epochs,
                      batch_size=p.batch_size, l2=p.l2, seed=args.seed,
                      progress=not args.quiet, html=recorder)
    except TrainingDiverged as e:
        _fail(f"training diverged at epoch {e.epoch}, step {e.step} (lr {lr_text}): {e.reason}; "
              f"try a smaller --lr. Nothing was written.")
    # the training alone: the page's frames (weights, boundary grids) are timed apart
    seconds = time.perf_counter() - start - (recorder.seconds if recorder else 0.0)
    if len(X) <= 10:
        outs = predict(model, X)
        print("outputs: " + ", ".join("/".join(f"{v:.3f}" for v in o) for o in outs)
              + "  (targets " + ", ".join(f"{t:g}" for t in labels) + ")")
    # the same objective twice: as the bar measured it, and for the weights that are saved
    objective = f"{spec.name} loss" + (" + L2" if p.l2 else "")
    n = len(X)
    before = "before its update" if steps_per_epoch == 1 else "before each batch's update"
    print(f"last epoch: {objective} {history.loss[-1]:.6f}, accuracy "
          f"{history.accuracy[-1]:.1%} ({round(history.accuracy[-1] * n)}/{n}), "
          f"{before} (history.loss, the bar)")
    print(f"final:      {objective} {history.final_loss:.6f}, accuracy "
          f"{history.final_accuracy:.1%} ({round(history.final_accuracy * n)}/{n}), "
          f"after the last update (the saved model)")
    predicted = []
    if X_test:
        predicted = [spec.classify(o) for o in predict(model, X_test)]
        right = sum(c == t for c, t in zip(predicted, labels_test))
        print(f"test:       accuracy {right / len(X_test):.1%} ({right}/{len(X_test)}) on the "
              f"held-out samples")
    print(f"time:  {seconds:.2f} s, {seconds / steps * 1000:.2f} ms per training step"
          + (f", {seconds / epochs:.2f} s per epoch" if steps_per_epoch > 1 else ""))

    # files
    model_path = os.path.join(args.out, "model.json")
    try:
        model.save(model_path)
        written = [model_path]
        try:
            written += _plots(model, X, labels, history, spec, args.out)
            if X_test:
                written.append(_confusion_png(X_test, labels_test, predicted, classes, args.out))
        except ImportError:
            print("plots: matplotlib is not installed, skipped the PNGs "
                  "(pip install 'micrograd-lab[plot]')")
        if recorder is not None:
            page_path = os.path.join(args.out, "training.html")
            recorder.save(page_path)
            written.append(page_path)
    except OSError as e:
        _fail(f"cannot write into {args.out!r}: {e.strerror or e}")
    print("wrote: " + ", ".join(written))
    return 0


# every file train may write into --out (the page last: --no-html leaves it out)
OUTPUTS = ("model.json", "loss.png", "decision_boundary.png", "confusion.png", "training.html")


def _check_out(parser: argparse.ArgumentParser, out: str, names: tuple[str, ...]) -> None:
    """Refuse, before any training, an --out that cannot take our files."""
    import tempfile
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        parser.error(f"argument --out: cannot create folder {out!r} ({e.strerror})")
    for name in names:
        path = os.path.join(out, name)
        if os.path.exists(path) and not os.path.isfile(path):
            parser.error(f"argument --out: {path!r} exists and is not a file, so {name} "
                         f"cannot be written")
    try:                                # the operation a save starts with: a file in the folder
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        parser.error(f"argument --out: cannot write into folder {out!r} ({e.strerror})")


def _fail(message: str):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(2)


def _plots(model: MLP, X, labels, history, spec, out: str) -> list[str]:
    """loss.png and, for 2-D inputs, decision_boundary.png; ImportError without matplotlib."""
    import matplotlib
    matplotlib.use("Agg")                   # files only, no window
    import matplotlib.pyplot as plt

    written = []
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = range(1, len(history.loss) + 1)
    ax.plot(epochs, history.loss, color="tab:blue", label="loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss", color="tab:blue")
    if min(history.loss) > 0:
        ax.set_yscale("log")
    acc = ax.twinx()
    acc.plot(epochs, [a * 100 for a in history.accuracy], color="tab:orange", label="accuracy")
    acc.set_ylabel("training accuracy (%)", color="tab:orange")
    acc.set_ylim(0, 105)
    ax.set_title(f"{spec.name} loss, final accuracy {history.final_accuracy:.0%}")
    fig.tight_layout()
    path = os.path.join(out, "loss.png")
    _save_png(fig, path)
    plt.close(fig)
    written.append(path)

    if len(X[0]) == 2:
        # the grid and the classification rule of the training page (nn.live)
        gx, gy = boundary_grid(X, 60)
        grid = decision_classes(model, gx, gy, spec)
        xs = [p[0] for p in X]
        ys = [p[1] for p in X]
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.contourf(gx, gy, grid, levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fdd0a2"])
        ax.scatter(xs, ys, c=["tab:blue" if t < 0.5 else "tab:orange" for t in labels],
                   edgecolors="k", s=30)
        ax.set_title("decision boundary")
        ax.set_aspect("equal")
        fig.tight_layout()
        path = os.path.join(out, "decision_boundary.png")
        _save_png(fig, path)
        plt.close(fig)
        written.append(path)
    return written


def _confusion_png(X_test, labels, predicted, classes: int, out: str) -> str:
    """confusion.png: the held-out samples' confusion matrix (rows: true class, columns:
    predicted) beside some of them as images (8x8 inputs) titled with the prediction, wrong
    ones in red."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = [[0] * classes for _ in range(classes)]
    for t, c in zip(labels, predicted):
        counts[int(t)][c] += 1
    side = math.isqrt(len(X_test[0]))
    images = side * side == len(X_test[0])
    fig = plt.figure(figsize=(11 if images else 5.5, 5))
    ax = fig.add_subplot(1, 2 if images else 1, 1)
    ax.imshow(counts, cmap="Blues")
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", fontsize=8,
                        color="white" if n > max(map(max, counts)) / 2 else "black")
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    right = sum(counts[i][i] for i in range(classes))
    ax.set_title(f"held out: {right}/{len(labels)} right")
    if images:
        # 16 held-out samples: up to 8 wrong ones, the rest right ones, in data order
        wrong = [i for i in range(len(labels)) if predicted[i] != labels[i]][:8]
        right_ones = [i for i in range(len(labels)) if predicted[i] == labels[i]]
        for k, i in enumerate(sorted(wrong + right_ones[:16 - len(wrong)])):
            sub = fig.add_subplot(4, 8, 8 * (k // 4) + 5 + k % 4)
            sub.imshow([X_test[i][r * side:(r + 1) * side] for r in range(side)],
                       cmap="gray_r")
            ok = predicted[i] == labels[i]
            sub.set_title(f"{predicted[i]}" + ("" if ok else f" (is {labels[i]})"),
                          color="black" if ok else "tab:red", fontsize=9)
            sub.axis("off")
    fig.tight_layout()
    path = os.path.join(out, "confusion.png")
    _save_png(fig, path)
    plt.close(fig)
    return path


def _save_png(fig, path: str) -> None:
    # rendered to memory first, then written atomically: no half-written PNG on an interrupt
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    atomic_write(path, buffer.getvalue())


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        sys.exit(130)
