"""A page as a user sees it in headless Chromium: where its elements lie in the first screen of a given window.

The page is loaded in a frame of the window's size inside a page of ours, whose script measures the framed page (its
own Content-Security-Policy forbids scripts in it) and writes what it found into our page, which --dump-dom prints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Those of docs/screenshots.py: no network, no first-run or background work, a throw-away profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--allow-file-access-from-files",  # our page reads the framed page's layout
)

MEASURE = """<!doctype html><html><body style="margin:0">
<iframe id="page" src="{page}" style="border:0;width:{width}px;height:{height}px"></iframe>
<pre id="found"></pre>
<script>
document.getElementById("page").addEventListener("load", function () {{
  var doc = this.contentDocument, found = {{}};
  function box(element) {{
    if (!element) return null;
    var r = element.getBoundingClientRect();
    return {{top: r.top, bottom: r.bottom, left: r.left, right: r.right, id: element.id || null,
             text: element.textContent.slice(0, 200)}};
  }}
  var queries = {queries};
  for (var name in queries) found[name] = box(doc.querySelector(queries[name]));
  found.scrollWidth = doc.documentElement.scrollWidth;
  found.clientWidth = doc.documentElement.clientWidth;
  found.order = Array.from(doc.querySelectorAll("section.failure, details.line")).map(function (e) {{ return e.id; }});
  found.lines = Array.from(doc.querySelectorAll("details.line > summary")).map(function (e) {{
    return e.getBoundingClientRect().height; }});
  // Then everything opened, as a reader who expands it all: nothing, however deep (a scrolling box's content
  // included), may reach past the window's right edge.
  doc.querySelectorAll("details").forEach(function (e) {{ e.open = true; }});
  found.openScrollWidth = doc.documentElement.scrollWidth;
  found.widest = null;
  // What an ancestor cuts off on purpose (overflow hidden, an ellipsis) is not past the edge; what a scrolling box
  // holds is.
  function clipped(e, right) {{
    for (var a = e.parentElement; a; a = a.parentElement) {{
      var overflow = this.contentWindow.getComputedStyle(a).overflowX;
      if (overflow === "hidden" || overflow === "clip") right = Math.min(right, a.getBoundingClientRect().right);
    }}
    return right;
  }}
  doc.querySelectorAll("body *").forEach(function (e) {{
    var r = e.getBoundingClientRect(), right = clipped.call(this, e, r.right);
    if (r.width && (!found.widest || right > found.widest.right))
      found.widest = {{right: right, tag: e.tagName, cls: e.className, text: e.textContent.slice(0, 80)}};
  }}, this);
  document.getElementById("found").textContent = "FOUND" + JSON.stringify(found) + "END";
}});
</script></body></html>
"""


def needs_chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (.ci/run does)")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    return CHROMIUM


def first_screen(page: Path, queries: dict[str, str], width: int = 1366, height: int = 768) -> dict:
    """Where the first element matching each CSS query lies (its bounding box in the window, before any scrolling),
    the page's scroll width, the ids of its failure sections and one-line deviations in document order and the
    heights of those lines; then, every <details> opened, the page's scroll width and its element reaching furthest
    right (`widest`)."""
    chromium = needs_chromium()
    view = page.with_name(f".measure-{page.stem}.html")
    view.write_text(
        MEASURE.format(page=page.name, width=width, height=height, queries=json.dumps(queries)), encoding="utf-8"
    )
    try:
        with tempfile.TemporaryDirectory() as profile:
            done = subprocess.run(
                [
                    chromium,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    f"--window-size={width},{height}",
                    "--virtual-time-budget=5000",
                    "--dump-dom",
                    view.as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=120,
            )
    finally:
        view.unlink()
    found = re.search(r"FOUND(.*?)END", done.stdout, re.S)
    assert found, f"chromium measured nothing (exit {done.returncode}): {done.stderr[-1500:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<"))


def visible_without_scrolling(box: dict | None, height: int = 768, width: int = 1366) -> bool:
    return (
        box is not None and 0 <= box["top"] and box["bottom"] <= height and 0 <= box["left"] and box["right"] <= width
    )
