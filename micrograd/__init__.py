"""micrograd: a scalar reverse-mode autodiff engine for learning backpropagation.

`Value` is one scalar node; `backward()` applies the chain rule over its graph. The op table in
`micrograd.ops` defines every primitive. Graph drawing (`draw_dot`) and checks live in their own
modules and import nothing heavy until used.
"""
from .engine import Value, backward_order, is_grad_enabled, no_grad
from .check import gradcheck

__all__ = ["Value", "no_grad", "is_grad_enabled", "backward_order", "gradcheck"]
__version__ = "0.1.0"
