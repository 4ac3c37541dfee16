"""`Module`: the base of every network piece: parameters, names, gradients, saving and loading.

A module lists its own parameters explicitly (`_named_parameters`), so there is no attribute
magic: what `parameters()` returns is exactly what the code says. Names are dotted paths such as
`layers.0.neurons.1.w.0`; `named_parameters()` also writes each name into the parameter's
`label`, so graphs and explanations show which weight is which.

Files are JSON:

    {"format": "micrograd-lab.nn", "version": 1, "class": "MLP",
     "config": {"nin": 2, "nouts": [16, 16, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": -0.2307..., ...}}

Floats are written with `repr`, which round-trips exactly. `save` refuses a model holding a
non-finite parameter (naming it) and writes with `micrograd.files.atomic_write` (a temporary
file renamed over the target: a crash leaves the old file or the new one, never half of one;
the file keeps its mode; a symlink keeps pointing at it). `load` reads only a regular file of
a size this model's file could have (a FIFO or /dev/zero is refused at once), checks all of
it before touching the model, so a wrong or corrupt file raises `ModelFileError` and leaves
every weight as it was, and returns the model: `model = MLP(2, [16, 16, 1]).load(path)`.
"""
from __future__ import annotations

import json
import math
import os
from numbers import Real
from typing import Any, Iterator, TypeVar

from micrograd import Value
from micrograd.files import atomic_write, read_regular_file

FORMAT = "micrograd-lab.nn"
FORMAT_VERSION = 1
# the largest file load reads: generous room for the config and layout, and per parameter far
# more than save writes (its dotted name and a float repr, about 60 bytes)
FILE_BASE_BYTES = 1 << 20
FILE_BYTES_PER_PARAMETER = 1 << 10

M = TypeVar("M", bound="Module")


class ModelFileError(ValueError):
    """A model file that cannot be loaded into this model (corrupt, other format, other shape)."""


class Module:
    """Something with parameters. Subclasses implement `_named_parameters` and `config`."""

    def _named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Yield (dotted name, parameter) in a fixed order; the one method subclasses write."""
        return iter(())

    def config(self) -> dict[str, Any]:
        """The constructor arguments that fix the architecture (saved with the weights)."""
        return {}

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, parameter) pairs in order; also sets each parameter's label to its name."""
        pairs = list(self._named_parameters())
        for name, p in pairs:
            p.label = name
        return pairs

    def parameters(self) -> list[Value]:
        """Every parameter, in the same order as `named_parameters()`."""
        return [p for _, p in self._named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (leaf gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    # --- state ---------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, float]:
        """{name: value} for every parameter, in order."""
        return {name: p.data for name, p in self._named_parameters()}

    def finite_parameters(self, where: str = "finite_parameters") -> list[float]:
        """Every parameter's value as a float, in order; a ValueError naming the first that is
        not a finite number (nan, inf, a string, an int beyond the floats), `where` first."""
        return _check_state(self, self.state_dict(), where)

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Copy values from `state` into the parameters; checks everything before changing any.

        The names must be exactly this model's names, and every value a finite real number.
        """
        values = _check_state(self, state, "load_state_dict")
        for (_, p), x in zip(self._named_parameters(), values):
            p.data = x

    # --- files ---------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the architecture and every parameter to a JSON file, atomically.

        A parameter that is not a finite number (a diverged training) is a ValueError naming
        it, and nothing is written.
        """
        names = [name for name, _ in self._named_parameters()]
        # plain floats, whatever was assigned to .data
        state = dict(zip(names, self.finite_parameters(f"save {os.fspath(path)}")))
        doc = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "class": type(self).__name__,
            "config": self.config(),
            "parameters": state,
        }
        text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
        atomic_write(path, text)

    def load(self: M, path: str | os.PathLike) -> M:
        """Load a file written by `save` into this model and return the model.

        On any problem, change nothing: ModelFileError for a file that is not this model's
        (not a regular file, too large, corrupt, another format, version or architecture);
        OSError if it cannot be opened (missing, no permission).
        """
        path = os.fspath(path)
        limit = FILE_BASE_BYTES + FILE_BYTES_PER_PARAMETER * len(self.parameters())
        try:
            raw = read_regular_file(path, limit)
        except ValueError as e:
            raise ModelFileError(f"load {path}: {e}") from None
        # one guard for every way the bytes can fail to be JSON: not UTF-8 (e.g. a PNG), bad
        # syntax, an integer past Python's digit limit (ValueError), nesting past the
        # recursion limit ("[" * 100000)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise ModelFileError(f"load {path}: not a text file (byte {e.start} is not UTF-8)"
                                 ) from None
        except ValueError as e:
            raise ModelFileError(f"load {path}: not valid JSON ({e})") from None
        except RecursionError:
            raise ModelFileError(f"load {path}: not valid JSON (nested too deeply)") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ModelFileError(f"load {path}: not a {FORMAT} model file")
        version = doc.get("version")
        if type(version) is not int or version != FORMAT_VERSION:     # not true, not 1.0
            raise ModelFileError(f"load {path}: format version {version!r} is not "
                                 f"supported (this code reads version {FORMAT_VERSION})")
        mine = f"{type(self).__name__}({_config_text(self.config())})"
        theirs = f"{doc.get('class')}({_config_text(doc.get('config'))})"
        if theirs != mine:
            raise ModelFileError(f"load {path}: the file holds {theirs}, this model is {mine}")
        try:
            values = _check_state(self, doc.get("parameters"), f"load {path}")
        except ValueError as e:
            raise ModelFileError(str(e)) from None
        for (_, p), x in zip(self._named_parameters(), values):
            p.data = x
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_config_text(self.config())})"


def _config_text(config: Any) -> str:
    if not isinstance(config, dict):
        return repr(config)
    return ", ".join(f"{k}={v!r}" for k, v in config.items())


def _check_state(module: Module, state: Any, where: str) -> list[float]:
    """The values of `state` in parameter order, or ValueError naming the first problem."""
    if not isinstance(state, dict):
        raise ValueError(f"{where}: expected a dict of name -> number, "
                         f"got {type(state).__name__}")
    names = [name for name, _ in module._named_parameters()]
    missing = [n for n in names if n not in state]
    extra = [n for n in state if n not in set(names)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} (first {missing[0]!r})")
        if extra:
            parts.append(f"unexpected {len(extra)} (first {extra[0]!r})")
        raise ValueError(f"{where}: parameter names do not match this model's "
                         f"{len(names)}: {', '.join(parts)}")
    values = []
    for n in names:
        x = state[n]
        if isinstance(x, bool) or not isinstance(x, Real):
            raise ValueError(f"{where}: parameter {n!r} is {x!r:.60}, not a number")
        try:
            x = float(x)
        except OverflowError:           # an integer such as 10**400: no float holds it
            raise ValueError(f"{where}: parameter {n!r} is a number too large for a float, "
                             f"not a finite number") from None
        if not math.isfinite(x):
            raise ValueError(f"{where}: parameter {n!r} is {x!r}, not a finite number")
        values.append(x)
    return values
