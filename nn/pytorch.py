"""The bridge to PyTorch: our Neuron / Layer / MLP as a `torch.nn.Sequential`, and back.

    net = model.to_torch()          # Sequential(Linear, ReLU, Linear, ...), float64, same weights
    model = MLP.from_torch(net)     # back: a Sequential of Linear and ReLU / Tanh / Sigmoid /
                                    # Identity modules (or one Linear)

Everything here that touches torch imports it when called: `import nn` never imports torch,
and without it `to_torch` / `from_torch` raise ImportError naming the extra
(`pip install 'micrograd-lab[torch]'`). `parameter_map` needs no torch.

The mapping, stated once. Each of our layers (an MLP's `layers.i`; a Layer; a Neuron, as a layer
of one neuron) is one `Linear(nin, nout)` whose row j is neuron j, followed by its activation:

    ours                       PyTorch
    layers.i.neurons.j.w.k     L.weight[j, k]     weight shape [nout, nin]
    layers.i.neurons.j.b       L.bias[j]          bias shape [nout]
    "relu" "tanh" "sigmoid"    ReLU() Tanh() Sigmoid() after the Linear
    "linear"                   no module (Identity() also reads back as "linear")

where L is the Linear's index in the Sequential. Every activation but "linear" takes a slot, so
with relu hidden layers the Linears are 0, 2, 4, ...: in `MLP(4, [5, 2])`,
`layers.0.neurons.3.w.1` is `0.weight[3, 1]` and `layers.1.neurons.0.b` is `2.bias[0]` (index
1 is the ReLU). A Layer's names drop `layers.i.` (`neurons.3.w.1` is `0.weight[3, 1]`); a
Neuron's drop `neurons.j.` too (`w.1` is `0.weight[0, 1]`, `b` is `0.bias[0]`): it is
`Linear(nin, 1)`, so its output has shape [1]. `parameter_map(model)` lists every pair, as data.

Both directions copy the numbers, so the two models share no storage: training one leaves the
other as it was. Floats travel exactly: our floats are float64, and float32 / float16 weights
read into floats without rounding. Nothing draws random numbers: `to_torch` makes its Linears
with `skip_init` (torch's generator is not advanced) and `from_torch` builds the MLP from a
fixed seed before copying the weights in (Python's `random` is left alone).

This module reads our models through their public attributes (`layers`, `neurons`, `w`, `b`,
`activation`) and imports none of them, so `nn.layers` can call it without an import cycle.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from micrograd import no_grad

from .module import Module

if TYPE_CHECKING:
    import torch

EXTRA = "pip install 'micrograd-lab[torch]'"

# our activation name -> the torch.nn module after the Linear (None: no module)
TORCH_MODULES: dict[str, str | None] = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "linear": None,
}
# the torch.nn activation modules from_torch reads, -> our activation name
FROM_TORCH: dict[str, str] = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid",
                              "Identity": "linear"}


def _torch(where: str):
    """The torch module, or the ImportError that names the extra."""
    try:
        import torch
    except ImportError as e:
        if e.name != "torch":       # torch is there but broken: its own error says how
            raise
        raise ImportError(f"{where}: needs PyTorch; install it with {EXTRA}") from None
    return torch


def _layers(model) -> list[tuple[Sequence, str]]:
    """model's fully connected steps as (neurons, activation): an MLP's layers, a Layer, or a
    Neuron as a layer of one."""
    if hasattr(model, "layers"):
        return [(layer.neurons, layer.activation) for layer in model.layers]
    if hasattr(model, "neurons"):
        return [(model.neurons, model.activation)]
    return [([model], model.activation)]


def _linear_positions(activations: Sequence[str]) -> list[int]:
    """The index of each layer's Linear in the Sequential: one slot for each Linear and one
    for each activation module."""
    positions, at = [], 0
    for activation in activations:
        positions.append(at)
        at += 1 if TORCH_MODULES[activation] is None else 2
    return positions


def parameter_map(model) -> list[tuple[str, str, tuple[int, ...]]]:
    """(our dotted name, PyTorch parameter name, index) for every parameter, in our order.

    `("layers.0.neurons.3.w.1", "0.weight", (3, 1))` says that weight is
    `dict(model.to_torch().named_parameters())["0.weight"][3, 1]`. Needs no torch.
    """
    if not isinstance(model, Module):
        raise TypeError(f"parameter_map: expected nn's Neuron, Layer or MLP, got "
                        f"{type(model).__name__}")
    layers = _layers(model)
    places = []
    for at, (neurons, _) in zip(_linear_positions([a for _, a in layers]), layers):
        for j, neuron in enumerate(neurons):
            places += [(f"{at}.weight", (j, k)) for k in range(len(neuron.w))]
            places.append((f"{at}.bias", (j,)))
    names = list(model.state_dict())        # the same order: layer, neuron, its w then b
    if len(names) != len(places):
        raise ValueError(f"parameter_map: {type(model).__name__} has {len(names)} parameters, "
                         f"its layers {len(places)}; only nn's Neuron, Layer and MLP map")
    return [(name, param, index) for name, (param, index) in zip(names, places)]


def to_torch(model) -> torch.nn.Sequential:
    """A Neuron, Layer or MLP as a float64 `torch.nn.Sequential` of Linear and activation
    modules with the same weights (the mapping is in this module's docstring)."""
    torch = _torch("to_torch")
    # every value a finite float, checked as save() checks it, in parameter order: per
    # neuron its weights, then its bias
    values = iter(model.finite_parameters("to_torch"))
    modules = []
    for neurons, activation in _layers(model):
        rows = [[next(values) for _ in range(len(n.w) + 1)] for n in neurons]
        weight = [row[:-1] for row in rows]                     # row j: neuron j's weights
        bias = [row[-1] for row in rows]
        # skip_init: no random initialisation to overwrite (it would advance torch's
        # generator); on the CPU whatever torch's default device is
        linear = torch.nn.utils.skip_init(torch.nn.Linear, len(weight[0]), len(weight),
                                          dtype=torch.float64, device="cpu")
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weight, dtype=torch.float64, device="cpu"))
            linear.bias.copy_(torch.tensor(bias, dtype=torch.float64, device="cpu"))
        modules.append(linear)
        if TORCH_MODULES[activation] is not None:
            modules.append(getattr(torch.nn, TORCH_MODULES[activation])())
    return torch.nn.Sequential(*modules)


