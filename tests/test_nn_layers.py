"""Neuron, Layer, MLP: parameters and names, initialisation, gradients against the documents'
closed forms, PyTorch, and the worked 2-2-2 example of 003_d77308b932c75427.txt."""
import math
import random

import pytest

from micrograd import Value, gradcheck
from nn import MLP, SGD, Layer, Neuron, mse


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


# --- structure, names, order --------------------------------------------------------------------
def test_parameter_order_and_dotted_names_match_karpathy_layout():
    model = MLP(3, [4, 2], seed=0)
    names = [n for n, _ in model.named_parameters()]
    expect = []
    for i, (nin, nout) in enumerate([(3, 4), (4, 2)]):
        for k in range(nout):
            expect += [f"layers.{i}.neurons.{k}.w.{j}" for j in range(nin)]
            expect.append(f"layers.{i}.neurons.{k}.b")
    assert names == expect
    # layer by layer, neuron by neuron, weights then bias
    flat = [p for layer in model.layers for n in layer.neurons for p in n.w + [n.b]]
    assert [id(p) for p in model.parameters()] == [id(p) for p in flat]
    assert all(p.label == n for n, p in model.named_parameters())    # labels are the names
    assert model.layers[1].neurons[0].b.label == "layers.1.neurons.0.b"


def test_layer_and_mlp_always_return_lists_even_for_one_neuron():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)
    model = MLP(2, [16, 1, 1], seed=0)      # a one-neuron hidden layer in the middle
    out = model([0.5, -0.5])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    out[0].backward()
    assert len(model.parameters()) == 16 * 3 + 17 + 2


def test_activations_are_applied_hidden_and_output():
    model = MLP(1, [1, 1], activation="tanh", output_activation="sigmoid", seed=0)
    n0, n1 = model.layers[0].neurons[0], model.layers[1].neurons[0]
    n0.w[0].data, n0.b.data, n1.w[0].data, n1.b.data = 0.7, -0.2, 1.5, 0.1
    h = math.tanh(0.7 * 2.0 - 0.2)
    assert model([2.0])[0].data == pytest.approx(sig(1.5 * h + 0.1), rel=1e-15)
    relu = Neuron(2, activation="relu", seed=0)
    relu.w[0].data, relu.w[1].data = 1.0, 1.0
    assert relu([-3.0, 1.0]).data == 0.0
    linear = Neuron(2, activation="linear", seed=0)
    linear.w[0].data, linear.w[1].data, linear.b.data = 2.0, -1.0, 0.5
    assert linear([-3.0, 1.0]).data == -6.5


def test_seeded_init_is_reproducible_and_schemes_have_their_ranges():
    a, b, c = MLP(4, [8, 3], seed=7), MLP(4, [8, 3], seed=7), MLP(4, [8, 3], seed=8)
    assert a.state_dict() == b.state_dict() != c.state_dict()
    weights = lambda m: [p.data for n, p in m.named_parameters() if not n.endswith(".b")]
    assert all(p.data == 0.0 for n, p in a.named_parameters() if n.endswith(".b"))
    assert all(-1 <= w <= 1 for w in weights(a))
    rand = MLP(4, [50, 3], init="rand", seed=1)
    assert all(0 <= w < 1 for w in weights(rand))
    normal = MLP(400, [50], init="normal", seed=1)          # std = 400 ** -0.5 = 0.05
    ws = weights(normal)
    std = math.sqrt(sum(w * w for w in ws) / len(ws))
    assert std == pytest.approx(0.05, rel=0.02)


def test_uniform_init_draws_the_same_numbers_as_karpathy_micrograd():
    # karpathy: random.seed(s); MLP(...) draws random.uniform(-1, 1) per weight, in this order
    random.seed(1337)
    karpathy = [random.uniform(-1, 1) for _ in range(2 * 16 + 16 * 16 + 16)]
    ours = [p.data for n, p in MLP(2, [16, 16, 1], seed=1337).named_parameters()
            if not n.endswith(".b")]
    assert ours == karpathy


def test_unseeded_models_draw_from_the_global_random_so_random_seed_works():
    random.seed(42)
    drawn = [random.uniform(-1, 1) for _ in range(3 * 5 + 5 * 2)]
    after = random.random()
    random.seed(42)
    model = MLP(3, [5, 2])
    assert [p.data for n, p in model.named_parameters() if not n.endswith(".b")] == drawn
    assert random.random() == after                     # it advanced the global generator
    random.seed(42)
    assert Layer(3, 5).state_dict() == {n[len("layers.0."):]: v for n, v in
                                        model.state_dict().items() if n.startswith("layers.0.")}
    random.seed(42)
    assert [p.data for p in Neuron(3).w] == drawn[:3]
    random.seed(42)
    normal = MLP(4, [3], init="normal")                 # every scheme, not just uniform
    random.seed(42)
    assert normal.state_dict() == MLP(4, [3], init="normal").state_dict()


