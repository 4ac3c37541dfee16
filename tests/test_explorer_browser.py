"""micrograd.to_html in headless Chromium: the page opens from file:// (and inside Jupyter's
sandboxed iframe), and stepping shows exactly backward_steps' gradients at every step.

The `page` fixture (tests/conftest.py) fails a test on any console error, page error or network
request; without a browser these tests skip, except under CI."""
import io

import pytest
from conftest import keep_screenshot

pytest.importorskip("graphviz")

from micrograd import backward_order, backward_steps, explain, to_html  # noqa: E402
from micrograd.names import Namer, format_number  # noqa: E402
from test_explorer import (expected_states, leaf_root, mlp_loss, tanh_neuron,  # noqa: E402
                           used_twice)

GRAPHS = {"tanh(w*x + b)": tanh_neuron, "x*x + x": used_twice,
          "MLP(2, [3, 1]) with mse": mlp_loss}
NODE = '[data-testid="value-node"]'


def open_explorer(page, root, tmp_path):
    """Write root's explorer page and load it from file://."""
    path = tmp_path / "explorer.html"
    to_html(root, path)
    page.goto(path.as_uri())
    return path


def shown_grads(page) -> list[str]:
    """data-grad of every value node, in backward_order (draw_dot's v0, v1, ...)."""
    pairs = page.eval_on_selector_all(
        NODE, "els => els.map(e => [e.querySelector('title').textContent, e.dataset.grad])")
    grads = dict(pairs)
    assert len(grads) == len(pairs)             # one value-node per value node
    return [grads[f"v{i}"] for i in range(len(pairs))]


def click(page, name: str) -> None:
    page.click(f'[data-testid="step-{name}"]')


def step_index(page) -> str:
    return page.text_content('[data-testid="step-index"]')


def disabled(page) -> dict[str, bool]:
    return {name: page.is_disabled(f'[data-testid="step-{name}"]')
            for name in ("first", "prev", "next", "last")}


@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_every_step_shows_backward_steps_gradients(page, tmp_path, build):
    open_explorer(page, build(), tmp_path)
    states = expected_states(build())           # a fresh, identical graph
    last = len(states) - 1
    assert page.locator(NODE).count() == len(states[0])
    assert shown_grads(page) == states[0] and step_index(page) == "0"
    assert disabled(page) == {"first": True, "prev": True, "next": False, "last": False}
    for k in range(1, last + 1):                # forward, one node at a time
        click(page, "next")
        assert step_index(page) == str(k)
        assert shown_grads(page) == states[k], f"step {k}"
    assert disabled(page) == {"first": False, "prev": False, "next": True, "last": True}
    for k in range(last - 1, max(last - 4, 0), -1):     # and back, to step 1 at most
        click(page, "prev")
        assert step_index(page) == str(k) and shown_grads(page) == states[k]
    click(page, "first")
    assert step_index(page) == "0" and shown_grads(page) == states[0]
    click(page, "last")
    assert step_index(page) == str(last) and shown_grads(page) == states[last]


def test_nodes_not_reached_yet_look_unreached_and_show_no_gradient(page, tmp_path):
    open_explorer(page, tanh_neuron(), tmp_path)
    faded = page.eval_on_selector_all(NODE, "els => els.map(e => [e.dataset.label, "
                                            "e.classList.contains('mg-unreached'), "
                                            "e.querySelectorAll('text')[e.querySelectorAll("
                                            "'text').length - 1].textContent])")
    assert faded == [["f", False, "grad 1.0000"]] + [[label, True, "grad \u2014"]
                                                     for label in ["w*x + b", "w*x", "b", "w",
                                                                   "x"]]
    click(page, "last")
    assert page.locator(f"{NODE}.mg-unreached").count() == 0
    assert page.text_content(f'{NODE}[data-label="w"] text:last-of-type') == "grad 0.4805"


def test_the_arrow_keys_step_too(page, tmp_path):
    open_explorer(page, tanh_neuron(), tmp_path)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert step_index(page) == "2"
    page.keyboard.press("ArrowLeft")
    assert step_index(page) == "1"
    page.keyboard.press("End")
    assert step_index(page) == "6"
    page.keyboard.press("Home")
    assert step_index(page) == "0"