# --- from torch ------------------------------------------------------------------------------
WHERE = "MLP.from_torch"
ALLOWED = "Linear layers, each followed by at most one of ReLU, Tanh, Sigmoid, Identity"


def _describe(module) -> str:
    """A one-line name for a module: Linear(in_features=2, ...), Sequential(...)."""
    if not hasattr(module, "children"):         # not a module at all (None, a function)
        return f"{module!r:.60}"
    if next(module.children(), None) is not None:
        return f"{type(module).__name__}(...)"
    return f"{type(module).__name__}({module.extra_repr()})"


def _read_linear(torch, linear, i: int, before: tuple[int, int] | None
                 ) -> tuple[list[list[float]], list[float]]:
    """(weight rows, bias) of the Linear at position i as floats, every problem a clear error;
    before: (outputs, position) of the Linear before it, None for the first."""
    where = f"{WHERE}: {_describe(linear)} at position {i}"
    if linear.bias is None:
        raise ValueError(f"{where} has no bias (bias=False); every neuron of nn.MLP has one")
    for name, t, dims in (("weight", linear.weight, 2), ("bias", linear.bias, 1)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{where}: its {name} is a {type(t).__name__}, not a tensor")
        if not t.is_floating_point():
            raise TypeError(f"{where}: its {name} has dtype {t.dtype}, not a floating-point one")
        if t.is_meta:
            raise ValueError(f"{where}: its {name} is on the meta device: it holds no numbers")
        if t.layout != torch.strided:
            raise ValueError(f"{where}: its {name} is stored as {t.layout}; only dense "
                             f"(strided) tensors are read")
        if t.dim() != dims:
            raise ValueError(f"{where}: its {name} has shape {list(t.shape)}, not {dims}-D")
    nout, n_in = linear.weight.shape
    if linear.bias.shape[0] != nout:
        raise ValueError(f"{where}: its bias has {linear.bias.shape[0]} entries for {nout} "
                         f"rows of weights")
    if nout == 0 or n_in == 0:
        raise ValueError(f"{where} has no {'outputs' if nout == 0 else 'inputs'}")
    if before is not None and n_in != before[0]:
        raise ValueError(f"{where} takes {n_in} inputs, but the Linear at position "
                         f"{before[1]} gives {before[0]}")
    # float32 / float16 numbers are float64 numbers too: tolist() is exact
    weight = linear.weight.detach().cpu().tolist()
    bias = linear.bias.detach().cpu().tolist()
    for j, row in enumerate(weight):
        for k, x in enumerate(row):
            if not math.isfinite(x):
                raise ValueError(f"{where}: weight[{j}, {k}] is {x!r}; nn.MLP holds finite "
                                 f"weights only")
    for j, x in enumerate(bias):
        if not math.isfinite(x):
            raise ValueError(f"{where}: bias[{j}] is {x!r}; nn.MLP holds finite weights only")
    return weight, bias


@dataclass
class _ReadLayer:
    """One Linear read from the Sequential, and the activation module after it (if any)."""
    position: int
    weight: list[list[float]]
    bias: list[float]
    activation: Any = None
    activation_position: int | None = None

    def describe_activation(self) -> str:
        return "no activation" if self.activation is None else _describe(self.activation)


def read_torch(module: Any) -> tuple[dict[str, Any], list[float]]:
    """(an MLP config, every weight in our parameter order) read from a torch Sequential of
    Linear and ReLU / Tanh / Sigmoid / Identity modules, or from one Linear. `MLP.from_torch`
    builds the model from them.

    TypeError for something that is not such a module (a list, a ModuleList, a ReLU alone, a
    subclass of Sequential, whose forward may differ); ValueError, naming the module and its
    position, for a module nn.MLP has no place for (Conv, Dropout, LeakyReLU, a nested
    Sequential, a subclass of Linear), an activation first or after another, Linear sizes that
    do not chain, a Linear used twice (tied weights), no bias, a non-finite weight, hidden
    layers with different activations (nn.MLP has one hidden activation), an empty Sequential.
    """
    torch = _torch(WHERE)
    nn = torch.nn
    if type(module) is nn.Linear:
        items = [module]
    elif type(module) is nn.Sequential:
        items = list(module)        # every entry, a module listed twice too
    else:
        name = type(module).__name__
        what = f"{'an' if name[0] in 'AEIOUaeiou' else 'a'} {name}"
        if isinstance(module, nn.Module):
            what = _describe(module)
        raise TypeError(f"{WHERE}: expected a torch.nn.Sequential of {ALLOWED} (or one "
                        f"Linear), got {what}")
    if not items:
        raise ValueError(f"{WHERE}: the Sequential is empty: there is no Linear layer to map")
    activation_of = {getattr(nn, name): ours for name, ours in FROM_TORCH.items()}
    layers: list[_ReadLayer] = []
    seen: dict[int, int] = {}
    for i, m in enumerate(items):
        last = layers[-1] if layers else None
        if type(m) is nn.Linear:
            if id(m) in seen:
                raise ValueError(f"{WHERE}: {_describe(m)} at position {i} is the module at "
                                 f"position {seen[id(m)]} again: its weights are shared (tied), "
                                 f"and each layer of nn.MLP has its own")
            seen[id(m)] = i
            for name in ("weight", "bias"):     # two Linears holding one Parameter: tied too
                t = getattr(m, name)
                if t is not None and id(t) in seen:
                    raise ValueError(f"{WHERE}: {_describe(m)} at position {i} shares its "
                                     f"{name} with the module at position {seen[id(t)]} (tied "
                                     f"weights), and each layer of nn.MLP has its own")
                seen[id(t)] = i
            before = None if last is None else (len(last.bias), last.position)
            weight, bias = _read_linear(torch, m, i, before)
            layers.append(_ReadLayer(i, weight, bias))
        elif type(m) in activation_of:
            if last is None:
                raise ValueError(f"{WHERE}: {_describe(m)} at position {i} comes before any "
                                 f"Linear; the Sequential must start with a Linear")
            if last.activation is not None:
                raise ValueError(f"{WHERE}: {_describe(m)} at position {i} follows another "
                                 f"activation ({_describe(last.activation)} at position "
                                 f"{last.activation_position}); nn.MLP has one per layer")
            last.activation, last.activation_position = m, i
        else:
            hint = (" (a nested Sequential: flatten it into one)"
                    if isinstance(m, nn.Sequential) else "")
            raise ValueError(f"{WHERE}: cannot map {_describe(m)} at position {i}{hint}; "
                             f"nn.MLP is {ALLOWED}")
    acts = [activation_of[type(r.activation)] if r.activation is not None else "linear"
            for r in layers]
    hidden = acts[:-1]
    for r, act in zip(layers[1:-1], hidden[1:]):
        if act != hidden[0]:
            raise ValueError(f"{WHERE}: the Linear at position {r.position} is followed by "
                             f"{r.describe_activation()}, the one at position "
                             f"{layers[0].position} by {layers[0].describe_activation()}; "
                             f"nn.MLP has one activation for all its hidden layers")
    config = {"nin": len(layers[0].weight[0]), "nouts": [len(r.bias) for r in layers],
              "activation": hidden[0] if hidden else "relu", "output_activation": acts[-1]}
    values = [x for r in layers for row, b in zip(r.weight, r.bias) for x in (*row, b)]
    return config, values


def check_forward(module: Any, model) -> None:
    """Refuse `module` if its forward is not the Linear / activation chain read from it into
    `model`: a forward hook, or a parametrization that recomputes a weight (weight_norm), changes
    what the module computes without changing its list of modules. Both are run on one probe
    input and must agree to the rounding of the module's dtype (the bound grows with the sums
    of |w x|, so a sum that cancels is not mistaken for a difference)."""
    torch = _torch(WHERE)
    linears = [m for m in (module if isinstance(module, torch.nn.Sequential) else [module])
               if isinstance(m, torch.nn.Linear)]
    dtype = linears[0].weight.dtype
    probe = [math.sin(1.0 + k) for k in range(model.nin)]      # fixed, of mixed signs
    try:
        with torch.no_grad():
            theirs = module(torch.tensor(probe, dtype=dtype)).double().reshape(-1).tolist()
    except Exception as e:                  # whatever a hook of the user's may raise
        raise ValueError(f"{WHERE}: running {_describe(module)} on a probe input failed "
                         f"({type(e).__name__}: {e})") from None
    with no_grad():
        ours = [v.data for v in model(probe)]
    # |sum of w x| <= sum of |w||x|: each layer's bound from the previous one's
    scale, terms = [abs(x) for x in probe], 0
    for layer in model.layers:
        scale = [sum(abs(w.data) * s for w, s in zip(n.w, scale)) + abs(n.b.data)
                 for n in layer.neurons]
        terms += layer.nin + 1
    eps = torch.finfo(dtype).eps
    for j, (a, b, s) in enumerate(zip(ours, theirs, scale)):
        if not abs(a - b) <= 4 * terms * eps * s:
            raise ValueError(f"{WHERE}: {_describe(module)} computes {b!r} for output {j} of a "
                             f"probe input, its Linear layers and activations {a!r}: a forward "
                             f"hook or a weight parametrization changes it, and nn.MLP cannot "
                             f"hold that")
