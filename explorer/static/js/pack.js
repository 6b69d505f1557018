/* The conference pack: draws the map from the network the server embedded in the page (the
   one it recorded before producing the page), prints, and makes a PNG at twice the map's
   size with the legend, the warnings and the provenance drawn under it. Every text goes on
   the canvas as text, never as markup. */
(function () {
  "use strict";

  var root = document.getElementById("pack");
  var source = document.getElementById("pack-network");
  if (!root || !source || !window.vis || !window.EcomapShared) { return; }
  var data = JSON.parse(source.textContent);
  var el = function (id) { return document.getElementById(id); };
  var SCALE = 2;  // the PNG's resolution against the map on the page

  var visNode = window.EcomapShared.visNode;
  var visEdge = window.EcomapShared.visEdge;

  function draw(container) {
    var options = JSON.parse(JSON.stringify(data.options));
    options.interaction = { dragNodes: false, dragView: false, zoomView: false, hover: false,
                            keyboard: { enabled: false } };
    var network = new vis.Network(container, {
      nodes: new vis.DataSet(data.nodes.map(visNode)),
      edges: new vis.DataSet(data.edges.map(visEdge))
    }, options);
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.95, animation: false });
    return network;
  }

  var shown = draw(el("pack-map"));
  root.dataset.ready = "1";

  function status(message) { el("pack-status").textContent = message; }

  function record(kind) {
    return window.EcomapShared.recordExport(root, {
      kind: kind, as_of: root.dataset.asOf, depth: root.dataset.depth, ceased: root.dataset.ceased,
      expand: root.dataset.expand, since: root.dataset.since });
  }

  function lines(list) {
    return Array.prototype.map.call(document.querySelectorAll(list + " li"), function (li) {
      return li.textContent.replace(/\s+/g, " ").trim();
    });
  }

  // The map drawn again off screen at twice the page's size, then the text under it.
  function png(provenance) {
    var box = el("pack-map").getBoundingClientRect();
    var off = document.createElement("div");
    off.className = "pack-offscreen";
    off.style.width = Math.round(box.width * SCALE) + "px";
    off.style.height = Math.round(box.height * SCALE) + "px";
    document.body.appendChild(off);
    var network = draw(off);
    network.redraw();
    var map = off.querySelector("canvas");
    var text = [["Legend", lines("#pack-legend")], ["Coordination warnings", lines("#pack-warnings")],
                ["What changed", lines("#pack-changes")]];
    var lineHeight = 22 * SCALE, rows = 3;
    text.forEach(function (part) { rows += 1 + part[1].length; });
    var out = document.createElement("canvas");
    out.width = map.width;
    out.height = map.height + rows * lineHeight + 20 * SCALE;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(map, 0, 0);
    var y = map.height + lineHeight;
    ctx.textBaseline = "middle";
    text.forEach(function (part) {
      ctx.fillStyle = "#0b0c0c";
      ctx.font = "bold " + (16 * SCALE) + "px system-ui, sans-serif";
      ctx.fillText(part[0], 12 * SCALE, y, out.width - 24 * SCALE);
      y += lineHeight;
      ctx.font = (14 * SCALE) + "px system-ui, sans-serif";
      part[1].forEach(function (line) {
        ctx.fillText(line, 24 * SCALE, y, out.width - 36 * SCALE);
        y += lineHeight;
      });
    });
    ctx.fillStyle = "#0b0c0c";
    ctx.fillRect(0, y, out.width, out.height - y);
    ctx.fillStyle = "#ffffff";
    ctx.font = "bold " + (14 * SCALE) + "px system-ui, sans-serif";
    ctx.fillText(provenance.marking + " · " + data.child.name + " (" + data.child.id + ") · as of " +
                 data.as_of + " · exported by " + provenance.viewer + " at " + provenance.at +
                 " · audit event " + provenance.event_id, 12 * SCALE, y + (out.height - y) / 2,
                 out.width - 24 * SCALE);
    network.destroy();
    off.remove();
    return out;
  }

  el("pack-png").addEventListener("click", function () {
    record("pack_png").then(function (provenance) {
      window.EcomapShared.downloadPng(
        png(provenance), "conference-pack-" + data.child.id + "-" + data.as_of + ".png", function () {
          status("PNG exported; recorded as audit event " + provenance.event_id + ".");
        });
    }).catch(function (error) { status(error.message); });
  });

  // The page was recorded before it was produced: printing it prints that record's id.
  el("pack-print").addEventListener("click", function () {
    shown.fit({ animation: false });
    window.print();
  });
}());
