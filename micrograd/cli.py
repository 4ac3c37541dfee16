"""`python -m micrograd [grad "EXPR" name=value ... [--wrt NAME] [--dot FILE]]`.

    $ python -m micrograd grad "tanh(w*x + b)" w=-1 x=0.5 b=0.3 --wrt w --dot graph.svg

prints the value, each input's gradient, the chain-rule explanation for --wrt, and writes the
graph. The expression is parsed with Python's `ast` and evaluated by walking a whitelist of
node types (numbers, names, + - * / **, unary minus and plus, calls by bare name of the op
table's functions: exp, log, tanh, sin, ...) on `Value`s: nothing is ever passed to eval.
Anything else, inputs past the size limits, a --dot file that cannot be written and every
engine error are refused before anything is printed, in one `error:` line with exit code 2
(user text escaped); a reader that goes away (`| head -1`) ends it quietly.
"""
from __future__ import annotations

import argparse
import ast
import math
import os
import sys
from typing import Callable

from . import ops
from .engine import Value
from .names import ROOT_NAMES

# the functions an expression may call: every one-operand op of the table written as f(x)
FUNCTIONS = tuple(op.method for op in ops.OPS.values() if op.is_function)
MAX_LENGTH = 1000           # characters of expression
MAX_NODES = 400             # ast nodes
MAX_DEPTH = 200             # nesting of the ast (a + b + c ... nests one level per term)
MAX_EXPONENT = 100.0        # |k| for a constant exponent x ** k
MAX_INPUTS = 50

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if-expressions",
    ast.NamedExpr: "assignments", ast.Starred: "starred arguments",
    ast.JoinedStr: "strings", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts",
    ast.Set: "sets", ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


class ExpressionError(ValueError):
    """The expression is refused: the message is one line, shown to the user as is."""


def parse(text: str) -> ast.expr:
    """Parse and check an expression; raise ExpressionError if anything is not allowed."""
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression too long: {len(text)} characters (at most {MAX_LENGTH})")
    if not text.strip():
        raise ExpressionError("empty expression")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"not a valid expression: {e.msg}") from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise ExpressionError(f"not a valid expression: {type(e).__name__}") from None
    count = 0
    stack = [(tree.body, 1)]
    while stack:                                # iterative: no recursion on hostile input
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"expression too large: more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested too deeply (more than {MAX_DEPTH} levels)")
        _check(node)
        for child in _operands(node):
            stack.append((child, depth + 1))
    return tree.body


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise ExpressionError(f"only numbers are allowed as constants, got {node.value!r:.40}")
        if isinstance(node.value, int) and node.value.bit_length() > 1000:
            raise ExpressionError("number too large")
        return
    if isinstance(node, ast.Name):
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise ExpressionError(f"operator {_source(node.op)} is not allowed "
                                  f"(allowed: + - * / **)")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise ExpressionError(f"unary operator {_source(node.op)} is not allowed "
                                  f"(allowed: unary minus)")
        return
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            what = name or f"{ast.unparse(node.func):.40}"
            raise ExpressionError(f"calling {what} is not allowed "
                                  f"(allowed: {', '.join(FUNCTIONS)})")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ExpressionError(f"{name}() takes exactly one argument")
        return
    what = _REFUSED.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what} not allowed in an expression")


