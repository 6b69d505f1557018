"""What the browser tests share: Debian's Chromium and its flags, the app served on 127.0.0.1
from a thread, and signing in through the real two steps."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from tests.conftest import totp_code_for

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextmanager
def serving(app) -> Iterator[str]:
    """The app served on a free loopback port for as long as the block runs; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def sign_in(page, base: str, app, username: str, password: str, secret: str, *,
            at_each_step: Callable[[str], None] = lambda step: None) -> None:
    """Password, then the TOTP code, as a person types them; ``at_each_step`` is called on
    each of the two pages (with its path) before it is filled in."""
    page.goto(f"{base}/login")
    at_each_step("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    at_each_step("/login/code")
    page.fill("#code", totp_code_for(app, secret, set()))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


# What a reader of the drawn map would check, measured from vis-network as it drew it (in
# canvas units): each node's shape, each label (a node's, or an edge's where one is drawn),
# and which two of them overlap (a node's own label hangs from it and is not counted).
DRAWN_JS = """() => {
  const net = document.getElementById("network").visNetwork;
  net.redraw();
  const items = [];
  for (const [id, node] of Object.entries(net.body.nodes)) {
    if (id.startsWith("edgeId:")) { continue; }
    const o = node.options, x = node.x, y = node.y;
    if (o.shape === "box") {
      const b = net.getBoundingBox(id);
      items.push({ id: id, what: "box", owner: id, l: b.left, t: b.top, r: b.right, b: b.bottom });
      continue;
    }
    items.push({ id: id, what: "shape", owner: id,
                 l: x - o.size, t: y - o.size, r: x + o.size, b: y + o.size });
    const s = node.labelModule.size;
    if (s.width) {
      items.push({ id: id, what: "label", owner: id,
                   l: s.left, t: s.top, r: s.left + s.width, b: s.top + s.height });
    }
  }
  for (const [id, edge] of Object.entries(net.body.edges)) {
    const s = edge.labelModule.size;
    if (edge.options.label && s.width) {
      items.push({ id: id, what: "edge label", owner: id,
                   l: s.left, t: s.top, r: s.left + s.width, b: s.top + s.height });
    }
  }
  const overlaps = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const p = items[i], q = items[j];
      if (p.owner === q.owner) { continue; }
      if (p.what === "shape" && q.what === "shape") { continue; }
      if (p.l < q.r && q.l < p.r && p.t < q.b && q.t < p.b) {
        overlaps.push(p.what + " " + p.id + " / " + q.what + " " + q.id);
      }
    }
  }
  const ids = Object.keys(net.body.nodes).filter(id => !id.startsWith("edgeId:"));
  const frame = document.getElementById("network").querySelector("canvas").getBoundingClientRect();
  let outside = [];
  for (const id of ids) {
    const b = net.getBoundingBox(id);
    const a = net.canvasToDOM({ x: b.left, y: b.top }), z = net.canvasToDOM({ x: b.right, y: b.bottom });
    if (a.x < 0 || a.y < 0 || z.x > frame.width || z.y > frame.height) { outside.push(id); }
  }
  // The smallest label text on screen, in CSS pixels: each label's font size at the zoom drawn.
  const scale = net.getScale();
  const nodePx = Math.min(...ids.map(id => net.body.nodes[id].options.font.size * scale));
  const drawnEdges = Object.values(net.body.edges).filter(e => e.options.label);
  const edgePx = Math.min(...drawnEdges.map(e => e.options.font.size * scale));
  return { scale: scale, nodes: ids.length, overlaps: overlaps, outside: outside, nodePx: nodePx,
           edgePx: edgePx, edgeLabels: drawnEdges.map(e => e.options.label),
           labels: items.filter(i => i.what !== "shape").length };
}"""
