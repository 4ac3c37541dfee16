"""micrograd.nn: karpathy's nn API on our nn classes: his reprs, his draws, his demo's numbers.

The published numbers are those printed by his demo.ipynb (`np.random.seed(1337);
random.seed(1337)`, `make_moons(n_samples=100, noise=0.1)`): step 0 loss 0.8958441028683222,
step 1 1.7235905336972022, step 99 0.010978370135492717. Our `nn.data.moons` draws with Python's
`random`, so it cannot give his points; `_numpy_make_moons` below is scikit-learn's make_moons
construction on numpy's global (legacy, stream-stable) generator, which is what his notebook
calls, and the sklearn test checks the two agree wherever scikit-learn is installed.
"""
import math
import random
import subprocess
import sys

import pytest

from micrograd import Value
from micrograd.gcpause import paused_gc
from micrograd.nn import MLP, Layer, Module, Neuron
import nn


# --- the API and its reprs --------------------------------------------------------------------
def test_reprs_are_karpathys():
    random.seed(0)
    assert repr(Neuron(2)) == "ReLUNeuron(2)"
    assert repr(Neuron(16, nonlin=False)) == "LinearNeuron(16)"
    assert repr(Layer(2, 3)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)]"
    assert repr(Layer(4, 1, nonlin=False)) == "Layer of [LinearNeuron(4)]"
    model = MLP(2, [16, 16, 1])
    relu2 = ", ".join(["ReLUNeuron(2)"] * 16)
    relu16 = ", ".join(["ReLUNeuron(16)"] * 16)
    assert repr(model) == (f"MLP of [Layer of [{relu2}], Layer of [{relu16}], "
                           f"Layer of [LinearNeuron(16)]]")
    assert len(model.parameters()) == 337


def test_layer_returns_a_bare_value_for_one_neuron_and_a_list_otherwise():
    random.seed(1)
    one = Layer(3, 1)([1.0, 2.0, 3.0])
    assert isinstance(one, Value)
    many = Layer(3, 2)([1.0, 2.0, 3.0])
    assert isinstance(many, list) and len(many) == 2
    score = MLP(2, [4, 1])([0.5, -1.0])
    assert isinstance(score, Value)
    assert isinstance(MLP(2, [4, 3])([0.5, -1.0]), list)
    # a one-neuron hidden layer hands a bare Value on; his MLP fails there, ours goes on
    assert isinstance(MLP(2, [1, 1, 2])([0.5, -1.0]), list)


def test_neuron_computes_b_plus_w_dot_x_left_to_right_with_relu_or_not():
    random.seed(2)
    n, lin = Neuron(3), Neuron(3, nonlin=False)
    for neuron in (n, lin):
        for wi, v in zip(neuron.w, (0.5, -2.0, 0.25)):
            wi.data = v
        neuron.b.data = 0.1
    x = [1.0, 1.0, 2.0]
    expect = ((0.1 + 0.5 * 1.0) + -2.0 * 1.0) + 0.25 * 2.0      # b + w0 x0 + w1 x1 + w2 x2
    assert lin(x).data == expect < 0
    assert n(x).data == 0.0                                     # relu of a negative sum
    assert n.nonlin is True and lin.nonlin is False
    assert n.parameters() == n.w + [n.b]


