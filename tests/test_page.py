"""micrograd.page: one self-contained HTML file; embedded data cannot break out of its script."""
import json
import re

import pytest

from micrograd.page import Page, embed_json


@pytest.mark.parametrize("hostile", ["</script><script>alert(1)</script>", "<!--", "]]>",
                                     "\u2028\u2029", "&lt;", "\"'`", "</SCRIPT >"])
def test_embedded_json_cannot_end_its_script_and_reads_back(hostile):
    text = embed_json({"label": hostile, "n": [1.5, -0.0]})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"label": hostile, "n": [1.5, -0.0]}
    page = Page("t", "<p>x</p>", "", {"label": hostile}).html()
    assert page.count("</script>") == 2          # the data script and the page script only


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_numbers_are_refused_not_written_as_invalid_json(bad):
    with pytest.raises(ValueError):
        embed_json({"x": bad})


def test_the_page_loads_nothing_from_elsewhere(tmp_path):
    page = Page("A <b>title</b> & more", "<main>hi</main>", "document.title;", {"a": 1},
                style="main { color: red }")
    text = page.html()
    assert "default-src 'none'" in text                     # the browser refuses any fetch
    assert "<title>A &lt;b&gt;title&lt;/b&gt; &amp; more</title>" in text
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text)
    path = page.save(tmp_path / "p.html")
    assert open(path, encoding="utf-8").read() == text


def test_in_jupyter_it_is_an_iframe_holding_the_escaped_page():
    page = Page("t", "<p title=\"q\">x & y</p>", "", {})
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"") and 'sandbox="allow-scripts"' in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame).group(1)
    import html
    assert html.unescape(srcdoc) == page.html()
