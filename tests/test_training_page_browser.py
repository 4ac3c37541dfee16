"""The training page in headless Chromium (the `page` fixture: any console error or network
request fails the test; without a browser these skip, under CI=true they fail): loaded from
file://, the slider, play / pause / step, the hover tooltip and a screenshot."""
import io
import json
import re
import time

import pytest
from conftest import keep_screenshot
from test_training_page import OddModel

from nn import MLP, SGD, data, fit, hinge, linear_schedule

READY = "body[data-ready=true]"
# (a function, not an expression string: the page's CSP refuses eval)
AT_LEAST = "k => Number(document.querySelector('[data-testid=frame-slider]').value) >= k"
BELOW = "k => Number(document.querySelector('[data-testid=frame-slider]').value) < k"


def page_data(path) -> dict:
    """The JSON a page embeds (micrograd.page writes it into <script id="page-data">)."""
    text = open(path, encoding="utf-8").read()
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def moons(tmp_path_factory):
    """karpathy's moons demo, as `python -m nn train` runs it, with its page."""
    path = tmp_path_factory.mktemp("browser") / "training.html"
    X, y = data.moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    history = fit(model, X, [2 * t - 1 for t in y], loss=hinge, l2=1e-4, epochs=100,
                  progress=False, html=path,
                  optimizer=SGD(model.parameters(), lr=linear_schedule(1.0, 0.1, 100)))
    return path, history, page_data(path)


def open_page(page, path):
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector(READY)
    return time.perf_counter() - start


def text(page, testid):
    return page.get_by_test_id(testid).text_content()


def expect_frame(page, d, history, k):
    """frame k (0-based) is shown, and its numbers are the recorded history's, exactly."""
    frames = d["frames"]
    f = frames[k]
    epoch = f["epoch"]
    where = f"epoch {epoch}" if epoch is not None else "final weights (after epoch 100)"
    assert text(page, "frame-index") == f"frame {k + 1} / {len(frames)} \u00b7 {where}"
    assert page.get_by_test_id("frame-slider").input_value() == str(k)
    loss, accuracy = text(page, "metric-loss"), text(page, "metric-accuracy")
    if epoch is None:
        assert float(loss) == history.final_loss and loss == repr(history.final_loss)
        assert float(accuracy) == history.final_accuracy
    else:
        assert loss == repr(history.loss[epoch - 1]) and float(loss) == history.loss[epoch - 1]
        assert accuracy == repr(history.accuracy[epoch - 1])


def test_opens_offline_in_under_a_second_at_the_first_frame(page, moons):
    path, history, d = moons
    seconds = open_page(page, path)
    assert seconds < 1.0, seconds
    assert page.get_by_test_id("frame-slider").get_attribute("type") == "range"
    assert page.get_by_test_id("frame-slider").get_attribute("max") == str(len(d["frames"]) - 1)
    expect_frame(page, d, history, 0)


def test_the_slider_shows_the_recorded_history_of_each_frame(page, moons):
    path, history, d = moons
    open_page(page, path)
    slider = page.get_by_test_id("frame-slider")
    last = len(d["frames"]) - 1
    for k in (7, 25, last - 1, last, 0):
        slider.fill(str(k))                 # sets the value, fires input and change
        expect_frame(page, d, history, k)
    slider.focus()
    page.keyboard.press("ArrowRight")       # the keyboard moves it one frame
    expect_frame(page, d, history, 1)
    page.keyboard.press("End")
    expect_frame(page, d, history, last)


def test_step_advances_one_frame_and_play_then_pause_moves_then_stops(page, moons):
    path, history, d = moons
    open_page(page, path)
    page.get_by_test_id("frame-slider").fill("3")
    page.get_by_test_id("step").click()
    expect_frame(page, d, history, 4)
    page.get_by_test_id("play").click()
    page.wait_for_function(AT_LEAST, arg=7)
    page.get_by_test_id("pause").click()
    k = int(page.get_by_test_id("frame-slider").input_value())
    assert k >= 7
    page.wait_for_timeout(600)              # paused: several frame intervals pass, nothing moves
    assert int(page.get_by_test_id("frame-slider").input_value()) == k
    expect_frame(page, d, history, k)
    # play from the last frame starts over and runs to the end, then stops
    page.get_by_test_id("frame-slider").fill(str(len(d["frames"]) - 1))
    page.get_by_test_id("play").click()
    page.wait_for_function(BELOW, arg=5)
    page.get_by_test_id("pause").click()


