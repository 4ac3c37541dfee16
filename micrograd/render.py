"""Rendering DOT text to pictures with the system `dot` or, without one, graphviz-pure.

`run_dot(source, "svg")` runs the program (the DOT source on stdin, the picture on stdout);
`Digraph` is a graphviz.Digraph whose pipe, render, save and Jupyter display go through it, so
karpathy's own draw_dot works here by changing one import (`from micrograd.graph import
Digraph`). graphviz itself is used only through its public API (building and quoting the
source, its lists of formats and engines) and imported only when something is drawn.

Which program: the system Graphviz when `dot` is on PATH, else the pip package graphviz-pure
(a dot-compatible binary named `graphviz-pure`, found next to this Python even when PATH does
not include it, as in a Jupyter kernel).
"""
from __future__ import annotations

import os
import sys
from typing import Iterable

from .files import atomic_write


class GraphvizNotFound(RuntimeError):
    """Neither the system `dot` nor graphviz-pure could be found."""


class RenderError(RuntimeError):
    """The dot program refused a graph; the message holds what it wrote to stderr."""


# --- finding and running dot ---------------------------------------------------------------

def dot_executable() -> str | None:
    """Path of the program that renders: system `dot` on PATH, else graphviz-pure, else None."""
    import shutil
    import sysconfig
    found = shutil.which("dot")
    if found:
        return found
    # pip puts graphviz-pure in this interpreter's scripts folder, which may not be on PATH
    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        found = shutil.which("graphviz-pure", path=folder)
        if found:
            return found
    return shutil.which("graphviz-pure")