def test_a_seed_or_rng_leaves_the_global_random_alone():
    random.seed(7)
    state = random.getstate()
    a = MLP(3, [5, 2], seed=1)
    b = MLP(3, [5, 2], rng=random.Random(1))
    assert random.getstate() == state
    assert a.state_dict() == b.state_dict()
    random.seed(1)
    assert MLP(3, [5, 2]).state_dict() == a.state_dict()  # seed=s draws as random.seed(s)
    random.seed(2)
    assert MLP(3, [5, 2]).state_dict() != a.state_dict()
    with pytest.raises(ValueError, match="give seed or rng, not both"):
        MLP(3, [5, 2], seed=1, rng=random.Random(1))


@pytest.mark.parametrize("make,match", [
    (lambda: MLP(2, [3], activation="softplus"), "activation 'softplus' is not one of"),
    (lambda: MLP(2, [3], output_activation="step"), "activation 'step' is not one of"),
    (lambda: MLP(2, [3], init="xavier"), "init 'xavier' is not one of"),
    (lambda: MLP(0, [3]), "nin must be a positive integer"),
    (lambda: MLP(2, []), "non-empty list"),
    (lambda: MLP(2, 3), "non-empty list"),
    (lambda: MLP(2, [3, 0]), "layer size must be a positive integer"),
    (lambda: Neuron(2, seed=1, rng=random.Random(1)), "seed or rng"),
])
def test_bad_construction_is_a_clear_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrong_input_length_is_a_clear_error():
    with pytest.raises(ValueError, match="Neuron: expected 2 inputs, got 3"):
        MLP(2, [3], seed=0)([1.0, 2.0, 3.0])


def test_zero_grad():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -1.0])[0].backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- gradients against the documents' closed forms ----------------------------------------------
def test_sigmoid_neuron_gradient_is_o_minus_t_o_one_minus_o_x():
    # 000_8495f74e1b111f69.txt: dL/dw_j1 = (o - t) o (1 - o) x_j for L = 1/2 (o - t)^2
    x, t = [0.5, -1.5, 2.0], 0.25
    n = Neuron(3, activation="sigmoid", seed=3)
    o = n(x)
    mse([o], t).backward()
    z = n.b.data + sum(w.data * xj for w, xj in zip(n.w, x))
    assert o.data == pytest.approx(sig(z), rel=1e-15)
    delta = (o.data - t) * o.data * (1 - o.data)
    for w, xj in zip(n.w, x):
        assert w.grad == pytest.approx(delta * xj, rel=1e-13)
    assert n.b.grad == pytest.approx(delta, rel=1e-13)


def test_sigmoid_layer_gradient_is_delta_k_x_j():
    # dL/dw_jk = delta_k x_j with delta_k = (o_k - t_k) o_k (1 - o_k)
    x, t = [0.3, -0.8, 1.1, 0.05], [0.9, 0.1, 0.5]
    layer = Layer(4, 3, activation="sigmoid", seed=4)
    out = layer(x)
    mse(out, t).backward()
    for k, neuron in enumerate(layer.neurons):
        o = out[k].data
        delta_k = (o - t[k]) * o * (1 - o)
        for j, w in enumerate(neuron.w):
            assert w.grad == pytest.approx(delta_k * x[j], rel=1e-13)


def test_mlp_gradients_match_central_differences():
    model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=5)
    named = model.named_parameters()

    def loss(*ps):
        # put gradcheck's leaves in as the parameters, then run the real forward pass
        it = iter(ps)
        for layer in model.layers:
            for n in layer.neurons:
                n.w = [next(it) for _ in n.w]
                n.b = next(it)
        return mse(model([0.4, -0.7]), [0.2, 0.9])

    report = gradcheck(loss, [Value(p.data, name) for name, p in named])
    assert report, str(report)
    assert len(report.rows) == 2 * 3 + 3 + 3 * 2 + 2


