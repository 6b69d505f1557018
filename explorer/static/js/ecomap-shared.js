/* What the ecomap page (ecomap.js) and the conference pack (pack.js) share: turning the
   server's network into vis-network's nodes and edges, recording an export in the audit trail
   before it is produced, and saving a PNG. Labels and titles are plain strings (vis draws them as text). */
(function () {
  "use strict";

  function visNode(n) {
    // Only what vis needs.
    var node = { id: n.id, label: n.label, title: n.title, shape: n.shape, x: n.x, y: n.y,
                 color: n.color, borderWidth: n.borderWidth, size: n.size, physics: false };
    if (n.font) { node.font = n.font; }
    return node;
  }

  // The label drawn is the one the server found room for (canvas_label: in full, shortened or
  // none); the full text is the edge's tooltip and is in the tables.
  function visEdge(e) {
    return { id: e.id, from: e.from, to: e.to, label: e.canvas_label,
             title: e.label ? e.label.replace(/\n/g, ", ") : undefined,
             dashes: e.dashes, width: e.width, color: e.color, smooth: e.smooth };
  }

  // POST the export's parameters to the page's export URL (data-export-url, with its CSRF
  // token in data-csrf); resolves to the recorded event (id, viewer, time, marking).
  function recordExport(root, body) {
    return fetch(root.dataset.exportUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (reply) {
      if (!reply.ok) { throw new Error("The export could not be recorded (" + reply.status + ")."); }
      return reply.json();
    });
  }

  // Save a drawn canvas as a PNG file named `filename`, then call done() (the caller says which
  // audit event recorded it).
  function downloadPng(canvas, filename, done) {
    canvas.toBlob(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
      done();
    }, "image/png");
  }

  window.EcomapShared = { visNode: visNode, visEdge: visEdge, recordExport: recordExport,
                          downloadPng: downloadPng };
}());
