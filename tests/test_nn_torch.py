"""to_torch / from_torch (nn/pytorch.py): the same network on both sides.

Outputs and every parameter gradient against PyTorch float64 to 1e-12, for every activation and
for Neuron, Layer and MLP, under the loss table's losses written again with torch ops; round
trips bit for bit both ways; hostile modules refused with errors naming them; the copies
independent. The tests that need torch skip without it (CI installs the extra); the ones about
torch being optional run in a subprocess, with torch hidden.
"""
from __future__ import annotations

import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from micrograd import Value
from nn import ACTIVATIONS, MLP, Layer, Neuron, batch_loss
from nn import losses as L
from nn.pytorch import FROM_TORCH, TORCH_MODULES, parameter_map

ROOT = Path(__file__).resolve().parent.parent
TOL = 1e-12


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= TOL * max(1.0, abs(theirs))


def bits(x: float) -> str:
    return float(x).hex()           # tells -0.0 from 0.0, unlike ==


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


# --- torch stays optional ----------------------------------------------------------------------
def test_import_nn_never_imports_torch():
    r = run("import sys, nn, nn.layers, nn.pytorch, micrograd.nn\n"
            "m = nn.MLP(2, [3, 1], seed=0)\n"
            "nn.pytorch.parameter_map(m)\n"       # the mapping needs no torch either
            "assert 'torch' not in sys.modules, 'torch was imported'")
    assert r.returncode == 0, r.stderr


def test_without_torch_each_call_names_the_extra():
    r = run("import sys\n"
            "sys.modules['torch'] = None\n"       # import torch now raises ImportError
            "import nn\n"
            "m = nn.MLP(2, [3, 1], seed=0)\n"
            "calls = [m.to_torch, m.layers[0].to_torch, m.layers[0].neurons[0].to_torch,\n"
            "         lambda: nn.MLP.from_torch(None)]\n"
            "for call in calls:\n"
            "    try:\n"
            "        call()\n"
            "    except ImportError as e:\n"
            "        print(e)\n"
            "    else:\n"
            "        raise SystemExit('no ImportError')\n"
            "print(len(nn.pytorch.parameter_map(m)))\n")
    assert r.returncode == 0, r.stderr
    extra = "needs PyTorch; install it with pip install 'micrograd-lab[torch]'"
    assert r.stdout.splitlines() == [f"to_torch: {extra}"] * 3 + [f"MLP.from_torch: {extra}",
                                                                   "13"]


def test_every_activation_has_a_torch_module():
    assert set(TORCH_MODULES) == set(ACTIVATIONS)
    assert set(FROM_TORCH.values()) == set(ACTIVATIONS)
    assert all(FROM_TORCH[m] == a for a, m in TORCH_MODULES.items() if m is not None)


# --- the mapping ----------------------------------------------------------------------------
def test_parameter_map_as_the_docstring_states():
    pairs = {ours: (param, index) for ours, param, index in parameter_map(MLP(4, [5, 2]))}
    assert pairs["layers.0.neurons.3.w.1"] == ("0.weight", (3, 1))
    assert pairs["layers.1.neurons.0.b"] == ("2.bias", (0,))          # 1 is the ReLU
    assert len(pairs) == 4 * 5 + 5 + 5 * 2 + 2
    linear = MLP(4, [5, 5, 2], activation="linear")                   # no activation modules
    assert {p for _, p, _ in parameter_map(linear)} == {"0.weight", "0.bias", "1.weight",
                                                        "1.bias", "2.weight", "2.bias"}
    assert parameter_map(Layer(3, 2))[4] == ("neurons.1.w.0", "0.weight", (1, 0))
    assert parameter_map(Neuron(2)) == [("w.0", "0.weight", (0, 0)),
                                        ("w.1", "0.weight", (0, 1)), ("b", "0.bias", (0,))]


# --- the models, one per kind and activation ------------------------------------------------
def models(activation: str) -> list:
    return [Neuron(3, activation, init="normal", seed=1),
            Layer(3, 4, activation, init="normal", seed=2),
            MLP(3, [4, 5, 2], activation=activation, output_activation=activation,
                init="normal", seed=3),
            MLP(3, [4, 1], activation=activation, seed=4)]      # linear output, as in fit