def test_mlp_forward_and_backward_match_pytorch_float64():
    torch = pytest.importorskip("torch")
    model = MLP(3, [5, 4, 2], activation="relu", output_activation="linear", seed=11)
    x, target = [0.5, -1.25, 2.0], 1
    from nn import cross_entropy
    L = cross_entropy(model(x), target)
    L.backward()

    h = torch.tensor(x, dtype=torch.float64)
    tensors = []
    for i, layer in enumerate(model.layers):
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        tensors.append((W, b))
        h = W @ h + b
        if i < len(model.layers) - 1:
            h = torch.relu(h)
    T = torch.nn.functional.cross_entropy(h[None], torch.tensor([target]))
    T.backward()
    assert L.data == pytest.approx(T.item(), rel=1e-12)
    for layer, (W, b) in zip(model.layers, tensors):
        for k, n in enumerate(layer.neurons):
            assert [w.grad for w in n.w] == pytest.approx(W.grad[k].tolist(), rel=1e-10, abs=1e-14)
            assert n.b.grad == pytest.approx(b.grad[k].item(), rel=1e-10, abs=1e-14)


# --- the worked 2-2-2 example of 003_d77308b932c75427.txt ---------------------------------------
# From its code: inputs [0.1, 0.05], targets [0.02, 0.98],
#   weights_input_hidden  = [[0.25, 0.2], [0.5, 0.15]]   (row = input, column = hidden neuron)
#   weights_hidden_output = [[0.7, 0.4], [0.6, 0.35]]    (row = hidden, column = output neuron)
#   bias_hidden = 0.3 and bias_output = 0.9, one bias shared by each layer's two neurons.
# In the slides' names: in_h1 = W1 i1 + W3 i2 + b1, in_h2 = W2 i1 + W4 i2 + b1,
# in_o1 = W5 h1 + W7 h2 + b2, in_o2 = W6 h1 + W8 h2 + b2, so
# W1..W8 = 0.25, 0.2, 0.5, 0.15, 0.7, 0.4, 0.6, 0.35 and b1, b2 = 0.3, 0.9.
X_DOC, T_DOC = [0.1, 0.05], [0.02, 0.98]
W_IH = [[0.25, 0.2], [0.5, 0.15]]
W_HO = [[0.7, 0.4], [0.6, 0.35]]
B_H, B_O = 0.3, 0.9


def doc_model():
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    for layer, W, b in ((model.layers[0], W_IH, B_H), (model.layers[1], W_HO, B_O)):
        for k, neuron in enumerate(layer.neurons):
            for j in range(2):
                neuron.w[j].data = W[j][k]      # column k of the document's matrix
            neuron.b.data = b
    return model


def hand_forward():
    """The forward pass in plain float64, written out as the slides do."""
    i1, i2 = X_DOC
    w1, w2, w3, w4 = W_IH[0][0], W_IH[0][1], W_IH[1][0], W_IH[1][1]
    w5, w6, w7, w8 = W_HO[0][0], W_HO[0][1], W_HO[1][0], W_HO[1][1]
    r = {}
    r["in_h1"] = w1 * i1 + w3 * i2 + B_H
    r["in_h2"] = w2 * i1 + w4 * i2 + B_H
    r["out_h1"] = 1 / (1 + math.exp(-r["in_h1"]))
    r["out_h2"] = 1 / (1 + math.exp(-r["in_h2"]))
    r["in_o1"] = w5 * r["out_h1"] + w7 * r["out_h2"] + B_O
    r["in_o2"] = w6 * r["out_h1"] + w8 * r["out_h2"] + B_O
    r["out_o1"] = 1 / (1 + math.exp(-r["in_o1"]))
    r["out_o2"] = 1 / (1 + math.exp(-r["in_o2"]))
    r["E_o1"] = 0.5 * (T_DOC[0] - r["out_o1"]) ** 2
    r["E_o2"] = 0.5 * (T_DOC[1] - r["out_o2"]) ** 2
    r["E_total"] = r["E_o1"] + r["E_o2"]
    return r


def test_worked_example_forward_matches_our_hand_computation():
    model, r = doc_model(), hand_forward()
    h = model.layers[0](X_DOC)
    o = model.layers[1](h)
    assert [v.data for v in h] == pytest.approx([r["out_h1"], r["out_h2"]], rel=1e-15)
    assert [v.data for v in o] == pytest.approx([r["out_o1"], r["out_o2"]], rel=1e-15)
    # the pre-activations are the sigmoids' operands in the graph
    assert [v.children[0].data for v in h] == pytest.approx([r["in_h1"], r["in_h2"]], rel=1e-15)
    assert [v.children[0].data for v in o] == pytest.approx([r["in_o1"], r["in_o2"]], rel=1e-15)
    E = mse(model(X_DOC), T_DOC)
    assert E.data == pytest.approx(r["E_total"], rel=1e-15)


