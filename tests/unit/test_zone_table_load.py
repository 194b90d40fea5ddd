"""The zone table's load cell: a count against a capacity with a bar, or the count alone."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.conftest import ROOT, unavailable

# a stand-in for the few DOM calls el() makes, so the module runs under node without a browser
SCRIPT = """
class Node { constructor(tag) { this.tag = tag; this.children = []; this.style = {};
  this.dataset = {}; this.attrs = {}; }
  setAttribute(k, v) { this.attrs[k] = v; } addEventListener() {}
  append(c) { this.children.push(c); } }
globalThis.Node = Node;
globalThis.document = { createElement: (tag) => new Node(tag) };
const text = (n) => typeof n === "string" ? n : n.children.map(text).join("");
const tags = (n) => typeof n === "string" ? [] : [n.tag, ...n.children.flatMap(tags)];
const { loadCell } = await import(process.argv[1]);
const out = {};
for (const [name, count, capacity] of [["none", 12, null], ["one", 1, null],
    ["some", 3, 10], ["forbidden", 15, 0]]) {
  const parts = loadCell(count, capacity);
  const bar = parts.find((p) => typeof p !== "string" && p.tag === "div");
  out[name] = { text: parts.filter((p) => typeof p === "string" || p.tag === "span")
      .map(text).join(""), bar: bar ? bar.children[0].style.width : null };
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def cells() -> dict[str, dict[str, str | None]]:
    if shutil.which("node") is None:
        unavailable("node is needed to run the panel's modules")
    module = (ROOT / "server" / "panel" / "static" / "zones.js").as_uri()
    done = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, module],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_zone_without_capacity_shows_the_count_alone_and_no_bar(cells) -> None:  # type: ignore[no-untyped-def]
    assert cells["none"] == {"text": "12 visitors", "bar": None}
    assert cells["one"] == {"text": "1 visitor", "bar": None}


def test_a_zone_with_a_capacity_shows_count_over_capacity_and_a_bar(cells) -> None:  # type: ignore[no-untyped-def]
    assert cells["some"] == {"text": "3 / 10", "bar": "30%"}


def test_anyone_in_a_zone_of_capacity_zero_fills_the_bar(cells) -> None:  # type: ignore[no-untyped-def]
    assert cells["forbidden"] == {"text": "15 / 0", "bar": "100%"}