def with_biases(model):
    """The model with nonzero biases (ours start at 0), so the bias mapping is tested too."""
    rng = random.Random(7)
    for name, p in model.named_parameters():
        if name.endswith("b"):
            p.data = rng.uniform(-0.5, 0.5)
    return model


MODELS = [(a, k) for a in ACTIVATIONS for k in range(4)]
IDS = [f"{a}-{['Neuron', 'Layer', 'MLP', 'MLP-linear-out'][k]}" for a, k in MODELS]
XS = [[0.5, -1.0, 2.0], [0.0, 0.3, -0.7], [-1.5, 0.25, 1.0]]


def torch_parameters(net) -> dict:
    return dict(net.named_parameters())


@pytest.mark.parametrize("activation, k", MODELS, ids=IDS)
def test_to_torch_structure_and_weights(torch, activation, k):
    model = with_biases(models(activation)[k])
    net = model.to_torch()
    assert type(net) is torch.nn.Sequential
    kinds = [type(m).__name__ for m in net]
    layers = model.layers if isinstance(model, MLP) else [model]
    expected = []
    for layer in layers:
        expected += ["Linear"] + ([TORCH_MODULES[layer.activation]]
                                  if TORCH_MODULES[layer.activation] else [])
    assert kinds == expected
    for layer, linear in zip(layers, [m for m in net if isinstance(m, torch.nn.Linear)]):
        nout = getattr(layer, "nout", 1)
        assert linear.weight.shape == (nout, layer.nin) and linear.bias.shape == (nout,)
        assert linear.weight.dtype == linear.bias.dtype == torch.float64
    params = torch_parameters(net)
    for (name, param, index), p in zip(parameter_map(model), model.parameters()):
        assert bits(params[param][index].item()) == bits(p.data), name


@pytest.mark.parametrize("activation, k", MODELS, ids=IDS)
def test_outputs_and_mse_gradients_match_torch(torch, activation, k):
    model = with_biases(models(activation)[k])
    net = model.to_torch()
    params = torch_parameters(net)
    for x in XS:
        out = model(x)
        outs = [out] if isinstance(out, Value) else out     # a Neuron returns one Value
        got = net(torch.tensor(x, dtype=torch.float64))
        assert got.shape == (len(outs),)                    # a Neuron's output has shape [1]
        assert all(close(o.data, g) for o, g in zip(outs, got.tolist()))
        target = [0.25 * (i + 1) for i in range(len(outs))]
        model.zero_grad()
        net.zero_grad()
        L.mse(outs, target).backward()
        loss_t = 0.5 * ((got - torch.tensor(target, dtype=torch.float64)) ** 2).sum()
        loss_t.backward()
        for (name, param, index), p in zip(parameter_map(model), model.parameters()):
            assert close(p.grad, params[param].grad[index].item()), (name, p.grad)


def _ce(torch, z, t):
    return torch.nn.functional.cross_entropy(z[None], torch.tensor([t]))


# loss name -> (outputs, target, the same loss in torch ops on the output tensor)
TORCH_LOSSES = {
    "mse": (3, [0.5, -1.0, 2.0], lambda torch, o, t: 0.5 * ((o - torch.tensor(t)) ** 2).sum()),
    "mse_mean": (3, [0.5, -1.0, 2.0],
                 lambda torch, o, t: torch.nn.functional.mse_loss(o, torch.tensor(t,
                                                                  dtype=torch.float64))),
    "cross_entropy": (4, 2, _ce),
    "binary_cross_entropy_with_logits": (
        1, 1.0, lambda torch, o, t: torch.nn.functional.binary_cross_entropy_with_logits(
            o, torch.tensor([t], dtype=torch.float64))),
    "hinge": (1, -1.0, lambda torch, o, t: torch.relu(1 - t * o[0])),
}


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", TORCH_LOSSES)
def test_table_losses_and_gradients_match_torch(torch, loss, activation):
    nout, target, torch_loss = TORCH_LOSSES[loss]
    model = with_biases(MLP(3, [5, nout], activation=activation, init="normal", seed=11))
    net = model.to_torch()
    x = [0.9, -0.4, 1.3]
    ours = L.LOSSES[loss](model(x), target)
    ours.backward()
    theirs = torch_loss(torch, net(torch.tensor(x, dtype=torch.float64)), target)
    theirs.backward()
    assert close(ours.data, theirs.item())
    params = torch_parameters(net)
    for (name, param, index), p in zip(parameter_map(model), model.parameters()):
        assert close(p.grad, params[param].grad[index].item()), name


