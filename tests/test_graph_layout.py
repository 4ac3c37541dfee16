"""draw_dot's layout for nn graphs: each neuron's nodes (w*x, sums, z, activation) in its cluster
and nothing else there (not the loss, targets, constants or an L2 term, whatever the loss);
z, h and o named without any .label being set; constants drawn as their value only; rankdir
chosen from the graph's shape; karpathy's format= and rankdir= arguments."""
import re
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("graphviz")
nn = pytest.importorskip("nn")

from micrograd import Value, backward_order, draw_dot  # noqa: E402
from micrograd import graph  # noqa: E402
from test_graph import neuron, no_system_dot  # noqa: E402,F401  (a fixture)


# --- a network whose nodes the test knows by identity -------------------------------------------

class Net:
    """nn.MLP's forward written out (b + w0*x0 + w1*x1 ..., then the activation), keeping every
    node a neuron makes, so the expected clusters come from the code, not from graph.py."""

    def __init__(self, sizes=(2, 1), activation="tanh", output_activation="tanh", seed=3):
        self.model = nn.MLP(2, list(sizes), activation=activation,
                            output_activation=output_activation, seed=seed)
        self.made = {}                  # node -> dotted neuron path
        self.z, self.out = [], []       # (node, path) per neuron call

    def __call__(self, x):
        for i, layer in enumerate(self.model.layers):
            ys = []
            for j, n in enumerate(layer.neurons):
                path = f"layers.{i}.neurons.{j}"
                act = n.b
                for w, xi in zip(n.w, x):
                    term = w * xi
                    act = act + term
                    self.made[term] = self.made[act] = path
                f = nn.ACTIVATIONS[n.activation]
                out = f(act)
                self.made[out] = path
                if out is not act:
                    self.z.append((act, path))
                self.out.append((out, path, i == len(self.model.layers) - 1))
                ys.append(out)
            x = ys
        return x


def clusters(src: str) -> dict[str, tuple[str, ...]]:
    """{node id: the cluster titles around it} from draw_dot's DOT source."""
    found, stack = {}, []
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("subgraph cluster_"):
            stack.append(None)
        elif stack and stack[-1] is None and s.startswith("color="):
            stack[-1] = re.search(r'label=("[^"]*"|\S+)', s).group(1).strip('"')
        elif s == "}" and stack:
            stack.pop()
        elif re.match(r"v\d+(op)? \[", s):
            found[s.split()[0]] = tuple(stack)
    return found


def node_line(src: str, i: int) -> str:
    return next(line for line in src.splitlines() if line.strip().startswith(f"v{i} ["))


def expected_path(path: str) -> tuple[str, ...]:
    layer, neuron_ = path.split(".neurons.")
    return (layer, f"neurons.{neuron_}")


def check_clusters(root, net, params=None, **kw):
    """Every node a neuron made, its operands' parameters and its op node: in that neuron's
    cluster; every other node: in none. Returns the source."""
    order = backward_order(root)
    src = draw_dot(root, max_nodes=None, params=params, **kw).source
    where = clusters(src)
    params_of = {p: ".".join(p.label.split(".")[:4]) for p in net.model.parameters()}
    for i, node in enumerate(order):
        path = net.made.get(node) or params_of.get(node)
        want = expected_path(path) if path else ()
        assert where[f"v{i}"] == want, (i, node, where[f"v{i}"], want)
        if node.children:
            assert where[f"v{i}op"] == want, (i, node)
    return src


def with_loss(loss_name, sizes=(2, 1), output_activation="tanh", batch=1, l2=0.0,
              activation="tanh"):
    net = Net(sizes, activation, output_activation)
    X = [[0.5, -1.0], [1.0, 2.0], [-0.3, 0.8]][:batch]
    total = 0.0
    for k, x in enumerate(X):
        out = net(x)
        if loss_name == "mse":
            total = total + nn.mse(out, [1.0] * len(out))
        elif loss_name == "sub_const":                 # (y - 0.5)**2: once pulled y's cluster
            total = total + (out[0] - 0.5) ** 2
        elif loss_name == "bce_logits":
            total = total + nn.binary_cross_entropy_with_logits(out, 1.0)
        elif loss_name == "hinge":
            total = total + nn.hinge(out, -1.0 if k % 2 else 1.0)
        elif loss_name == "cross_entropy":
            total = total + nn.cross_entropy(out, 1)
    if l2:
        total = total + l2 * sum(p * p for p in net.model.parameters())
    total.label = "loss"
    total.backward()
    return total, net


