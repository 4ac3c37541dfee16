"""micrograd: a scalar reverse-mode autodiff engine for learning backpropagation.

`Value` is one scalar node; `backward()` applies the chain rule over its graph. The op table in
`micrograd.ops` defines every primitive. Gradients of gradients, Hessians, forward mode and
Jacobians (`grad`, `hessian`, `jvp`, `jacobian`), graph drawing (`draw_dot`), explanations
(`explain`), checks (`gradcheck`, `verify`) and stepping (`backward_steps`) live in their own
modules and import nothing heavy until used (graphviz only when a graph is drawn).
"""
from .engine import Value, backward_order, is_grad_enabled, no_grad
from .check import gradcheck, verify
from .explain import explain
from .explorer import to_html
from .functional import grad, hessian, jacobian, jvp
from .graph import draw_dot
from .steps import backward_steps

__all__ = ["Value", "no_grad", "is_grad_enabled", "backward_order", "grad", "hessian", "jvp",
           "jacobian", "gradcheck", "verify", "explain", "draw_dot", "backward_steps",
           "to_html"]
__version__ = "0.1.0"