def test_binary_cross_entropy_on_a_sigmoid_output_matches_torch(torch):
    model = with_biases(MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=5))
    net = model.to_torch()
    ours = L.binary_cross_entropy(model([0.3, -0.8]), 0.0)
    ours.backward()
    p = net(torch.tensor([0.3, -0.8], dtype=torch.float64))
    theirs = torch.nn.functional.binary_cross_entropy(p, torch.zeros(1, dtype=torch.float64))
    theirs.backward()
    assert close(ours.data, theirs.item())
    params = torch_parameters(net)
    assert all(close(p.grad, params[param].grad[i].item())
               for (_, param, i), p in zip(parameter_map(model), model.parameters()))


def test_the_batch_objective_of_fit_matches_torch(torch):
    """nn.batch_loss (what fit trains on: mean hinge loss + l2 * sum p**2) on a batch."""
    X, y = nn.data.moons(20, noise=0.1, seed=3)
    y = [2 * t - 1 for t in y]
    model = with_biases(MLP(2, [8, 8, 1], seed=1))
    net = model.to_torch()
    total, _ = batch_loss(model, X, y, L.hinge, l2=1e-4)
    total.backward()
    s = net(torch.tensor(X, dtype=torch.float64))[:, 0]
    theirs = torch.relu(1 - torch.tensor(y, dtype=torch.float64) * s).mean() \
        + 1e-4 * sum((p ** 2).sum() for p in net.parameters())
    theirs.backward()
    assert close(total.data, theirs.item())
    params = torch_parameters(net)
    assert all(close(p.grad, params[param].grad[i].item())
               for (_, param, i), p in zip(parameter_map(model), model.parameters()))


def test_karpathys_mlp_converts_too(torch):
    from micrograd.nn import MLP as KarpathyMLP
    random.seed(1337)
    model = KarpathyMLP(2, [4, 1])
    net = model.to_torch()
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear"]
    assert close(model([0.5, -0.2]).data, net(torch.tensor([0.5, -0.2],
                                                            dtype=torch.float64)).item())


# --- round trips, bit for bit ------------------------------------------------------------------
AWKWARD = [5e-324, -0.0, 1e300, -1e-300, 0.1 + 0.2, 1 / 3, -math.pi, 2.0 ** -1074 * 3]


@pytest.mark.parametrize("config", [
    dict(nin=3, nouts=[4, 2], activation="tanh", output_activation="sigmoid"),
    dict(nin=2, nouts=[3, 3, 1], activation="relu", output_activation="linear"),
    dict(nin=2, nouts=[3, 3, 2], activation="linear", output_activation="relu"),
    dict(nin=1, nouts=[1], activation="sigmoid", output_activation="tanh"),
    dict(nin=5, nouts=[2, 6, 3], activation="sigmoid", output_activation="linear"),
])
def test_ours_to_torch_to_ours_keeps_every_bit(torch, config):
    model = MLP(**config, init="normal", seed=9)
    for p, x in zip(model.parameters()[::2], AWKWARD * len(model.parameters())):
        p.data = x                          # every other parameter awkward, the rest drawn
    back = MLP.from_torch(model.to_torch())
    assert [bits(p.data) for p in back.parameters()] == [bits(p.data) for p in model.parameters()]
    if len(config["nouts"]) > 1:            # one layer: no hidden activation to keep
        assert back.config() == model.config()
    kinds = [type(m) for m in model.to_torch()]
    assert [type(m) for m in back.to_torch()] == kinds       # the same module types again


def same_bits(torch, a, b) -> bool:
    return a.dtype == b.dtype == torch.float64 and torch.equal(a.view(torch.int64),
                                                               b.view(torch.int64))


