"""Neuron, Layer and MLP: fully connected networks made of scalar `Value`s.

    model = MLP(2, [16, 16, 1], seed=1337)      # karpathy's moons demo network
    scores = model([0.5, -1.0])                  # always a list: [Value(...)]

Choices, stated once:
- `Layer` and `MLP` always return a list of Values, even for one neuron (karpathy's `Layer`
  returns a bare Value for one neuron and a list otherwise; we leave that behind). Take `[0]`,
  or use a loss function: every loss accepts a one-element list where it wants one number.
- Parameter order matches karpathy's micrograd: layer by layer, neuron by neuron, each neuron's
  weights then its bias. So does the arithmetic: a neuron computes b + w0*x0 + w1*x1 + ...
  left to right. A benchmark can copy identical weights into karpathy's code and compare.
- Initialisation: with `seed`, reproducible from its own `random.Random(seed)` (the global
  generator is neither read nor advanced); with `rng`, drawn from that generator; with neither,
  drawn from Python's global `random`, so `random.seed(1337)` before `MLP(...)` reproduces the
  weights as Python users expect. Biases start at 0. Weight schemes:
    "uniform"  U(-1, 1), karpathy's micrograd (the same numbers as his `random.seed(s)`
               followed by `MLP(...)`, whether through `seed=s` or through `random.seed(s)`);
    "normal"   N(0, std = nin ** -0.5), `np.random.normal(0.0, pow(nin, -0.5))` in
               001_535ec0cb8a4ef9ef.txt;
    "rand"     U[0, 1), `np.random.rand` in 000_8495f74e1b111f69.txt.
- Weights are plain Values: set them by hand with `neuron.w[0].data = 0.25`.
- `Layer.new_neuron` and `MLP.new_layer` make the parts; `micrograd.nn` (karpathy's API, on
  these classes) overrides them to make its own kinds.
- `to_torch()` (each class) and `MLP.from_torch(module)` cross to PyTorch and back, float64,
  the same weights bit for bit; torch is imported only when they run (nn/pytorch.py, which
  states the mapping `layers.0.neurons.3.w.1` <-> `0.weight[3, 1]`).
"""
from __future__ import annotations

import random
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from micrograd import Value

from .module import Module

if TYPE_CHECKING:
    import torch

# activation name -> function on a Value; "linear" is the identity (no node added)
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": lambda v: v,
}

INITS = ("uniform", "normal", "rand")


def _check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation {name!r} is not one of {', '.join(ACTIVATIONS)}")
    return name