LOSSES = {
    "mse, MLP(2, [2, 1])": dict(loss_name="mse", sizes=(2, 1)),
    "(y - 0.5)**2, one neuron": dict(loss_name="sub_const", sizes=(1,)),
    "mse + L2 (p * p)": dict(loss_name="mse", sizes=(2, 1), l2=1e-4),
    "batch of 3 samples": dict(loss_name="mse", sizes=(2, 1), batch=3),
    "BCE with logits on a linear output (exp)": dict(loss_name="bce_logits", sizes=(2, 1),
                                                     output_activation="linear"),
    "hinge on a linear output (relu)": dict(loss_name="hinge", sizes=(3, 1), batch=2,
                                            output_activation="linear", activation="relu"),
    "cross-entropy over two outputs": dict(loss_name="cross_entropy", sizes=(2, 2),
                                           output_activation="linear", activation="sigmoid"),
}


@pytest.mark.parametrize("case", LOSSES.values(), ids=LOSSES.keys())
def test_each_neuron_cluster_holds_exactly_that_neurons_nodes(case):
    loss, net = with_loss(**case)
    src = check_clusters(loss, net)
    where = clusters(src)
    assert where["v0"] == () and where["v0op"] == ()            # the loss, whatever it is
    n_neurons = sum(len(layer.neurons) for layer in net.model.layers)
    assert src.count("subgraph cluster_") == n_neurons + len(net.model.layers)


def test_clusters_follow_a_module_passed_as_params():
    loss, net = with_loss("mse", sizes=(2, 1))
    check_clusters(loss, net, params=net.model)
    check_clusters(loss, net, params=net.model.parameters())


def test_l2_terms_and_other_uses_of_a_parameter_stay_outside():
    w = Value(0.5, "layers.0.neurons.0.w.0")
    b = Value(0.1, "layers.0.neurons.0.b")
    x = Value(2.0, "x")
    z = b + w * x
    h = z.tanh()
    reg = w * w + b ** 2 + w.abs() + w * b          # no w*x shape: not the neuron's
    loss = h + 0.01 * reg
    src = draw_dot(loss).source
    where = clusters(src)
    order = backward_order(loss)
    inside = {i for i, n in enumerate(order) if where[f"v{i}"]}
    assert inside == {order.index(n) for n in (w, b, z, z.children[1], h)}


# --- names --------------------------------------------------------------------------------------

def test_z_h_o_are_named_in_the_drawing_and_no_label_is_set():
    loss, net = with_loss("mse", sizes=(2, 1))
    order = backward_order(loss)
    before = [(n.label, n.data, n.grad) for n in order]
    src = draw_dot(loss).source
    assert [(n.label, n.data, n.grad) for n in order] == before     # draw_dot changed nothing
    for z, _ in net.z:
        assert node_line(src, order.index(z)).count("{ z | data") == 1
    for out, path, last in net.out:
        line = node_line(src, order.index(out))
        assert f'{{ {"o" if last else "h"} | data' in line
        assert f'tooltip="{path}.{"o" if last else "h"}"' in line   # the whole path on hover
    # parameters: w.0 and b inside their neuron's box, the whole name in the tooltip
    w = net.model.layers[0].neurons[1].w[0]
    line = node_line(src, order.index(w))
    assert "{ w.0 | data" in line and 'tooltip="parameter layers.0.neurons.1.w.0"' in line


def test_without_their_cluster_names_carry_the_whole_path():
    loss, net = with_loss("mse", sizes=(2, 1))
    order = backward_order(loss)
    for kw in (dict(cluster=False), dict(cluster=lambda n: None),
               dict(cluster=lambda n: "all" if n.children else None)):
        src = draw_dot(loss, **kw).source
        (z, path), (out, opath, _) = net.z[0], net.out[0]
        assert f"{{ {path}.z | data" in node_line(src, order.index(z))
        assert f"{{ {opath}.h | data" in node_line(src, order.index(out))
        w = net.model.layers[1].neurons[0].b
        assert "{ layers.1.neurons.0.b | data" in node_line(src, order.index(w))