@pytest.mark.parametrize("activations", [("ReLU", "Tanh"), ("Sigmoid", None), (None, "ReLU"),
                                         ("Tanh", "Sigmoid")])
def test_torch_to_ours_to_torch_keeps_every_bit(torch, activations):
    torch.manual_seed(0)
    hidden, out = (getattr(torch.nn, a)() if a else None for a in activations)
    modules = [torch.nn.Linear(3, 5), hidden, torch.nn.Linear(5, 5), hidden,
               torch.nn.Linear(5, 2), out]
    net = torch.nn.Sequential(*[m for m in modules if m is not None]).double()
    with torch.no_grad():
        net[0].weight[0, 0] = -0.0
        net[0].bias[1] = 5e-324
    again = MLP.from_torch(net).to_torch()
    assert [type(m) for m in again] == [type(m) for m in net]
    for (name, a), (name2, b) in zip(net.named_parameters(), again.named_parameters()):
        assert name == name2 and same_bits(torch, a.detach(), b.detach()), name
    x = torch.randn(4, 3, dtype=torch.float64)
    assert torch.equal(net(x), again(x))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_lower_precision_weights_convert_exactly(torch, dtype):
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1))
    net = net.to(getattr(torch, dtype))
    model = MLP.from_torch(net)
    expected = [x for m in (net[0], net[2]) for row, b in zip(m.weight.tolist(), m.bias.tolist())
                for x in (*row, b)]
    assert [p.data for p in model.parameters()] == expected
    again = model.to_torch()
    for a, b in zip(net.double().parameters(), again.parameters()):
        assert same_bits(torch, a.detach(), b.detach())


def test_one_linear_and_identity_read_back(torch):
    torch.manual_seed(2)
    one = torch.nn.Linear(3, 2).double()
    model = MLP.from_torch(one)
    assert model.config() == {"nin": 3, "nouts": [2], "activation": "relu",
                              "output_activation": "linear"}
    assert same_bits(torch, model.to_torch()[0].weight.detach(), one.weight.detach())
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Identity(), torch.nn.Linear(3, 1),
                              torch.nn.Identity()).double()
    model = MLP.from_torch(net)
    assert (model.activation, model.output_activation) == ("linear", "linear")
    assert [type(m).__name__ for m in model.to_torch()] == ["Linear", "Linear"]  # no Identity
    x = torch.tensor([0.4, -1.2], dtype=torch.float64)
    assert close(model(x.tolist())[0].data, net(x).item())
    relu_inplace = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(inplace=True),
                                       torch.nn.Linear(2, 1))
    assert MLP.from_torch(relu_inplace).activation == "relu"


def test_from_torch_of_a_neuron_and_a_layer(torch):
    neuron = with_biases(Neuron(3, "sigmoid", seed=1))
    layer = with_biases(Layer(3, 2, "tanh", seed=2))
    a, b = MLP.from_torch(neuron.to_torch()), MLP.from_torch(layer.to_torch())
    assert [p.data for p in a.parameters()] == [p.data for p in neuron.parameters()]
    assert [p.data for p in b.parameters()] == [p.data for p in layer.parameters()]
    assert (a.nouts, a.output_activation, b.nouts, b.output_activation) == ([1], "sigmoid",
                                                                           [2], "tanh")


# --- the two sides share nothing, and nothing random is drawn -----------------------------
def test_the_copies_are_independent(torch):
    model = with_biases(MLP(2, [3, 1], seed=1))
    before = model.state_dict()
    net = model.to_torch()
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
    assert model.state_dict() == before                    # torch changed, ours did not
    torch_before = [p.detach().clone() for p in net.parameters()]
    for p in model.parameters():
        p.data = 42.0
    assert all(torch.equal(a, b) for a, b in zip(torch_before, net.parameters()))
    back = MLP.from_torch(net)
    back_state = back.state_dict()
    with torch.no_grad():
        net[0].weight.zero_()
    assert back.state_dict() == back_state                 # from_torch copied too
    back.layers[0].neurons[0].b.data = -7.0
    assert net[0].bias[0].item() != -7.0


