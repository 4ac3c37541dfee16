"""A compiled (numpy) backend for graph replay: the same recorded graph, run level by level.

`Replay.forward` recomputes a recorded graph one node at a time through the engine's
`evaluate`: exact, but a Python call per node. A `Program` runs the same graph on arrays. It
numbers every node (leaves first), gives each op node a level (leaves are level 0, an op node
is one above its highest operand), and groups the op nodes of one level by op: every node of a
group depends only on lower levels, so a whole group is one call of its op's array rule
(`Op.arrays` in micrograd/ops.py) on numpy arrays.

    forward:  for each group, lowest level first:
                  out, da, db = op.arrays(np, value[a], value[b])     # gather the operands
                  value[group] = out                                  # store, with da and db
    backward: gradient[root] = 1; for each group, highest level first:
                  gradient[a] += da * gradient[group]                 # the chain rule
                  gradient[b] += db * gradient[group]

Nodes are numbered group by group, so a group's outputs (and its gradients) are one slice of
the arrays, and everything about the graph's shape is worked out once, at build time.

The float rules stay the reference. Both passes only report whether every number came out
finite; the caller (`Replay`) reruns a step that did not on the float path, which raises the
engine's own error naming the op and node. `backward` adds to the leaves' `.grad` only once it
knows every gradient is finite. Inner nodes' `.data`, local derivatives and `.grad` are left
alone (stale) until `sync()` writes them from the arrays.

A Program is not thread-safe on its own; `Replay` runs one of its calls at a time.
"""
from __future__ import annotations

from operator import attrgetter

import numpy as np

from .engine import add_to_grads

_data_of = attrgetter("data")


class Program:
    """A recorded graph (a `Replay`) compiled into numpy index arrays, grouped by level and op."""

    def __init__(self, tape):
        """Build from `tape`: its `steps` (op, a, b, node), operands first; `leaves`; `root`;
        and `levels` (each op node's level, in step order)."""
        steps, leaves, root = tape.steps, tape.leaves, tape.root
        for op, _, _, _ in steps:
            if op.arrays is None:
                raise ValueError(f"compile: op {op.name!r} has no array rule (Op.arrays in "
                                 f"micrograd/ops.py), so this graph cannot be compiled; "
                                 f"replay it without compiling")
        n_leaves, n_ops = len(leaves), len(steps)
        self.leaves = leaves
        self.n_nodes = n = n_leaves + n_ops
        self.n_leaves = n_leaves

        # 1. number the nodes as recorded (leaves first), with each operand's number
        index = {id(leaf): i for i, leaf in enumerate(leaves)}
        for j, (_, _, _, node) in enumerate(steps, n_leaves):
            index[id(node)] = j
        a_old = np.fromiter((index[id(a)] for _, a, _, _ in steps), np.intp, n_ops)
        b_old = np.fromiter((-1 if b is None else index[id(b)] for _, _, b, _ in steps),
                            np.intp, n_ops)
        op_ids: dict[int, int] = {}                 # each Op object (one per power k) a code
        kinds = []
        for op, _, _, _ in steps:
            if id(op) not in op_ids:
                op_ids[id(op)] = len(kinds)
                kinds.append(op)
        code = np.fromiter((op_ids[id(op)] for op, _, _, _ in steps), np.intp, n_ops)
        level = np.fromiter(tape.levels, np.intp, n_ops)

        # 2. renumber op nodes group by group: sorted by (level, op), recorded order within
        order = np.lexsort((code, level))          # stable: ties keep the recorded order
        new = np.empty(n, np.intp)
        new[:n_leaves] = np.arange(n_leaves)
        new[n_leaves + order] = np.arange(n_leaves, n)
        a_new = new[a_old[order]]
        b_sorted = b_old[order]
        b_new = np.where(b_sorted < 0, -1, new[np.maximum(b_sorted, 0)])
        self._new = new                             # recorded number -> array position
        self._index = index                         # id(node) -> recorded number
        self._nodes = [node for _, _, _, node in steps]
        self.root_index = int(new[index[id(root)]])

        # 3. one group per run of equal (level, op)
        key = level[order] * len(kinds) + code[order]
        starts = np.flatnonzero(np.diff(key, prepend=-1)) if n_ops else np.zeros(0, np.intp)
        ends = np.append(starts[1:], n_ops)
        self.groups = []
        for s, e in zip(starts.tolist(), ends.tolist()):
            op = kinds[int(code[order[s]])]
            a = _operand(a_new[s:e])
            b = _operand(b_new[s:e]) if op.arity == 2 else None
            self.groups.append(_Group(op.arrays, n_leaves + s, n_leaves + e, a, b))
        self.n_levels = int(level.max()) if n_ops else 0

        # values, d out/d a and d out/d b of every node, in one block (one finiteness check);
        # two blocks: a forward fills the spare one, which becomes current only if finite, so
        # after a failed forward the arrays still hold the last good one
        self._numbers = np.zeros((3, n))
        self._spare = np.zeros((3, n))
        self._grad = np.zeros(n)

    def __repr__(self) -> str:
        return (f"<Program of {self.n_nodes - self.n_leaves} op nodes in {len(self.groups)} "
                f"groups over {self.n_levels} levels, {self.n_leaves} leaves>")

    # --- the passes ------------------------------------------------------------------------
    def forward(self) -> bool:
        """Read every leaf's current .data, compute every op node; True if all came out finite
        (values and local derivatives). Only the arrays change, no Value; if False, not even
        they: they keep the last forward that returned True."""
        numbers = self._spare
        value, da_all, db_all = numbers
        value[:self.n_leaves] = np.fromiter(map(_data_of, self.leaves), float, self.n_leaves)
        with np.errstate(all="ignore"):             # inf and nan are checked once, below
            for g in self.groups:
                if g.b is None:
                    out, da = g.rule(np, value[g.a.at])
                else:
                    out, da, db = g.rule(np, value[g.a.at], value[g.b.at])
                    db_all[g.start:g.end] = db
                    g.db = db if db.__class__ is float else None
                value[g.start:g.end] = out
                da_all[g.start:g.end] = da
                g.da = da if da.__class__ is float else None   # a constant: no multiply
            if not np.isfinite(numbers).all():
                return False
        self._numbers, self._spare = numbers, self._numbers
        return True

    def backward(self) -> bool:
        """The reverse pass on the arrays from the last forward. If every gradient is finite,
        add each leaf's to its .grad (leaf gradients accumulate, as with Value.backward) and
        return True; otherwise change nothing and return False."""
        grad = self._grad
        grad.fill(0.0)
        grad[self.root_index] = 1.0
        _, da_all, db_all = self._numbers
        with np.errstate(all="ignore"):
            for g in reversed(self.groups):
                out_grad = grad[g.start:g.end]
                g.a.add(grad, _times(out_grad, g.da, da_all[g.start:g.end]))
                if g.b is not None:
                    g.b.add(grad, _times(out_grad, g.db, db_all[g.start:g.end]))
        if not np.isfinite(grad).all():
            return False
        # shared parameters: added under the lock every backward() takes
        add_to_grads(self.leaves, grad[:self.n_leaves].tolist())
        return True

    @property
    def root_value(self) -> float:
        """The root's value from the last forward."""
        return float(self._numbers[0, self.root_index])

    def sync(self, nodes=None, data: bool = True, grads: bool = True) -> None:
        """Write the arrays into the op nodes (all of them, or those of `nodes`; leaves are
        skipped): .data and the local derivatives if `data`, .grad if `grads`."""
        if nodes is None:
            chosen = self._nodes
            rows = self._new[self.n_leaves:]
        else:
            known = [self._index.get(id(node)) for node in nodes]
            if None in known:
                raise ValueError("sync: a node is not in the compiled graph")
            picked = [(i, self._nodes[i - self.n_leaves]) for i in known if i >= self.n_leaves]
            chosen = [node for _, node in picked]
            rows = self._new[[i for i, _ in picked]]
        if data:
            value, da_all, db_all = self._numbers
            for node, x, da, db in zip(chosen, value[rows].tolist(), da_all[rows].tolist(),
                                       db_all[rows].tolist()):
                node.data = x
                node._da = da
                node._db = db
        if grads:
            for node, g in zip(chosen, self._grad[rows].tolist()):
                node.grad = g