def test_user_labels_win_and_a_linear_output_is_o():
    loss, net = with_loss("bce_logits", sizes=(2, 1), output_activation="linear")
    order = backward_order(loss)
    out, _, last = net.out[-1]
    assert last and out.op == "+"                          # a linear neuron: its sum is o
    src = draw_dot(loss).source
    assert "{ o | data" in node_line(src, order.index(out))
    (h, _, _) = net.out[0]
    h.label = "my hidden"
    out.label = "logit"
    src = draw_dot(loss).source
    assert "{ my hidden | data" in node_line(src, order.index(h))
    assert "{ logit | data" in node_line(src, order.index(out))
    assert (h.label, out.label) == ("my hidden", "logit")


def test_graphs_without_nn_names_get_no_names():
    out, v = neuron()                                      # karpathy's neuron: w1, w2, b
    src = draw_dot(out, params=[v["w1"], v["w2"], v["b"]]).source
    assert "subgraph cluster_" not in src
    assert "{ z |" not in src and "{ h |" not in src and "{ o |" not in src


# --- constants ----------------------------------------------------------------------------------

CONSTANTS = [(0.5, "0.5"), (2.0, "2"), (-1.0, "-1"), (1e-7, "1e-07"), (0.1 + 0.2, "0.3000"),
             (123456.789, "123456.789"), (2.5e12, "2.5000e+12")]


@pytest.mark.parametrize("c, shown", CONSTANTS)
def test_constants_show_their_value_only(c, shown, no_system_dot):
    x = Value(3.0, "x")
    f = x * c + x
    f.label = "f"
    f.backward()
    dot = draw_dot(f)
    const = next(line for line in dot.source.splitlines() if "shape=box" in line)
    assert re.search(rf'label="?{re.escape(shown)}"? ', const), const
    assert "grad" not in const and "data" not in const and "const" not in const
    texts = ["".join(t.itertext()) for t in
             ET.fromstring(dot.pipe(encoding="utf-8")).iter("{http://www.w3.org/2000/svg}text")]
    assert shown in texts and "data 3.0000" in texts


def test_leaves_that_are_not_constants_keep_their_gradient():
    x = Value(3.0, "x")
    lone = Value(2.0)                                      # an unlabelled root: its own record
    assert "{ data 2.0000 | grad 0.0000 }" in draw_dot(lone).source
    f = x * 2.0
    src = draw_dot(f, params=[f.children[1]]).source       # a parameter without a name
    assert src.count("shape=box") == 0 and src.count("grad") == 3


# --- rankdir and format -------------------------------------------------------------------------

def rankdir_of(dot) -> str:
    return re.search(r"rankdir=(\w+)", dot.source).group(1)


def chain(n):
    x = Value(0.5, "x")
    for _ in range(n):
        x = (x * 0.9).tanh()
    return x


def test_rankdir_is_lr_for_chains_and_tb_for_broad_graphs():
    out, _ = neuron()
    assert rankdir_of(draw_dot(out)) == "LR"                 # karpathy's neuron, as he drew it
    assert rankdir_of(draw_dot(chain(100))) == "LR"          # however long
    assert rankdir_of(draw_dot(Value(1.0))) == "LR"          # one node
    loss, _ = with_loss("mse", sizes=(2, 1))
    assert rankdir_of(draw_dot(loss)) == "TB"                # an MLP with its loss
    xs = [Value(0.5, "x0"), Value(-1.0, "x1")]
    layer = [(Value(0.1 * j, f"w{j}0") * xs[0] + Value(0.2, f"w{j}1") * xs[1]).tanh()
             for j in range(3)]
    assert rankdir_of(draw_dot(layer[0] + layer[1] + layer[2])) == "TB"    # a layer
    long_sum = sum(Value(float(i), f"x{i}") * Value(1.0, f"w{i}") for i in range(6))
    assert rankdir_of(draw_dot(long_sum)) == "LR"            # one neuron's sum is a chain
    # the rule: at most CHAIN_BREADTH (4) values at one distance from the root is a chain
    assert graph.CHAIN_BREADTH == 4
    for n, want in ((4, "LR"), (8, "TB")):
        level = [Value(float(i), f"a{i}") for i in range(n)]   # n leaves side by side
        while len(level) > 1:
            level = [level[i] * level[i + 1] for i in range(0, len(level), 2)]
        assert rankdir_of(draw_dot(level[0])) == want
    # the caller's choice wins, positionally as karpathy's draw_dot takes it too
    for rd in ("LR", "RL", "TB", "BT"):
        assert rankdir_of(draw_dot(loss, rankdir=rd)) == rd
        assert rankdir_of(draw_dot(loss, "svg", rd)) == rd
    for bad in ("lr", "XY", "", 1, "LR; x"):
        with pytest.raises(ValueError, match=r"draw_dot: rankdir must be LR, RL, TB, BT or None"):
            draw_dot(out, rankdir=bad)