def test_no_random_numbers_are_drawn(torch):
    model = MLP(2, [16, 16, 1], seed=1)
    state = torch.random.get_rng_state()
    net = model.to_torch()
    assert torch.equal(torch.random.get_rng_state(), state)
    random.seed(5)
    py_state = random.getstate()
    MLP.from_torch(net)
    assert random.getstate() == py_state


# --- hostile input -----------------------------------------------------------------------------
def _nan_weight(torch):
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    with torch.no_grad():
        net[0].weight[1, 0] = float("nan")
    return net


def _inf_bias(torch):
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    with torch.no_grad():
        net[2].bias[0] = -float("inf")
    return net


def _tied(torch):
    shared = torch.nn.Linear(3, 3)
    return torch.nn.Sequential(shared, torch.nn.ReLU(), shared)


def _wrong_bias_size(torch):
    linear = torch.nn.Linear(2, 3)
    linear.bias = torch.nn.Parameter(torch.zeros(5))
    return linear


def _zero_inputs(torch):
    linear = torch.nn.Linear(1, 3)
    linear.weight = torch.nn.Parameter(torch.zeros(3, 0))  # Linear(0, 3) warns as it is made
    return linear


def _integer_weight(torch):
    linear = torch.nn.Linear(2, 3)
    linear.weight = torch.nn.Parameter(torch.zeros(3, 2, dtype=torch.int64), requires_grad=False)
    return linear


def _no_outputs(torch):
    import warnings
    with warnings.catch_warnings():         # torch: "Initializing zero-element tensors"
        warnings.simplefilter("ignore")
        return torch.nn.Linear(2, 0)


def _sparse_weight(torch):
    linear = torch.nn.Linear(2, 3, dtype=torch.float64)
    linear.weight = torch.nn.Parameter(linear.weight.detach().to_sparse())
    return linear


def _shared_parameter(torch):
    a, b = torch.nn.Linear(3, 3), torch.nn.Linear(3, 3)
    b.weight = a.weight                 # two modules, one Parameter
    return torch.nn.Sequential(a, torch.nn.ReLU(), b)


def _hooked(torch, register: str, hook):
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    getattr(net[2], register)(hook)
    return net


def _raise(*_):
    raise RuntimeError("no")


def _pre_hooked_sequential(torch):
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    net.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    return net


def _weight_norm(torch):
    import warnings
    with warnings.catch_warnings():         # deprecated, but still what many models hold
        warnings.simplefilter("ignore")
        linear = torch.nn.utils.weight_norm(torch.nn.Linear(2, 1, dtype=torch.float64))
    with torch.no_grad():
        linear.weight_g.mul_(3)         # .weight is recomputed only on the next forward
    return linear


def _seq(torch, *names_or_modules):
    return torch.nn.Sequential(*[getattr(torch.nn, m[0])(*m[1:]) if isinstance(m, tuple) else m
                                 for m in names_or_modules])


