"""Threads and async tasks: no_grad is theirs alone, and concurrent passes give exact gradients.

Run with a tiny switch interval so threads interleave inside every loop of the engine.
"""
import asyncio
import threading

import pytest

from micrograd import Value, explain, grad, no_grad, verify
from micrograd.engine import is_grad_enabled


def run_threads(target, n):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:          # noqa: BLE001 (reported below)
            errors.append(e)
    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_no_grad_in_one_thread_leaves_the_others_building(busy_switching):
    inside, outside = threading.Event(), threading.Event()
    seen = {}

    def in_no_grad(_):
        with no_grad():
            inside.set()
            outside.wait(5)
            seen["inside"] = (is_grad_enabled(), (Value(2.0) * 3).children)

    def building(_):
        inside.wait(5)
        x = Value(2.0)
        y = x * x
        y.backward()
        seen["outside"] = (is_grad_enabled(), y.children == (x, x), x.grad)
        outside.set()

    run_threads(lambda i: (in_no_grad, building)[i](i), 2)
    assert seen["inside"] == (False, ())
    assert seen["outside"] == (True, True, 4.0)


def test_no_grad_is_per_async_task():
    async def main():
        started = asyncio.Event()

        async def quiet():
            with no_grad():
                started.set()
                await asyncio.sleep(0.01)
                return (Value(1.0) + 1).children

        async def loud():
            await started.wait()
            x = Value(1.0)
            return (x + 1).children[0] is x, is_grad_enabled()

        return await asyncio.gather(quiet(), loud())

    quiet, loud = asyncio.run(main())
    assert quiet == () and loud == (True, True)


def test_nested_no_grad_restores_and_is_reentrant():
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    x = Value(1.0)
    assert (x * 2).children[0] is x


@pytest.mark.parametrize("trial", range(3))
def test_concurrent_backward_on_shared_parameters_sums_exactly(busy_switching, trial):
    from nn import MLP
    model = MLP(2, [8, 8, 1], seed=trial)
    inputs = [[0.1 * k, 1.0 - 0.2 * k] for k in range(8)]
    # the expected sums: every pass, one at a time, in this thread, on a copy of the model
    copy = MLP(2, [8, 8, 1], seed=trial)
    for _ in range(4):
        for x in inputs:
            copy(x)[0].backward()
    expected = [p.grad for p in copy.parameters()]

    def worker(k):
        for _ in range(4):
            model(inputs[k])[0].backward()

    run_threads(worker, len(inputs))
    got = [p.grad for p in model.parameters()]
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_concurrent_readers_never_see_or_change_each_others_passes(busy_switching):
    x, w = Value(0.5, "x"), Value(-1.5, "w")
    f = (x * w).tanh() * x + w
    f.label = "f"
    truth = grad(f, [x, w])
    results = []

    def worker(i):
        for _ in range(20):
            if i % 3 == 0:
                g = grad(f, [x, w])
                results.append((g[0].data, g[1].data))
            elif i % 3 == 1:
                e = explain(f, x)
                results.append((e.grad, None))
            else:
                assert verify(f, {"df/dx": truth[0].data, "df/dw": truth[1].data})

    run_threads(worker, 6)
    assert x.grad == 0.0 and w.grad == 0.0            # nobody wrote .grad
    for gx, gw in results:
        assert gx == truth[0].data and gw in (None, truth[1].data)