def _size(svg: str) -> tuple[float, float]:
    m = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(m.group(1)), float(m.group(2))


def test_an_mlp_with_its_loss_is_drawn_narrow(no_system_dot):
    loss, _ = with_loss("mse", sizes=(2, 1))
    auto_w, _ = _size(draw_dot(loss).pipe(encoding="utf-8"))
    lr_w, _ = _size(draw_dot(loss, rankdir="LR").pipe(encoding="utf-8"))
    assert auto_w * 3 < lr_w                                 # 995 pt against 4,650 pt
    assert auto_w < 1200


def test_format_is_the_draws_and_render_uses_it(no_system_dot, monkeypatch):
    monkeypatch.chdir(no_system_dot)
    out, _ = neuron()
    dot = draw_dot(out)
    assert dot.format == "svg"
    assert dot.render("gout") == "gout.svg"                  # karpathy's call
    assert open("gout").read() == dot.source and b"<svg" in open("gout.svg", "rb").read()
    png = draw_dot(out, format="png")
    assert png.render("g") == "g.png" and open("g.png", "rb").read(4) == b"\x89PNG"
    assert png.pipe()[:4] == b"\x89PNG"
    assert "<svg" in png._repr_mimebundle_()["image/svg+xml"]    # Jupyter still gets SVG
    assert draw_dot(out, "png", "TB").format == "png"          # karpathy's positional order
    for bad in ("pdff", "", None, "svg -o x", 3):
        with pytest.raises(ValueError, match=r"draw_dot: unknown format"):
            draw_dot(out, format=bad)


def test_every_feature_together_renders(no_system_dot):
    loss, net = with_loss("mse", sizes=(2, 2, 1), batch=2, l2=1e-3)
    w = net.model.layers[0].neurons[0].w[1]
    steps = len(backward_order(loss))
    for kw in (dict(highlight=w, step=steps // 2, digits=2), dict(highlight=w.label),
               dict(step=0, cluster=False), dict(params=net.model, step=steps)):
        dot = draw_dot(loss, max_nodes=None, **kw)
        svg = dot.pipe(encoding="utf-8")
        assert ET.fromstring(svg).tag.endswith("svg")
        assert svg.count('class="node"') == len(clusters(dot.source))   # every node drawn
    with pytest.raises(graph.GraphTooLarge):
        draw_dot(loss, max_nodes=50)


def test_karpathys_video_network_and_loss():
    knn = pytest.importorskip("micrograd.nn")
    import random
    random.seed(1337)
    n = knn.MLP(3, [4, 4, 1])                                 # relu hidden, a linear output
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    loss.backward()
    order = backward_order(loss)
    dot = draw_dot(loss)                                      # 394 values: under max_nodes
    src = dot.source
    assert rankdir_of(dot) == "TB" and src.count("subgraph cluster_") == 3 + 4 + 4 + 1
    # per sample: 8 hidden neurons (z and h) and one linear output (o)
    assert src.count("{ z | data") == 32 and src.count("{ h | data") == 32
    assert src.count("{ o | data") == 4
    where = clusters(src)
    outputs, above = set(ypred), set()                        # above: the loss's nodes
    for node in reversed(order):
        if any(k in outputs or k in above for k in node.children):
            above.add(node)
    assert len(above) == 4 * 3                                # (y - t), **2, + per sample
    for i, node in enumerate(order):
        if node in above:
            assert where[f"v{i}"] == () and where[f"v{i}op"] == (), (i, node)
    for out in ypred:
        assert where[f"v{order.index(out)}"] == ("layers.2", "neurons.0")