def tooltip_numbers(page):
    tip = page.get_by_test_id("tooltip")
    assert tip.is_visible()
    lines = tip.text_content().split("\n")
    value = re.fullmatch(r"value\s+(\S+)", lines[1]).group(1)
    grad = re.fullmatch(r"gradient\s+(.+)", lines[2]).group(1)
    return lines[0], float(value), grad


@pytest.mark.parametrize("name,kind", [("layers.2.neurons.0.w.0", "line"),
                                       ("layers.0.neurons.3.b", "circle")])
def test_hover_shows_a_parameters_value_and_gradient(page, moons, name, kind):
    path, history, d = moons
    open_page(page, path)
    i = d["names"].index(name)
    page.get_by_test_id("frame-slider").fill("10")
    page.hover(f'{kind}[data-param="{name}"]')
    title, value, grad = tooltip_numbers(page)
    assert title.startswith(name)
    f = d["frames"][10]
    assert value == f["w"][i] and float(grad) == f["g"][i]
    # the tooltip follows the frame; the final model has no gradient
    page.get_by_test_id("frame-slider").evaluate(
        "s => { s.value = s.max; s.dispatchEvent(new Event('input')); }")   # the mouse stays
    title, value, grad = tooltip_numbers(page)
    assert value == d["frames"][-1]["w"][i] and grad.startswith("none")
    page.mouse.move(1, 1)
    assert page.get_by_test_id("tooltip").is_hidden()


def test_colour_by_gradient_restyles_the_weights(page, moons):
    path, _, _ = moons
    open_page(page, path)
    page.get_by_test_id("frame-slider").fill("5")
    widths = page.eval_on_selector_all("#network line:not(.hit)",
                                       "ls => ls.map(l => l.getAttribute('stroke-width'))")
    page.get_by_test_id("colour-by").select_option("grad")
    after = page.eval_on_selector_all("#network line:not(.hit)",
                                      "ls => ls.map(l => l.getAttribute('stroke-width'))")
    assert len(widths) == 2 * 16 + 16 * 16 + 16 and widths != after


def test_screenshot_is_not_blank(page, moons, tmp_path):
    image = pytest.importorskip("matplotlib.image")
    path, _, d = moons
    open_page(page, path)
    page.get_by_test_id("frame-slider").fill(str(len(d["frames"]) - 1))
    png = page.screenshot(full_page=True)
    keep_screenshot(png, "training.png")
    pixels = image.imread(io.BytesIO(png), format="png")
    h, w = pixels.shape[:2]
    assert h > 500 and w > 1000
    assert pixels.std() > 0.05
    colours = {tuple(p) for p in (pixels[::7, ::7, :3] * 255).astype(int).reshape(-1, 3)}
    assert len(colours) > 50, len(colours)
    # the boundary canvas is painted: both classes' region colours appear in it
    canvas = page.locator("#boundary").screenshot()
    region = image.imread(io.BytesIO(canvas), format="png")[..., :3]
    rgb = {tuple(p) for p in (region[::5, ::5] * 255).round().astype(int).reshape(-1, 3)}
    assert (198, 219, 239) in rgb and (253, 208, 162) in rgb


def test_labels_are_text_and_pages_without_2d_data_load_cleanly(page, tmp_path):
    X, y = data.table()

    path = tmp_path / "odd.html"
    model = OddModel("Odd<img src=x onerror=alert(1)></script><b>bold</b>")
    history = fit(model, X, y, epochs=5, progress=False, html=path)
    open_page(page, path)
    assert text(page, "frame-index") == "frame 1 / 6 \u00b7 epoch 1"
    assert page.locator("h1").text_content() == f"Training {model!r}"
    assert page.locator("img").count() == 0 and page.locator("b", has_text="bold").count() == 0
    page.get_by_test_id("frame-slider").fill("4")
    assert text(page, "metric-loss") == repr(history.loss[4])
    assert "2-D inputs only" in page.locator("#boundary-legend").text_content()