HOSTILE = {
    # (build, exception, fragments the message must contain)
    "conv": (lambda t: _seq(t, ("Linear", 2, 3), ("Conv1d", 1, 1, 1)), ValueError,
             ["cannot map Conv1d(", "at position 1"]),
    "dropout": (lambda t: _seq(t, ("Linear", 2, 3), ("ReLU",), ("Dropout",), ("Linear", 3, 1)),
                ValueError, ["cannot map Dropout(p=0.5", "at position 2"]),
    "leaky relu": (lambda t: _seq(t, ("Linear", 2, 3), ("LeakyReLU",)), ValueError,
                   ["cannot map LeakyReLU(", "at position 1"]),
    "softmax": (lambda t: _seq(t, ("Linear", 2, 3), ("Softmax", -1)), ValueError,
                ["Softmax(", "position 1"]),
    "two activations": (lambda t: _seq(t, ("Linear", 2, 3), ("ReLU",), ("Tanh",)), ValueError,
                        ["Tanh() at position 2 follows another activation (ReLU() at "
                         "position 1)"]),
    "identity after relu": (lambda t: _seq(t, ("Linear", 2, 3), ("ReLU",), ("Identity",)),
                            ValueError, ["Identity() at position 2 follows"]),
    "activation first": (lambda t: _seq(t, ("Tanh",), ("Linear", 2, 3)), ValueError,
                         ["Tanh() at position 0 comes before any Linear"]),
    "sizes do not chain": (lambda t: _seq(t, ("Linear", 2, 3), ("ReLU",), ("Linear", 4, 1)),
                           ValueError, ["Linear(in_features=4, out_features=1, bias=True) at "
                                        "position 2 takes 4 inputs, but the Linear at position "
                                        "0 gives 3"]),
    "no bias": (lambda t: _seq(t, ("Linear", 2, 3), ("ReLU",), ("Linear", 3, 1, False)),
                ValueError, ["bias=False) at position 2 has no bias"]),
    "nan weight": (_nan_weight, ValueError, ["at position 0: weight[1, 0] is nan"]),
    "inf bias": (_inf_bias, ValueError, ["at position 2: bias[0] is -inf"]),
    "empty": (lambda t: t.nn.Sequential(), ValueError, ["empty"]),
    "nested": (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Sequential(t.nn.ReLU())),
               ValueError, ["cannot map Sequential(...) at position 1", "nested"]),
    "mixed hidden": (lambda t: _seq(t, ("Linear", 2, 3), ("ReLU",), ("Linear", 3, 3),
                                    ("Tanh",), ("Linear", 3, 1)), ValueError,
                     ["position 2 is followed by Tanh(), the one at position 0 by ReLU()"]),
    "missing hidden": (lambda t: _seq(t, ("Linear", 2, 3), ("ReLU",), ("Linear", 3, 3),
                                      ("Linear", 3, 1)), ValueError,
                       ["position 2 is followed by no activation"]),
    "tied": (_tied, ValueError, ["at position 2 is the module at position 0 again", "tied"]),
    "zero inputs": (_zero_inputs, ValueError, ["has no inputs"]),
    "bias size": (_wrong_bias_size, ValueError, ["its bias has 5 entries for 3 rows"]),
    "integer weight": (_integer_weight, TypeError, ["its weight has dtype torch.int64"]),
    "complex": (lambda t: t.nn.Linear(2, 3, dtype=t.complex128), TypeError,
                ["dtype torch.complex128"]),
    "meta": (lambda t: t.nn.Linear(2, 3, device="meta"), ValueError, ["meta device"]),
    "a list": (lambda t: [t.nn.Linear(2, 3)], TypeError, ["got a list"]),
    "a number": (lambda t: 42, TypeError, ["got an int"]),
    "None": (lambda t: None, TypeError, ["got a NoneType"]),
    "a relu": (lambda t: t.nn.ReLU(), TypeError, ["got ReLU()"]),
    "a module list": (lambda t: t.nn.ModuleList([t.nn.Linear(2, 3)]), TypeError,
                      ["got ModuleList(...)"]),
    "a state dict": (lambda t: t.nn.Linear(2, 3).state_dict(), TypeError,
                     ["got an OrderedDict"]),
    "no outputs": (_no_outputs, ValueError, ["at position 0 has no outputs"]),
    "a None entry": (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), None), ValueError,
                     ["cannot map None at position 1"]),
    "sparse weight": (_sparse_weight, ValueError, ["its weight is stored as torch.sparse_coo"]),
    "shared parameter": (_shared_parameter, ValueError,
                         ["at position 2 shares its weight with the module at position 0",
                          "tied"]),
    # a hook changes what the module computes; the list of modules does not show it
    "forward hook": (lambda t: _hooked(t, "register_forward_hook",
                                       lambda m, i, o: 100 * o), ValueError,
                     ["computes", "probe input", "forward hook"]),
    "pre-hook on the sequential": (_pre_hooked_sequential, ValueError, ["computes", "probe"]),
    "weight_norm": (_weight_norm, ValueError, ["computes", "weight parametrization"]),
    "hook that raises": (lambda t: _hooked(t, "register_forward_hook", _raise), ValueError,
                         ["running Sequential(...) on a probe input failed (RuntimeError: no)"]),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_from_torch_refuses_what_it_cannot_map(torch, case):
    build, error, fragments = HOSTILE[case]
    with pytest.raises(error) as info:
        MLP.from_torch(build(torch))
    message = str(info.value)
    assert message.startswith("MLP.from_torch: ")
    for fragment in fragments:
        assert fragment in message, message