@pytest.mark.parametrize("build", [tanh_neuron, mlp_loss], ids=["tanh(w*x + b)", "MLP"])
def test_each_edge_used_is_captioned_local_times_upstream_equals_contribution(page, tmp_path,
                                                                            build):
    open_explorer(page, build(), tmp_path)
    for step in backward_steps(build()):
        click(page, "next")
        captions = page.locator('[data-testid="edge-caption"]').all_text_contents()
        drawn = page.locator("g.mg-sending text").all_text_contents()   # on the edges too
        expected = [f"{format_number(c.local)} × {format_number(step.grad)} = "
                    f"{format_number(c.amount)}" for c in step.contributions]
        assert len(captions) == len(expected), f"step {step.index}"
        for caption, math in zip(captions, expected):
            assert math in caption
        assert sorted(drawn) == sorted("\u00a0" + e for e in expected)   # the drawing's pad
    if build is tanh_neuron:                    # the CLI's example, by hand: 1 - tanh² = 0.9610
        click(page, "first")
        click(page, "next")
        assert page.text_content('[data-testid="edge-caption"]').startswith(
            "w*x + b += 0.9610 × 1.0000 = 0.9610")


@pytest.mark.parametrize("build, labels", [
    (tanh_neuron, ["f", "w*x + b", "w*x", "b", "w", "x"]),
    (mlp_loss, ["loss", "layers.0.neurons.1.w.0", "layers.1.neurons.0.b"]),
], ids=["tanh(w*x + b)", "MLP"])
def test_clicking_a_value_node_shows_its_chain_rule(page, tmp_path, build, labels):
    root = build()
    order = backward_order(root)
    namer = Namer(order, root)                  # data-label: a label, else explain's name
    open_explorer(page, root, tmp_path)
    text = page.locator('[data-testid="explain-text"]')
    for label in labels:
        (node,) = [n for n in order if namer[n] == label]
        page.click(f'{NODE}[data-label="{label}"]')
        assert text.text_content() == str(explain(root, node))
    click(page, "next")                         # stepping leaves the explanation alone
    assert text.text_content() == str(explain(root, node))


def test_the_page_is_not_blank(page, tmp_path):
    imread = pytest.importorskip("matplotlib.image").imread
    open_explorer(page, mlp_loss(), tmp_path)
    click(page, "next")
    png = page.screenshot(full_page=True)
    keep_screenshot(png, "explorer.png")
    picture = imread(io.BytesIO(png), format="png")
    pixels = picture.reshape(-1, picture.shape[-1])
    colours = {tuple(p) for p in pixels[:: max(1, len(pixels) // 200_000)]}
    assert len(colours) > 50                    # a drawing, text and highlights, not one colour
    assert (pixels[:, :3] < 0.5).mean() > 0.001     # some dark ink: lines and text


def test_it_works_inside_jupyters_sandboxed_iframe(page):
    root = tanh_neuron()
    page.set_content(to_html(root)._repr_html_())
    frame = page.frame_locator("iframe")
    states = expected_states(tanh_neuron())
    frame.locator('[data-testid="step-next"]').click()
    assert frame.locator('[data-testid="step-index"]').text_content() == "1"
    grads = frame.locator(NODE).evaluate_all(
        "els => els.map(e => [e.querySelector('title').textContent, e.dataset.grad])")
    assert [dict(grads)[f"v{i}"] for i in range(len(grads))] == states[1]
    frame.locator(f'{NODE}[data-label="w"]').click()
    assert frame.locator('[data-testid="explain-text"]').text_content() == \
        str(explain(root, "w"))


def test_a_leaf_root_is_one_step(page, tmp_path):
    open_explorer(page, leaf_root(), tmp_path)
    assert shown_grads(page) == ["1.0"]
    click(page, "next")
    assert step_index(page) == "1" and shown_grads(page) == ["1.0"]
    assert disabled(page) == {"first": False, "prev": False, "next": True, "last": True}