def _source(op: ast.AST) -> str:
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
            ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
            ast.Not: "not", ast.Invert: "~"}.get(type(op), type(op).__name__)


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def names_in(tree: ast.expr) -> list[str]:
    """Variable names the expression uses, in order of first appearance."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in found:
            found.append(node.id)
    return found


def evaluate(tree: ast.expr, env: dict[str, Value]) -> Value | float:
    """Build the graph of a checked expression on Values.

    Parts without inputs are folded to plain floats (computed by the engine, so its errors
    name the op), which makes x ** (2*3) a constant exponent like x ** 6.
    """
    if isinstance(tree, ast.Constant):
        try:
            value = float(tree.value)
        except OverflowError:
            raise ExpressionError("number too large") from None
        if not math.isfinite(value):
            raise ExpressionError(f"number too large: {tree.value!r:.40}")
        return value
    if isinstance(tree, ast.Name):
        if tree.id in FUNCTIONS:
            raise ExpressionError(f"{tree.id} is a function: call it, as {tree.id}(x)")
        if tree.id not in env:
            raise ExpressionError(f"no value given for {tree.id!r} (add {tree.id}=NUMBER)")
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        a = evaluate(tree.operand, env)
        return -a if isinstance(tree.op, ast.USub) else a
    if isinstance(tree, ast.Call):
        a = evaluate(tree.args[0], env)
        if isinstance(a, Value):
            return getattr(a, tree.func.id)()
        return getattr(Value(a), tree.func.id)().data
    left, right = evaluate(tree.left, env), evaluate(tree.right, env)
    op = _BINOPS[type(tree.op)]
    if op == "**" and not isinstance(right, Value) and abs(right) > MAX_EXPONENT:
        raise ExpressionError(f"exponent {right:g} too large (constant exponents are limited "
                              f"to ±{MAX_EXPONENT:g})")
    if isinstance(left, Value) or isinstance(right, Value):
        return _APPLY[op](left, right)
    return _APPLY[op](Value(left), right).data


_APPLY: dict[str, Callable] = {"+": lambda a, b: a + b, "-": lambda a, b: a - b,
                               "*": lambda a, b: a * b, "/": lambda a, b: a / b,
                               "**": lambda a, b: a ** b}


def parse_inputs(args: list[str]) -> dict[str, float]:
    """name=value pairs -> {name: value}."""
    if len(args) > MAX_INPUTS:
        raise ExpressionError(f"too many inputs: {len(args)} (at most {MAX_INPUTS})")
    values: dict[str, float] = {}
    for arg in args:
        name, eq, text = arg.partition("=")
        name = name.strip()
        if not eq:
            raise ExpressionError(f"expected name=value, got {arg!r:.60}")
        if not name.isidentifier() or name in FUNCTIONS:
            raise ExpressionError(f"{name!r:.40} cannot be an input name")
        if name in values:
            raise ExpressionError(f"{name} is given twice")
        try:
            value = float(text)
        except ValueError:
            raise ExpressionError(f"{name}: {text!r:.40} is not a number") from None
        if not math.isfinite(value):
            raise ExpressionError(f"{name}: {text!r:.40} is not a finite number")
        values[name] = value
    return values


PROG = "python -m micrograd"
OPTIONS = ("--wrt", "--dot", "--html")            # the grad command's options that take a value


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line, user text escaped, and exits 2."""

    def error(self, message: str):
        raise ExpressionError(f"{message} (usage: {PROG} grad \"EXPR\" name=value ... "
                              f"[--wrt NAME] [--dot FILE] [--html FILE]; see {PROG} --help)")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser: the demo with no command, `grad` for an expression."""
    parser = _Parser(prog=PROG, description="A scalar reverse-mode autodiff engine for "
                     "learning backpropagation. With no command: a worked example of one "
                     "neuron, forward and backward.")
    commands = parser.add_subparsers(dest="command", metavar="grad")
    commands.add_parser("grad", add_help=False, help="the value, the gradients and a chain-rule "
                        "explanation of an expression (grad --help)")
    return parser


def grad_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=f"{PROG} grad", description="Compute an expression of named inputs, "
                     "its gradient with respect to each, and explain one by the chain rule. "
                     "The expression is parsed, never run: numbers, names, + - * / **, unary "
                     f"minus and the op table's functions {', '.join(FUNCTIONS)}.")
    parser.add_argument("expr", metavar="EXPR", help='e.g. "tanh(w*x + b)"')
    parser.add_argument("inputs", metavar="name=value", nargs="*", help="e.g. w=-1 x=0.5")
    parser.add_argument("--wrt", metavar="NAME", help="explain d f/d NAME by the chain rule")
    parser.add_argument("--dot", metavar="FILE",
                        help="draw the graph to FILE (.svg, .png, .gv or .dot)")
    parser.add_argument("--html", metavar="FILE",
                        help="write a page to FILE that steps through backward node by node "
                             "(one self-contained .html file, opens offline)")
    return parser


def main(argv: list[str], demo: Callable[[], None]) -> int:
    """`python -m micrograd [grad ...]`: returns the exit code; errors are one line, exit 2."""
    try:
        if argv and argv[0] == "grad":
            return _grad(grad_parser().parse_intermixed_args(_expression_first(argv[1:])))
        build_parser().parse_args(argv)
        return _output(demo)
    except ExpressionError as e:
        return _refuse(str(e))
    except SystemExit as e:             # --help printed its text
        return e.code if isinstance(e.code, int) else 0


def _expression_first(args: list[str]) -> list[str]:
    """argparse takes a word starting with '-' for an option; an expression may start with a
    minus sign ("-x*y"), so the first word that is not an option gets a leading space, which
    argparse reads as a positional argument and the parser strips."""
    out, i, found = list(args), 0, False
    while i < len(out):
        arg = out[i]
        if arg in OPTIONS:
            i += 2
            continue
        if not found and not arg.startswith(tuple(o + "=" for o in OPTIONS)) \
                and arg not in ("-h", "--help"):
            if arg.startswith("-"):
                out[i] = " " + arg
            found = True
        i += 1
    return out


def _grad(args: argparse.Namespace) -> int:
    tree = parse(args.expr)
    values = parse_inputs(args.inputs)
    wrt, dot_file, html_file = args.wrt, args.dot, args.html
    if dot_file is not None:
        _check_writable(dot_file, "--dot", ("svg", "png", "gv", "dot"))
    if html_file is not None:
        _check_writable(html_file, "--html", ("html", "htm"))
    used = names_in(tree)
    env = {name: Value(v, label=name) for name, v in values.items()}
    if wrt is not None and wrt not in env:
        raise ExpressionError(f"--wrt {wrt!r:.60} is not one of the inputs")
    try:
        out = evaluate(tree, env)
        if not isinstance(out, Value):
            out = Value(out)
        # the function is called f (g, h, ... if an input is named f); inputs keep their names
        fname = next(n for n in ROOT_NAMES + tuple(f"f{i}" for i in range(MAX_INPUTS + 1))
                     if n not in env)
        out.backward()                  # can overflow: d f/d x past 1e308 is refused, not inf
        explanation = None
        if wrt is not None and wrt in used:
            from .explain import explain
            explanation = str(explain(out, env[wrt], name=fname))
    except ExpressionError:
        raise
    except (ArithmeticError, ValueError, TypeError) as e:   # the engine names op and value
        raise ExpressionError(str(e)) from None
    if dot_file is not None:            # written before anything is printed, as it can fail
        _write_dot(out, dot_file)
    if html_file is not None:
        _write_html(out, html_file)
    lines = [f"{fname} = {ast.unparse(tree)}", f"  = {out.data!r}"]
    inputs = [env[name] for name in env]
    if inputs:
        lines.append("gradients:")
        width = max(len(v.label) for v in inputs)
        lines += [f"  d{fname}/d{v.label.ljust(width)} = {v.grad!r}"
                  + ("   (not in the expression)" if v.label not in used else "")
                  for v in inputs]
    if wrt is not None:
        # an input the expression does not use has no path to f: its gradient is 0
        lines += ["", explanation if explanation is not None
                  else f"d{fname}/d{wrt} = 0: {wrt} is not in the expression, so {fname} does "
                       f"not depend on it"]
    if dot_file is not None or html_file is not None:
        lines.append("")
    if dot_file is not None:
        lines.append(f"graph written to {dot_file}")
    if html_file is not None:
        lines.append(f"backward, step by step, written to {html_file}")
    return _output(lambda: print("\n".join(lines)))


def _check_writable(path: str, option: str, kinds: tuple[str, ...]) -> None:
    """Refuse an output file that cannot be written, before any work is done."""
    if os.path.isdir(path):
        raise ExpressionError(f"{option} {path!r} is a folder")
    kind = os.path.splitext(path)[1].lower().lstrip(".")
    if kind not in kinds:
        raise ExpressionError(f"{option} {path!r}: use a file ending in "
                              f"{', '.join('.' + k for k in kinds[:-1])} or .{kinds[-1]}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ExpressionError(f"{option} {path!r}: the folder {folder!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExpressionError(f"{option} {path!r}: the folder {folder!r} is not writable")


def _write_dot(out: Value, path: str) -> None:
    from .graph import GraphvizNotFound, RenderError, draw_dot, write_graph
    try:
        write_graph(draw_dot(out), path)
    except (GraphvizNotFound, RenderError, ValueError) as e:
        raise ExpressionError(f"--dot {path!r}: {e}") from None
    except OSError as e:                # full disk, permissions: name the file, not a temp file
        raise ExpressionError(f"--dot {path!r}: cannot write it: {e.strerror or e}") from None


def _write_html(out: Value, path: str) -> None:
    from .explorer import to_html
    from .graph import GraphvizNotFound, RenderError
    try:
        to_html(out, path)
    except (GraphvizNotFound, RenderError, ValueError) as e:
        raise ExpressionError(f"--html {path!r}: {e}") from None
    except OSError as e:
        raise ExpressionError(f"--html {path!r}: cannot write it: {e.strerror or e}") from None


def _output(show: Callable[[], None]) -> int:
    """Print with show(); a reader that went away (| head -1) ends the command quietly, a
    full disk is one error line."""
    try:
        show()
        sys.stdout.flush()
    except BrokenPipeError:
        # stdout is gone: point it at devnull so the interpreter's final flush is silent
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as e:
        return _refuse(f"cannot write the output: {e.strerror or e}")
    return 0


def _refuse(message: str) -> int:
    # one line; control characters of the user's text shown escaped, never sent to the terminal
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    print(f"error: {text}", file=sys.stderr)
    return 2
