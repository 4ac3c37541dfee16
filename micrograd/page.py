"""Self-contained HTML pages: one file, no server, no network, open from file:// or in Jupyter.

    page = Page("Backward, step by step", body_html, script_js, data={"steps": [...]},
                style=css)
    page.save("graph.html")          # written atomically
    page                             # in Jupyter: shown inline (an iframe holding the page)

Everything a page shows is computed in Python and embedded as JSON (`data`); the page's own
script only displays it. The JSON is embedded safely (no `</script>` can end the script early),
and the page loads nothing: no CDN, no fonts, no images from elsewhere.
"""
from __future__ import annotations

import html
import json
import os

from .files import atomic_write


def embed_json(data) -> str:
    """data as JSON that is safe inside <script>: '<', '>' and '&' written as \\u escapes."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class Page:
    """One HTML page: a title, a body, a style sheet, a script and the data it displays."""

    def __init__(self, title: str, body: str, script: str, data, style: str = "",
                 height: int = 640):
        self.title = title
        self.body = body
        self.script = script
        self.data = data
        self.style = style
        self.height = height            # of the iframe that shows it in Jupyter, in pixels

    def html(self) -> str:
        """The whole page as one string."""
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
            f"<title>{html.escape(self.title)}</title>\n<style>\n{self.style}\n</style>\n"
            f"</head>\n<body>\n{self.body}\n"
            f"<script id=\"page-data\" type=\"application/json\">{embed_json(self.data)}"
            f"</script>\n<script>\n{self.script}\n</script>\n</body>\n</html>\n")

    def __str__(self) -> str:
        return self.html()

    def save(self, path: str | os.PathLike) -> str:
        """Write the page to path atomically; returns the path."""
        return atomic_write(path, self.html())

    def _repr_html_(self) -> str:
        # Jupyter: the page in an iframe of its own, so its script and style stay inside it
        return (f"<iframe srcdoc=\"{html.escape(self.html(), quote=True)}\" "
                f"style=\"width: 100%; height: {int(self.height)}px; border: 1px solid #ddd\" "
                f"sandbox=\"allow-scripts\" title=\"{html.escape(self.title)}\"></iframe>")