def engine_forward():
    """The same quantities read off the graph the MLP builds with the document's weights."""
    model = doc_model()
    h = model.layers[0](X_DOC)
    o = model.layers[1](h)
    e = {f"E_o{k + 1}": mse([o[k]], [T_DOC[k]]).data for k in range(2)}
    return {"in_h1": h[0].children[0].data, "in_h2": h[1].children[0].data,
            "out_h1": h[0].data, "out_h2": h[1].data,
            "in_o1": o[0].children[0].data, "in_o2": o[1].children[0].data,
            "out_o1": o[0].data, "out_o2": o[1].data,
            **e, "E_total": mse(o, T_DOC).data}


def agrees(ours, printed):
    """ours rounds to the document's printed number at the number of decimals it prints
    (half-way counts as agreeing: 0.56275 prints as 0.5628 by hand, 0.5627 by float round)."""
    half = 0.5 * 10.0 ** -len(repr(printed).partition(".")[2])
    return abs(ours - printed) <= half * (1 + 1e-9)


def test_worked_example_where_the_slides_agree_and_where_they_do_not():
    # the engine against the independent float64 hand computation
    ours, hand = engine_forward(), hand_forward()
    assert ours.keys() == hand.keys()
    for k in hand:
        assert ours[k] == pytest.approx(hand[k], rel=1e-15), k
    # The slides' printed numbers. Their first four follow from the code's weights; from
    # in_o1 on they do not (in_h2's formula even writes W2 = 0.25, but 0.3275 needs 0.2).
    printed = {"in_h1": 0.35, "in_h2": 0.3275, "out_h1": 0.5866, "out_h2": 0.5812,
               "in_o1": 1.345, "in_o2": 1.1546, "out_o1": 0.7927, "out_o2": 0.7927,
               "E_o1": 0.2985, "E_o2": 0.0241, "E_total": 0.3226}
    agree = {k for k, v in printed.items() if agrees(ours[k], v)}
    assert agree == {"in_h1", "in_h2", "out_h1", "out_h2"}
    assert agrees(ours["in_h1"], 0.35) and not agrees(ours["in_o1"], 1.345)
    # the slides' W2 = 0.25 in in_h2's formula would not give their 0.3275
    assert not agrees(0.25 * X_DOC[0] + W_IH[1][1] * X_DOC[1] + B_H, 0.3275)


def test_worked_example_gradients_and_update_match_the_document_code():
    # the document's code: output_delta = (t - o) o (1 - o), hidden_delta = (output_delta .
    # W_ho^T) h (1 - h), W += lr * outer(...). Its sign is descent for L = 1/2 sum (t - o)^2,
    # so our gradients are minus its deltas times the inputs. (It never updates the biases.)
    model, r = doc_model(), hand_forward()
    E = mse(model(X_DOC), T_DOC)
    E.backward()
    h = [r["out_h1"], r["out_h2"]]
    o = [r["out_o1"], r["out_o2"]]
    out_delta = [(T_DOC[k] - o[k]) * o[k] * (1 - o[k]) for k in range(2)]
    hid_delta = [sum(out_delta[k] * W_HO[j][k] for k in range(2)) * h[j] * (1 - h[j])
                 for j in range(2)]
    for k, n in enumerate(model.layers[1].neurons):
        for j in range(2):
            assert n.w[j].grad == pytest.approx(-h[j] * out_delta[k], rel=1e-13)
        assert n.b.grad == pytest.approx(-out_delta[k], rel=1e-13)
    for k, n in enumerate(model.layers[0].neurons):
        for j in range(2):
            assert n.w[j].grad == pytest.approx(-X_DOC[j] * hid_delta[k], rel=1e-13)

    # dE/dW7 (hidden 2 -> output 1) by the slides' chain rule, (out_o1 - t1) out_o1 (1 - out_o1)
    # out_h2, and one step of W7 -= 0.5 dE/dW7, the engine's against the hand computation
    w7 = model.layers[1].neurons[0].w[1]
    assert w7.data == W_HO[1][0]
    dw7 = (o[0] - T_DOC[0]) * o[0] * (1 - o[0]) * h[1]
    assert w7.grad == pytest.approx(dw7, rel=1e-13)
    lr = 0.5
    SGD([w7], lr=lr).step()
    assert w7.data == pytest.approx(W_HO[1][0] - lr * dw7, rel=1e-13)
    # the slides print dE/dW7 = 0.0745 and W7_new = 0.5628: their update follows from their
    # gradient (0.6 - 0.5 * 0.0745), but the gradient is not what their network gives
    assert agrees(W_HO[1][0] - lr * 0.0745, 0.5628)
    assert not agrees(w7.grad, 0.0745) and not agrees(w7.data, 0.5628)
