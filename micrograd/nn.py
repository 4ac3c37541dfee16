"""karpathy's micrograd `nn` API, exactly, on our `nn` classes: code from his video runs as is.

    import random
    from micrograd.nn import MLP
    random.seed(1337)
    model = MLP(2, [16, 16, 1])     # MLP of [Layer of [ReLUNeuron(2), ...], ...]
    score = model([2.0, 3.0])       # a bare Value: the last layer has one neuron

What is his, as he wrote it:
- `Neuron(nin, nonlin=True)`: relu(b + w0*x0 + w1*x1 + ...) summed left to right, or no relu
  with nonlin=False; `Layer(nin, nout, **kwargs)` passes kwargs to its neurons and returns a
  bare Value when it has one neuron, else a list; `MLP(nin, nouts)`: relu hidden layers, a
  linear last layer. `Module` has `zero_grad()` and `parameters()`.
- weights drawn with `random.uniform(-1, 1)` from the global `random` generator, neuron by
  neuron, layer by layer, biases 0: after `random.seed(1337)`, his numbers.
- his reprs: `ReLUNeuron(2)`, `LinearNeuron(16)`, `Layer of [...]`, `MLP of [...]`.

Everything else is ours, inherited: the arithmetic, dotted parameter names, save / load
(a file saved here loads into `nn.MLP(2, [16, 16, 1])` and back). Where his code would fail or
quietly compute something else, ours says so: an input of the wrong length is an error (his
`zip` drops the extra numbers), a hidden layer of one neuron works (his passes a bare Value on
and fails), `nonlin` must be True or False (his takes any truthy value, "linear" too).

`import micrograd` does not load this module (it imports `nn`, which imports micrograd).
"""
from __future__ import annotations

import random
from typing import Sequence, Union

import nn
from nn import Module

from .engine import Value

__all__ = ["Module", "Neuron", "Layer", "MLP"]


def _nonlin(nonlin, where: str) -> bool:
    if isinstance(nonlin, str) or nonlin not in (True, False):
        raise TypeError(f"{where}: nonlin must be True (relu) or False (linear), got {nonlin!r}")
    return bool(nonlin)


def _activation(nonlin: bool) -> str:
    return "relu" if nonlin else "linear"


class Neuron(nn.Neuron):
    """relu(b + sum_j w_j * x_j), or without the relu when nonlin=False."""

    def __init__(self, nin: int, nonlin: bool = True):
        super().__init__(nin, _activation(_nonlin(nonlin, "Neuron")), rng=random)

    @property
    def nonlin(self) -> bool:
        return self.activation == "relu"

    def __call__(self, x: Union[Sequence, Value]) -> Value:
        # a bare Value is what a one-neuron layer hands on
        return super().__call__([x] if isinstance(x, Value) else x)

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({self.nin})"


class Layer(nn.Layer):
    """nout Neurons on the same inputs: a bare Value if nout == 1, else a list of Values."""

    def __init__(self, nin: int, nout: int, **kwargs):
        unknown = [k for k in kwargs if k != "nonlin"]
        if unknown:
            raise TypeError(f"Layer: unexpected keyword argument {unknown[0]!r} (its neurons "
                            f"take only nonlin=True/False)")
        nonlin = _nonlin(kwargs.get("nonlin", True), "Layer")
        super().__init__(nin, nout, _activation(nonlin), rng=random)

    def new_neuron(self, nin: int, activation: str, init: str, rng) -> Neuron:
        return Neuron(nin, nonlin=activation == "relu")

    def __call__(self, x: Union[Sequence, Value]) -> Union[Value, list[Value]]:
        out = super().__call__([x] if isinstance(x, Value) else x)
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(nn.MLP):
    """Layers of sizes nouts: relu in every hidden layer, linear in the last."""

    def __init__(self, nin: int, nouts: Sequence[int]):
        super().__init__(nin, nouts, activation="relu", output_activation="linear", rng=random)

    def new_layer(self, nin: int, nout: int, activation: str, init: str, rng) -> Layer:
        return Layer(nin, nout, nonlin=activation == "relu")

    @classmethod
    def from_torch(cls, module) -> MLP:
        """karpathy's MLP from a torch Sequential that fits it: ReLU after every Linear but the
        last (see nn.MLP.from_torch for what is checked). Like MLP(nin, nouts), it draws its
        initial weights from the global `random`, then sets them from the module."""
        model = nn.MLP.from_torch(module)
        hidden = model.activation if len(model.layers) > 1 else "relu"
        if hidden != "relu" or model.output_activation != "linear":
            raise ValueError(f"micrograd.nn.MLP.from_torch: karpathy's MLP has ReLU hidden "
                             f"layers and a linear output; this module has {hidden} hidden "
                             f"layers and a {model.output_activation} output (use "
                             f"nn.MLP.from_torch)")
        ours = cls(model.nin, model.nouts)
        ours.load_state_dict(model.state_dict())
        return ours

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