def graphviz_choice(value, allowed, what: str, who: str, required: bool = True) -> str | None:
    """value lower-cased if it is one of graphviz's names for `what`, else a clear ValueError."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or value.lower() not in allowed:
        known = sorted(allowed, key=lambda a: (a not in ("svg", "png", "dot"), a))
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        raise ValueError(f"{who}: unknown {what} {value!r} (Graphviz's are {shown})")
    return value.lower()


def run_dot(source: str | bytes, format: str, *, engine: str = "dot",
            renderer: str | None = None, formatter: str | None = None,
            neato_no_op: bool | int | None = None, quiet: bool = False,
            cwd: str | None = None, encoding: str = "utf-8", who: str = "render") -> bytes:
    """The picture of DOT `source` in `format`, from `dot_executable()`: source on stdin,
    picture on stdout, `dot -K<engine> -T<format>[:renderer[:formatter]] [-n]`.

    No renderer is GraphvizNotFound; a graph dot refuses is RenderError with dot's own message.
    dot's warnings go to stderr unless quiet.
    """
    import subprocess

    import graphviz
    format = graphviz_choice(format, graphviz.FORMATS, "format", who)
    engine = graphviz_choice(engine, graphviz.ENGINES, "engine", who)
    renderer = graphviz_choice(renderer, graphviz.RENDERERS, "renderer", who, required=False)
    formatter = graphviz_choice(formatter, graphviz.FORMATTERS, "formatter", who, required=False)
    if formatter is not None and renderer is None:
        raise ValueError(f"{who}: formatter {formatter!r} needs a renderer")
    exe = dot_executable()
    if exe is None:
        raise GraphvizNotFound(f"{who}: cannot render: no `dot` on PATH and no graphviz-pure next "
                               f"to {sys.executable}; run `pip install graphviz-pure` (or "
                               "install Graphviz), or use the graph's .source text")
    cmd = [exe, f"-K{engine}", "-T" + ":".join(p for p in (format, renderer, formatter) if p)]
    if neato_no_op:
        cmd.append("-n" if neato_no_op is True else f"-n{int(neato_no_op)}")
    data = source.encode(encoding) if isinstance(source, str) else source
    try:
        done = subprocess.run(cmd, input=data, capture_output=True, cwd=cwd or None)
    except OSError as e:
        raise GraphvizNotFound(f"{who}: cannot run {exe}: {e}") from None
    message = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise RenderError(f"{who}: {os.path.basename(exe)} could not draw this graph as "
                          f"{format} (exit status {done.returncode}): "
                          f"{message[:2000] or 'no message'}")
    # without a font library dot estimates a non-ASCII character's width (σ, δ) and says so on
    # every such label: a fact about its font tables, not about the graph
    message = "\n".join(line for line in message.splitlines()
                        if "no value for width of non-ASCII character" not in line)
    if message and not quiet:
        print(message, file=sys.stderr)
    return done.stdout


_DIGRAPH = None


def digraph_class():
    """`Digraph`: graphviz.Digraph rendering through `run_dot` (pipe, render, Jupyter display)."""
    global _DIGRAPH
    if _DIGRAPH is None:
        _DIGRAPH = _make_digraph_class()
    return _DIGRAPH


def _make_digraph_class():
    import graphviz

    class Digraph(graphviz.Digraph):
        """A graphviz.Digraph (same constructor, .node, .edge, .subgraph, .attr, .source) whose
        .pipe, .render, .save and Jupyter display run system dot or else graphviz-pure, and
        write files atomically."""

        def pipe(self, format: str | None = None, renderer: str | None = None,
                 formatter: str | None = None, neato_no_op: bool | int | None = None,
                 quiet: bool = False, *, engine: str | None = None,
                 encoding: str | None = None) -> bytes | str:
            """The rendered graph as bytes (as str if encoding is given); format defaults to
            .format."""
            data = run_dot(self.source, format or self.format, engine=engine or self.engine,
                           renderer=renderer or self.renderer,
                           formatter=formatter or self.formatter, neato_no_op=neato_no_op,
                           quiet=quiet, encoding=self.encoding, who="Digraph.pipe")
            return data if encoding is None else data.decode(encoding)

        def save(self, filename: str | os.PathLike | None = None,
                 directory: str | os.PathLike | None = None, *,
                 skip_existing: bool | None = False) -> str:
            """Write the DOT source to directory/filename (atomically); returns its path."""
            if filename is not None:
                self.filename = os.fspath(filename)
            if directory is not None:
                self.directory = os.fspath(directory)
            path = self.filepath
            if skip_existing and os.path.exists(path):
                return path
            _write(path, self.source.encode(self.encoding))
            return path

        def render(self, filename: str | os.PathLike | None = None,
                   directory: str | os.PathLike | None = None, view: bool = False,
                   cleanup: bool = False, format: str | None = None,
                   renderer: str | None = None, formatter: str | None = None,
                   neato_no_op: bool | int | None = None, quiet: bool = False,
                   quiet_view: bool = False, *, outfile: str | os.PathLike | None = None,
                   engine: str | None = None, raise_if_result_exists: bool = False,
                   overwrite_source: bool = False) -> str:
            """Save the source and render it; returns the path of the picture.

            render("g") writes g (the source) and g.svg (for format "svg"). With outfile
            ("g.png"), the picture goes there, in the format its suffix names, and the source
            beside it as g.gv (or to filename). Both are written atomically; cleanup=True
            deletes the source afterwards. Paths are relative to `directory`, else to
            .directory.
            """
            who = "Digraph.render"
            if view or quiet_view:
                raise NotImplementedError(f"{who}: view=True is not supported (no viewer is "
                                          "started); open the returned path yourself")
            if raise_if_result_exists and overwrite_source:
                raise ValueError(f"{who}: overwrite_source cannot be combined with "
                                 "raise_if_result_exists")
            if filename is not None:
                self.filename = os.fspath(filename)
            if directory is not None:
                self.directory = os.fspath(directory)
            if outfile is None:
                format = graphviz_choice(format or self.format, graphviz.FORMATS, "format", who)
                source_path = self.filepath
                suffix = ".".join(p for p in (formatter or self.formatter,
                                              renderer or self.renderer, format) if p)
                picture = f"{source_path}.{suffix}"
            else:
                picture = os.path.join(self.directory, os.fspath(outfile))
                if format is None:
                    kind = os.path.splitext(picture)[1].lstrip(".").lower()
                    if kind not in graphviz.FORMATS:
                        raise ValueError(f"{who}: cannot tell the format from outfile "
                                         f"{os.fspath(outfile)!r}; pass format= or use a "
                                         "suffix such as .svg or .png")
                    format = kind
                source_path = self.filepath if filename is not None \
                    else os.path.splitext(picture)[0] + ".gv"
                if (os.path.abspath(source_path) == os.path.abspath(picture)
                        and not overwrite_source):
                    raise ValueError(f"{who}: outfile {os.fspath(outfile)!r} is the source "
                                     "file; pass another filename (or overwrite_source=True)")
            if raise_if_result_exists and os.path.exists(picture):
                raise graphviz.FileExistsError(f"{who}: output file exists: {picture!r}")
            source = self.source.encode(self.encoding)
            folder = os.path.dirname(os.path.abspath(source_path))
            os.makedirs(folder, exist_ok=True)
            # dot runs first, so a graph it refuses leaves every file as it was; it starts in
            # the source's folder, so relative paths in the source (image=...) work
            data = run_dot(source, format, engine=engine or self.engine,
                           renderer=renderer or self.renderer,
                           formatter=formatter or self.formatter, neato_no_op=neato_no_op,
                           quiet=quiet, cwd=folder, who=who)
            if not cleanup:
                _write(source_path, source)
            _write(picture, data)
            if cleanup and os.path.exists(source_path) and source_path != picture:
                os.remove(source_path)          # an older source of the same name
            return picture

        def view(self, *args, **kwargs):
            raise NotImplementedError("Digraph.view: not supported (no viewer is started); "
                                      "call .render() and open the returned path")

        def _repr_mimebundle_(self, include: Iterable[str] | None = None,
                              exclude: Iterable[str] | None = None, **_) -> dict:
            """What Jupyter displays: SVG by default (png and jpeg on request)."""
            wanted = set(include) if include is not None else {"image/svg+xml"}
            wanted -= set(exclude or ())
            kinds = {"image/svg+xml": ("svg", "utf-8"), "image/png": ("png", None),
                     "image/jpeg": ("jpeg", None)}
            return {mime: self.pipe(format=fmt, encoding=enc)
                    for mime, (fmt, enc) in kinds.items() if mime in wanted}

        def _repr_svg_(self) -> str:
            return self.pipe(format="svg", encoding="utf-8")

    Digraph.__module__, Digraph.__qualname__ = __name__, "Digraph"
    return Digraph


def _write(path: str, data: bytes) -> None:
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    atomic_write(path, data)


def write_graph(graph, path: str | os.PathLike) -> str:
    """Write a drawn graph to path atomically: .svg/.png rendered, .gv/.dot as source."""
    kind = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if kind in ("gv", "dot"):
        data = graph.source.encode("utf-8")
    elif kind in ("svg", "png"):
        data = graph.pipe(format=kind)
    else:
        raise ValueError(f"write_graph: cannot write {os.path.basename(os.fspath(path))!r}: "
                         f"use .svg, .png, .gv or .dot")
    return atomic_write(path, data)