def _check_count(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    return n


def _rng(seed: int | None, rng: random.Random | None) -> random.Random:
    """The generator to draw from: rng, else a new Random(seed), else the global `random`."""
    if rng is not None and seed is not None:
        raise ValueError("give seed or rng, not both")
    if rng is not None:
        return rng
    if seed is not None:
        return random.Random(seed)
    return random      # the module's functions draw from its one global generator


def _draw(rng: random.Random, init: str, nin: int) -> float:
    if init == "uniform":
        return rng.uniform(-1.0, 1.0)
    if init == "normal":
        return rng.gauss(0.0, nin ** -0.5)
    if init == "rand":
        return rng.random()
    raise ValueError(f"init {init!r} is not one of {', '.join(INITS)}")


class Neuron(Module):
    """out = activation(b + sum_j w_j * x_j)."""

    def __init__(self, nin: int, activation: str = "relu", init: str = "uniform",
                 seed: int | None = None, rng: random.Random | None = None):
        self.nin = _check_count(nin, "Neuron: nin")
        self.activation = _check_activation(activation)
        self.init = init
        rng = _rng(seed, rng)
        self.w = [Value(_draw(rng, init, nin)) for _ in range(nin)]
        self.b = Value(0.0)
        self.named_parameters()     # label w.0, w.1, ..., b

    def __call__(self, x: Sequence) -> Value:
        if len(x) != self.nin:
            raise ValueError(f"Neuron: expected {self.nin} inputs, got {len(x)}")
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return ACTIVATIONS[self.activation](act)

    def _named_parameters(self) -> Iterator[tuple[str, Value]]:
        for j, wj in enumerate(self.w):
            yield f"w.{j}", wj
        yield "b", self.b

    def config(self) -> dict:
        return {"nin": self.nin, "activation": self.activation}

    def to_torch(self) -> torch.nn.Sequential:
        """`Sequential(Linear(nin, 1), activation)` (no activation module for "linear") in
        float64 with this neuron's weights (`w.k` is `0.weight[0, k]`, `b` is `0.bias[0]`); its
        output has shape [1]. A weight that is not a finite number is a ValueError naming it.
        Needs PyTorch (see nn.pytorch)."""
        from .pytorch import to_torch
        return to_torch(self)

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """nout neurons that all see the same inputs; returns a list of nout Values."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", init: str = "uniform",
                 seed: int | None = None, rng: random.Random | None = None):
        self.nin = _check_count(nin, "Layer: nin")
        self.nout = _check_count(nout, "Layer: nout")
        self.activation = _check_activation(activation)
        rng = _rng(seed, rng)
        self.neurons = [self.new_neuron(nin, activation, init, rng) for _ in range(nout)]
        self.named_parameters()

    def new_neuron(self, nin: int, activation: str, init: str, rng: random.Random) -> Neuron:
        """One neuron of this layer, drawing its weights from rng."""
        return Neuron(nin, activation, init, rng=rng)

    def __call__(self, x: Sequence) -> list[Value]:
        # each input number becomes one constant node that every neuron reads, not one per
        # weight (a neuron would wrap it in w * x): nout times fewer nodes, same arithmetic
        x = [xi if xi.__class__ is Value else Value(xi) for xi in x]
        return [n(x) for n in self.neurons]

    def _named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, n in enumerate(self.neurons):
            for name, p in n._named_parameters():
                yield f"neurons.{i}.{name}", p

    def config(self) -> dict:
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    def to_torch(self) -> torch.nn.Sequential:
        """`Sequential(Linear(nin, nout), activation)` (no activation module for "linear") in
        float64 with this layer's weights (`neurons.j.w.k` is `0.weight[j, k]`, `neurons.j.b`
        is `0.bias[j]`). A weight that is not a finite number is a ValueError naming it. Needs
        PyTorch (see nn.pytorch)."""
        from .pytorch import to_torch
        return to_torch(self)

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """Layers of sizes nouts; `activation` in the hidden layers, `output_activation` in the last.

    The defaults are karpathy's demo network (relu hidden layers, a linear output). The
    documents' networks are sigmoid throughout:
    `MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")`.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 output_activation: str = "linear", init: str = "uniform",
                 seed: int | None = None, rng: random.Random | None = None):
        self.nin = _check_count(nin, "MLP: nin")
        if isinstance(nouts, int) or len(nouts) == 0:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [_check_count(n, "MLP: each layer size") for n in nouts]
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation)
        if init not in INITS:
            raise ValueError(f"MLP: init {init!r} is not one of {', '.join(INITS)}")
        self.init = init
        rng = _rng(seed, rng)
        sizes = [nin] + self.nouts
        last = len(self.nouts) - 1
        self.layers = [self.new_layer(sizes[i], sizes[i + 1],
                                      output_activation if i == last else activation, init, rng)
                       for i in range(len(self.nouts))]
        self.named_parameters()

    def new_layer(self, nin: int, nout: int, activation: str, init: str,
                  rng: random.Random) -> Layer:
        """One layer of this network, drawing its weights from rng."""
        return Layer(nin, nout, activation, init, rng=rng)

    def __call__(self, x: Sequence) -> list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def _named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, layer in enumerate(self.layers):
            for name, p in layer._named_parameters():
                yield f"layers.{i}.{name}", p

    def config(self) -> dict:
        return {"nin": self.nin, "nouts": list(self.nouts), "activation": self.activation,
                "output_activation": self.output_activation}

    def to_torch(self) -> torch.nn.Sequential:
        """A float64 `torch.nn.Sequential`: each layer's `Linear`, then its ReLU / Tanh /
        Sigmoid (nothing for "linear"), with these weights: `layers.i.neurons.j.w.k` is
        `L.weight[j, k]`, L the index of layer i's Linear (0, 2, 4, ... with relu hidden layers;
        `nn.pytorch.parameter_map(model)` lists every pair). Needs PyTorch."""
        from .pytorch import to_torch
        return to_torch(self)

    @classmethod
    def from_torch(cls, module: torch.nn.Module) -> MLP:
        """The MLP of a torch `Sequential` of Linear layers, each followed by at most one of
        ReLU, Tanh, Sigmoid, Identity (or of one Linear), with its weights as floats (exact
        from float64 or float32), so `MLP.from_torch(model.to_torch())` equals `model` bit for
        bit. Anything else is a TypeError or ValueError naming the module and its position
        (see `nn.pytorch.read_torch`); so is a module whose forward a hook or a weight
        parametrization changes (the module is run once on a probe input to check that its
        forward is the chain read from it). Needs PyTorch."""
        from .pytorch import check_forward, read_torch
        config, values = read_torch(module)
        model = cls(**config, seed=0)       # seeded: the global `random` is left alone
        model.load_state_dict(dict(zip(model.state_dict(), values)))
        check_forward(module, model)        # no hook or parametrization changes its forward
        return model

    def __repr__(self) -> str:
        return (f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
                f"output_activation={self.output_activation!r})")