def test_subclasses_are_refused_as_their_forward_may_differ(torch):
    class Scaled(torch.nn.Linear):
        def forward(self, x):
            return 2 * super().forward(x)

    class MySequential(torch.nn.Sequential):
        pass

    with pytest.raises(ValueError, match=r"cannot map Scaled\(in_features=2.* at position 0"):
        MLP.from_torch(torch.nn.Sequential(Scaled(2, 3)))
    with pytest.raises(TypeError, match=r"got MySequential\(\.\.\.\)"):
        MLP.from_torch(MySequential(torch.nn.Linear(2, 3)))


def test_a_hook_that_changes_nothing_and_a_cancelling_sum_are_accepted(torch):
    # the forward check compares to the rounding of the sums: a benign hook passes, and so
    # does a sum that cancels (torch adds in another order: 1 + 1e16 - 1e16 is 0 or 1)
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    seen = []
    net[0].register_forward_hook(lambda m, i, o: seen.append(o.shape) and None)
    assert MLP.from_torch(net).nouts == [3, 1] and seen == [torch.Size([3])]
    model = MLP(3, [1], activation="linear", seed=0)
    model.load_state_dict(dict(zip(model.state_dict(), [1.0, 1e16, -1e16, 1.0])))
    back = MLP.from_torch(model.to_torch())
    assert [bits(p.data) for p in back.parameters()] == [bits(p.data)
                                                         for p in model.parameters()]


@pytest.mark.parametrize("value, shown", [(float("nan"), "is nan"), (float("inf"), "is inf"),
                                          (10 ** 400, "too large for a float"),
                                          ("0.5", "is '0.5', not a number"),
                                          (True, "is True, not a number"),
                                          (None, "is None, not a number")])
def test_to_torch_refuses_a_weight_that_is_not_a_finite_number(torch, value, shown):
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1].w[0].data = value
    for part in (model, model.layers[0], model.layers[0].neurons[1]):
        with pytest.raises(ValueError) as info:
            part.to_torch()
        message = str(info.value)
        assert message.startswith("to_torch: parameter ") and shown in message, message
        assert "w.0" in message


def test_to_torch_makes_cpu_tensors_whatever_the_default_device(torch):
    model = MLP(2, [3, 1], seed=0)
    torch.set_default_device("meta")
    try:
        net = model.to_torch()
    finally:
        torch.set_default_device(None)
    assert all(p.device.type == "cpu" for p in net.parameters())
    assert net[0].weight[1, 0].item() == model.layers[0].neurons[1].w[0].data


def test_parameter_map_of_something_else_is_a_clear_error(torch):
    with pytest.raises(TypeError, match="parameter_map: expected nn's Neuron, Layer or MLP, "
                                        "got Sequential"):
        parameter_map(torch.nn.Sequential(torch.nn.Linear(2, 3)))


def test_karpathys_mlp_comes_back_from_torch(torch):
    from micrograd.nn import MLP as KarpathyMLP
    random.seed(1337)
    model = KarpathyMLP(2, [4, 4, 1])
    back = KarpathyMLP.from_torch(model.to_torch())
    assert type(back) is KarpathyMLP
    assert [bits(p.data) for p in back.parameters()] == [bits(p.data)
                                                         for p in model.parameters()]
    tanh_net = MLP(2, [4, 1], activation="tanh", seed=0).to_torch()
    with pytest.raises(ValueError, match="karpathy's MLP has ReLU hidden layers and a linear "
                                         "output; this module has tanh hidden layers"):
        KarpathyMLP.from_torch(tanh_net)


def test_a_broken_torch_install_shows_its_own_error(tmp_path):
    # a torch that fails inside its own import is not reported as missing
    fake = tmp_path / "torch"
    fake.mkdir()
    (fake / "__init__.py").write_text("import torch_missing_native_library\n")
    r = run(f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
            "import nn\n"
            "try:\n"
            "    nn.MLP(2, [1], seed=0).to_torch()\n"
            "except ImportError as e:\n"
            "    print(e.name)\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "torch_missing_native_library"
