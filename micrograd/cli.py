"""`python -m micrograd grad "EXPR" name=value ... [--wrt NAME] [--dot FILE]`.

    $ python -m micrograd grad "tanh(w*x + b)" w=-1 x=0.5 b=0.3 --wrt w --dot graph.svg

prints the value, each input's gradient, the chain-rule explanation for --wrt, and writes the
graph. The expression is parsed with Python's `ast` and evaluated by walking a whitelist of
node types (numbers, names, + - * / **, unary minus and plus, calls by bare name of the op
table's functions: exp, log, tanh, sin, ...) on `Value`s: nothing is ever passed to eval. Anything else, and inputs past
the size limits, is refused with a one-line message and exit code 2.
"""
from __future__ import annotations

import ast
import math
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


USAGE = ('usage: python -m micrograd grad "EXPR" name=value ... [--wrt NAME] [--dot FILE]\n'
         f'  EXPR: numbers, names, + - * / **, unary minus, {" ".join(f + "()" for f in FUNCTIONS)}\n'
         '  --wrt NAME  explain d f/d NAME by the chain rule\n'
         '  --dot FILE  draw the graph to FILE (.svg, .png, .gv or .dot)')


def grad_main(argv: list[str]) -> int:
    """The `grad` command; returns the exit code."""
    expr = wrt = dot_file = None
    assignments: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            print(USAGE)
            return 0
        if arg in ("--wrt", "--dot"):
            if i + 1 >= len(argv):
                return _refuse(f"{arg} needs a value")
            if arg == "--wrt":
                wrt = argv[i + 1]
            else:
                dot_file = argv[i + 1]
            i += 2
            continue
        if arg.startswith(("--wrt=", "--dot=")):
            key, _, val = arg.partition("=")
            if key == "--wrt":
                wrt = val
            else:
                dot_file = val
        elif expr is None:
            expr = arg
        else:
            assignments.append(arg)
        i += 1
    if expr is None:
        return _refuse("no expression given", usage=True)
    try:
        tree = parse(expr)
        values = parse_inputs(assignments)
        used = names_in(tree)
        env = {name: Value(v, label=name) for name, v in values.items()}
        if wrt is not None and wrt not in env:
            raise ExpressionError(f"--wrt {wrt}: {wrt!r:.40} is not one of the inputs")
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
    except ExpressionError as e:
        return _refuse(str(e))
    except (ArithmeticError, ValueError, TypeError) as e:   # the engine names op and value
        return _refuse(str(e))
    # nothing is printed until every step that can fail has run
    print(f"{fname} = {ast.unparse(tree)}")
    print(f"  = {out.data!r}")
    inputs = [env[name] for name in env]
    unused = [name for name in env if name not in used]
    if inputs:
        print("gradients:")
        width = max(len(v.label) for v in inputs)
        for v in inputs:
            print(f"  d{fname}/d{v.label.ljust(width)} = {v.grad!r}"
                  + ("   (not in the expression)" if v.label in unused else ""))
    if wrt is not None:
        print()
        # an input the expression does not use has no path to f: its gradient is 0
        print(explanation if explanation is not None
              else f"d{fname}/d{wrt} = 0: {wrt} is not in the expression, so {fname} does not "
                   f"depend on it")
    if dot_file is not None:
        from .graph import GraphvizNotFound, draw_dot, write_graph
        try:
            write_graph(draw_dot(out), dot_file)
        except (GraphvizNotFound, OSError, ValueError) as e:
            print(f"error: cannot write {dot_file}: {e}", file=sys.stderr)
            return 1
        print(f"\ngraph written to {dot_file}")
    return 0


def _refuse(message: str, usage: bool = False) -> int:
    print(f"error: {message}", file=sys.stderr)
    if usage:
        print(USAGE, file=sys.stderr)
    return 2