def test_module_zero_grad_and_parameters_are_his():
    assert Module is nn.Module
    assert Module().parameters() == []
    random.seed(3)
    model = MLP(3, [4, 1])
    model([1.0, 2.0, 3.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())
    order = [p for layer in model.layers for n in layer.neurons for p in n.w + [n.b]]
    assert [id(p) for p in model.parameters()] == [id(p) for p in order]


def test_weights_come_from_the_global_random_in_his_order():
    random.seed(1337)
    drawn = [random.uniform(-1, 1) for _ in range(2 * 16 + 16 * 16 + 16)]
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    weights = [p.data for layer in model.layers for n in layer.neurons for p in n.w]
    assert weights == drawn
    assert all(n.b.data == 0 for layer in model.layers for n in layer.neurons)
    # and the global generator moved on by exactly those draws
    random.seed(1337)
    for _ in drawn:
        random.random()
    after = random.random()
    random.seed(1337)
    MLP(2, [16, 16, 1])
    assert random.random() == after


@pytest.mark.parametrize("make,error,match", [
    (lambda: Neuron(2, nonlin="linear"), TypeError, "nonlin must be True .* or False"),
    (lambda: Neuron(2, nonlin=None), TypeError, "nonlin must be True"),
    (lambda: Layer(2, 3, nonlin=2), TypeError, "nonlin must be True"),
    (lambda: Layer(2, 3, activation="tanh"), TypeError, "unexpected keyword argument 'activation'"),
    (lambda: Neuron(0), ValueError, "nin must be a positive integer"),
    (lambda: Layer(2, 0), ValueError, "nout must be a positive integer"),
    (lambda: MLP(2, []), ValueError, "nouts must be a non-empty list"),
    (lambda: MLP(2, 16), ValueError, "nouts must be a non-empty list"),
])
def test_bad_construction_is_a_clear_error(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_wrong_input_length_is_an_error_not_a_shorter_zip():
    random.seed(4)
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        Neuron(3)([1.0, 2.0])
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        MLP(2, [4, 1])([1.0, 2.0, 3.0])


def test_saved_files_are_interchangeable_with_nn_mlp(tmp_path):
    random.seed(5)
    his = MLP(2, [4, 4, 1])
    path = tmp_path / "m.json"
    his.save(path)
    ours = nn.MLP(2, [4, 4, 1], seed=0).load(path)
    assert ours.state_dict() == his.state_dict()
    assert ours([0.3, -0.7])[0].data == his([0.3, -0.7]).data
    random.seed(6)
    back = MLP(2, [4, 4, 1])
    assert back.load(path) is back and back.state_dict() == his.state_dict()


def test_fit_trains_his_mlp_too():
    random.seed(7)
    model = MLP(2, [8, 1])
    X, y01 = nn.data.moons(40, noise=0.1, seed=0)
    y = [2 * t - 1 for t in y01]
    history = nn.fit(model, X, y, loss=nn.hinge, epochs=30, l2=1e-4, progress=False,
                     optimizer=nn.SGD(model.parameters(), lr=nn.linear_schedule(1.0, 0.1, 30)))
    assert history.final_loss < history.loss[0]
    assert nn.predict(model, X[:3]) == [[model(x).data] for x in X[:3]]


def test_import_micrograd_does_not_load_micrograd_nn():
    code = ("import sys, micrograd; print('micrograd.nn' in sys.modules, 'nn' in sys.modules); "
            "import micrograd.nn; print(micrograd.nn.MLP.__mro__[1].__module__)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False", "nn.layers"]


# --- his demo loop ------------------------------------------------------------------------------
def _demo_loop(model, X, y, steps):
    """karpathy's demo training loop, as in his notebook: losses per step and accuracies."""
    with paused_gc():       # these graphs hold no cycles: the collector would only cost time
        return _his_loop(model, X, y, steps)


def _his_loop(model, X, y, steps):
    trajectory = []
    for k in range(steps):
        # forward
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        # backward
        model.zero_grad()
        total_loss.backward()
        # update (sgd)
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        trajectory.append((total_loss.data, sum(accuracy) / len(accuracy)))
    return trajectory


def _numpy_make_moons(np, n_samples, noise):
    """scikit-learn's make_moons(n_samples, noise=noise) with random_state=None: numpy's global
    generator shuffles the points, then adds the noise."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - .5
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n_samples)
    np.random.shuffle(order)
    X, y = X[order], y[order]
    X += np.random.normal(scale=noise, size=X.shape)
    return X, y


PUBLISHED = {0: (0.8958441028683222, 0.5), 1: (1.7235905336972022, 0.81),
             99: (0.010978370135492717, 1.0)}


def test_his_demo_reproduces_his_published_loss_trajectory():
    np = pytest.importorskip("numpy")
    np.random.seed(1337)
    random.seed(1337)
    X, y = _numpy_make_moons(np, 100, 0.1)
    y = y * 2 - 1
    # his notebook's plot range, from the same points: a check on the data alone
    assert X[:, 1].min() - 1 == pytest.approx(-1.548639298268643, abs=1e-12)
    model = MLP(2, [16, 16, 1])
    trajectory = _demo_loop(model, X, y, 100)
    for k, (loss, acc) in PUBLISHED.items():
        assert trajectory[k][0] == pytest.approx(loss, abs=1e-9, rel=0), k
        assert trajectory[k][1] == acc, k


def test_our_make_moons_replica_is_sklearns():
    # the one test that needs scikit-learn: it pins _numpy_make_moons to the real thing
    np = pytest.importorskip("numpy")
    datasets = pytest.importorskip("sklearn.datasets")
    np.random.seed(1337)
    X, y = datasets.make_moons(n_samples=100, noise=0.1)
    np.random.seed(1337)
    X2, y2 = _numpy_make_moons(np, 100, 0.1)
    assert (X == X2).all() and (y == y2).all()


def _plain_float_demo(X, y, sizes, steps, seed):
    """His demo on plain floats, written out: uniform(-1, 1) weights from random.seed(seed),
    relu hidden layers, a linear output, loss = mean relu(1 - y s) + 1e-4 sum p**2, and its
    gradient by hand (summed over the samples in order, then the two halves of d(p*p)/dp)."""
    random.seed(seed)
    layers = [[[[random.uniform(-1, 1) for _ in range(sizes[i])], 0.0]
               for _ in range(sizes[i + 1])] for i in range(len(sizes) - 1)]
    params = lambda: [v for layer in layers for w, b in layer for v in w + [b]]
    start, losses, n = params(), [], len(X)
    for k in range(steps):
        # forward, keeping each sample's pre-activations and inputs per layer
        data_sum, tapes = 0, []
        for x, t in zip(X, y):
            acts, zs = [list(x)], []
            for li, layer in enumerate(layers):
                z = []
                for w, b in layer:
                    s = b
                    for wj, xj in zip(w, acts[-1]):
                        s = s + wj * xj
                    z.append(s)
                zs.append(z)
                acts.append(z if li == len(layers) - 1 else [max(v, 0.0) for v in z])
            margin = 1 + -t * acts[-1][0]
            data_sum = data_sum + max(margin, 0.0)
            tapes.append((acts, zs, t, margin))
        reg = 0
        for v in params():
            reg = reg + v * v
        losses.append(data_sum * (1.0 / n) + 1e-4 * reg)
        # backward
        gw = [[[0.0] * len(w) for w, _ in layer] for layer in layers]
        gb = [[0.0] * len(layer) for layer in layers]
        for acts, zs, t, margin in tapes:
            g_out = [-t * (1.0 / n if margin > 0 else 0.0)]
            for li in reversed(range(len(layers))):
                top = li == len(layers) - 1
                g_z = g_out if top else [g if z > 0 else 0.0 for g, z in zip(g_out, zs[li])]
                g_in = [0.0] * len(acts[li])
                for ni, (w, _) in enumerate(layers[li]):
                    gb[li][ni] += g_z[ni]
                    for j, wj in enumerate(w):
                        gw[li][ni][j] += acts[li][j] * g_z[ni]
                        g_in[j] += wj * g_z[ni]
                g_out = g_in
        # update
        lr = 1.0 - 0.9 * k / 100
        for li, layer in enumerate(layers):
            for ni, neuron in enumerate(layer):
                w, b = neuron
                for j, wj in enumerate(w):
                    w[j] = wj - lr * (gw[li][ni][j] + wj * 1e-4 + wj * 1e-4)
                neuron[1] = b - lr * (gb[li][ni] + b * 1e-4 + b * 1e-4)
    return start, losses, params()


def test_his_loop_on_our_data_is_bit_identical_to_plain_floats():
    # his setup on our moons: the first 30 of his 100 steps (lr 1.0 down to 0.739)
    X, y01 = nn.data.moons(100, noise=0.1, seed=1337)
    y = [2 * t - 1 for t in y01]
    start, losses, final = _plain_float_demo(X, y, [2, 16, 16, 1], 30, seed=1337)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    assert [p.data for p in model.parameters()] == start
    trajectory = _demo_loop(model, X, y, 30)
    assert [loss for loss, _ in trajectory] == losses          # every step, every bit
    assert [p.data for p in model.parameters()] == final
    assert losses[-1] < losses[0] / 3 and math.isfinite(losses[-1])
    assert len(set(losses)) == 30                               # it did move every step
