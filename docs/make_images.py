"""Regenerate the README's graph picture: `python docs/make_images.py` writes docs/images/neuron.svg
from the same code the README shows."""
import pathlib

from micrograd import Value, draw_dot
from micrograd.graph import write_graph

x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.8813735870195432, "b")
n = x1 * w1 + x2 * w2 + b; n.label = "n"
o = n.tanh(); o.label = "o"
o.backward()
out = pathlib.Path(__file__).parent / "images" / "neuron.svg"
print("wrote", write_graph(draw_dot(o, params=[w1, w2, b], highlight=w1), out))