class _Operand:
    """Where a group reads one operand: a slice when the operands are consecutive (a view,
    no copy), else an index array; and how its gradient shares are added back."""

    __slots__ = ("at", "add")

    def __init__(self, at, add):
        self.at = at
        self.add = add


def _operand(idx: np.ndarray) -> _Operand:
    n = len(idx)
    first = int(idx[0])
    if n == 1 or (idx[-1] - first == n - 1 and (np.diff(idx) == 1).all()):
        at = slice(first, first + n)

        def add(grad, share):
            grad[at] += share
        return _Operand(at, add)
    idx = np.ascontiguousarray(idx)
    if len(np.unique(idx)) == n:
        def add(grad, share):                   # no index twice: plain fancy-index +=
            grad[idx] += share
        return _Operand(idx, add)
    # one node read by several nodes of the group (a weight used by every sample of a batch):
    # += would keep only one share per index; np.add.at sums them all (measured with numpy 2.4:
    # faster than summing per distinct index with np.bincount first)
    def add(grad, share):
        np.add.at(grad, idx, share)
    return _Operand(idx, add)


class _Group:
    """The op nodes of one level with the same op: positions start..end of the arrays."""

    __slots__ = ("rule", "start", "end", "a", "b", "da", "db")

    def __init__(self, rule, start, end, a, b):
        self.rule, self.start, self.end, self.a, self.b = rule, start, end, a, b
        self.da = self.db = None        # the rule's derivative when it is a constant float


def _times(out_grad, constant, stored):
    # d out/d operand * gradient of out, skipping the multiply for the constants 1 and -1
    if constant is None:
        return out_grad * stored
    if constant == 1.0:
        return out_grad
    if constant == -1.0:
        return -out_grad
    return out_grad * constant
