/* The child's ecomap: fetches the network (already cut by the policy on the server) as JSON
   and draws it with vis-network at the server's fixed positions; the same data fills the
   tables, the side panel and the path finder. Every text goes in with textContent or as a
   canvas label, never as markup. Exports ask the server to record them first. */
(function () {
  "use strict";

  var root = document.getElementById("ecomap");
  if (!root || !window.vis || !window.EcomapShared) { return; }
  var el = function (id) { return document.getElementById(id); };
  var state = { expand: [], network: null, data: null, order: [], cursor: -1, nodes: null, edges: null };
  // The map's size on an A4 page (the print stylesheet gives .ecomap-canvas the same height).
  var PRINT_SIZE = ["700px", "520px"];
  // The smallest a node's label may be drawn on screen, in CSS pixels.
  var MIN_LABEL_PX = 12;

  function text(tag, value, cls) {
    var node = document.createElement(tag);
    node.textContent = value == null ? "" : String(value);
    if (cls) { node.className = cls; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function params() {
    var p = new URLSearchParams();
    p.set("as_of", el("as-of").value || "");
    p.set("depth", el("depth").value);
    p.set("ceased", el("ceased").checked ? "1" : "0");
    if (el("since").value) { p.set("since", el("since").value); }
    if (!el("group-siblings").checked) { p.set("siblings", "open"); }
    if (state.expand.length) { p.set("expand", state.expand.join(",")); }
    return p;
  }

  function status(message) { el("status").textContent = message; }

  // The view's settings live in the page's address too (dates, numbers and child ids, never a
  // name), so a reload, a bookmark or a link opens the same view. Anything malformed is ignored.
  function restore() {
    var asked = new URLSearchParams(window.location.search);
    var day = asked.get("as_of") || "";
    if (/^\d{4}-\d{2}-\d{2}$/.test(day)) { el("as-of").value = day; }
    if (["1", "2"].indexOf(asked.get("depth")) >= 0) { el("depth").value = asked.get("depth"); }
    var since = asked.get("since") || "";
    if (/^\d{4}-\d{2}-\d{2}$/.test(since)) { el("since").value = since; }
    if (["0", "1"].indexOf(asked.get("ceased")) >= 0) { el("ceased").checked = asked.get("ceased") === "1"; }
    el("group-siblings").checked = asked.get("siblings") !== "open";
    state.expand = (asked.get("expand") || "").split(",").filter(function (id) {
      return /^[A-Za-z0-9_-]{1,64}$/.test(id);
    }).slice(0, 10);
  }

  // Only the latest request is drawn: two settings changed in quick succession (the as-of
  // date, then "changes since") could otherwise answer out of order, the older one last.
  var latest = 0;
  function load() {
    status("Loading…");
    var query = "?" + params().toString(), mine = ++latest;
    window.history.replaceState(null, "", window.location.pathname + query);
    return fetch(root.dataset.networkUrl + query, {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (reply) {
      if (!reply.ok) { throw new Error("The network could not be loaded (" + reply.status + ")."); }
      return reply.json();
    }).then(function (data) {
      if (mine === latest) { draw(data); }
    }).catch(function (error) { if (mine === latest) { status(error.message); } });
  }

  var visNode = window.EcomapShared.visNode;
  var visEdge = window.EcomapShared.visEdge;

  function draw(data) {
    state.data = data;
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    state.byId = byId;
    state.order = data.nodes.map(function (n) { return n.id; });
    state.cursor = -1;
    if (!state.network) {
      state.nodes = new vis.DataSet(data.nodes.map(visNode));
      state.edges = new vis.DataSet(data.edges.map(visEdge));
      state.network = new vis.Network(el("network"), { nodes: state.nodes, edges: state.edges },
                                      data.options);
      el("network").visNetwork = state.network;  // for the browser tests' measurements
      state.network.on("click", function (event) {
        if (event.nodes.length) { select(event.nodes[0]); } else { closeDetails(); }
      });
    } else {
      state.nodes.clear(); state.edges.clear();
      state.nodes.add(data.nodes.map(visNode));
      state.edges.add(data.edges.map(visEdge));
    }
    fitView();
    var badge = el("plan-badge");
    badge.hidden = !data.plan;
    badge.textContent = data.plan ? data.plan.text : "";
    el("as-of-text").textContent = "As of " + data.as_of + (data.ceased ? "" : ", ceased hidden");
    var cap = el("cap-message");
    cap.hidden = !data.capped;
    cap.textContent = data.capped ? "Node limit reached: this view shows at most " + data.cap +
      " nodes and " + data.not_drawn + " more were not drawn. Open the other children's ecomaps " +
      "one at a time, or use depth 1." : "";
    fillWarnings(data);
    fillChanges(data);
    fillLegend(data);
    fillTables(data);
    fillPathChoices(data);
    var expandedNote = data.not_expandable.length ?
      " Nothing more you may see about: " + data.not_expandable.join(", ") + "." : "";
    status(data.nodes.length + " nodes, " + data.edges.length + " connections, as of " +
           data.as_of + "." + expandedNote + (data.labels_not_drawn ? " " + data.labels_not_drawn +
           " line labels had no room on the map: hover over a line, or read the tables below." : "") + (state.zoomed ? " Shown at a readable size from the " +
           "child outwards: drag the map to see the rest, or read the tables below." : ""));
    root.dataset.ready = "1";
    root.dataset.eventId = data.event_id;
  }

  // What changed between the date compared with (the last conference unless one is chosen)
  // and the as-of date; the same changes are marked on the map.
  function fillChanges(data) {
    var list = el("changes");
    clear(list);
    el("changes-what").textContent = data.changes_since ?
      "From " + data.changes_since + " (" + (el("since").value ? "chosen" : "the last conference") +
      ") to " + data.as_of + "." : "Choose a date under “Changes since” to compare with.";
    if (data.changes_since && !data.changes.length) { list.appendChild(text("li", "No changes.")); }
    data.changes.forEach(function (c) {
      list.appendChild(text("li", c.date + ": " + c.change + ": " + c.what, "change-" + c.change.replace(" ", "-")));
    });
  }

  // The legend lists what is drawn and nothing else (the server says which).
  function fillLegend(data) {
    var list = el("legend");
    clear(list);
    var lines = { "line-current": "legend-line", "line-ceased": "legend-line legend-dashed",
                  "line-lead": "legend-line legend-lead", "line-new": "legend-line legend-new",
                  "line-ended": "legend-line legend-ended" };
    data.legend.forEach(function (item) {
      var li = document.createElement("li");
      li.dataset.kind = item.kind;
      if (item.shape || lines[item.kind]) {
        var mark = document.createElement("span");
        mark.className = item.shape ? "legend-shape shape-" + item.shape + " kind-" + item.kind
                                    : lines[item.kind];
        mark.setAttribute("aria-hidden", "true");
        li.appendChild(mark);
        li.appendChild(document.createTextNode(" "));
      }
      li.appendChild(document.createTextNode(item.name));
      list.appendChild(li);
    });
  }

  // The box round every node and its label, in canvas units (measured as drawn).
  function drawnBox(network, ids) {
    network.redraw();
    var box = null;
    ids.forEach(function (id) {
      var b = network.getBoundingBox(id);
      if (!b) { return; }
      box = box ? { left: Math.min(box.left, b.left), top: Math.min(box.top, b.top),
                    right: Math.max(box.right, b.right), bottom: Math.max(box.bottom, b.bottom) } : b;
    });
    return box;
  }

  // The whole map, labels included, framed in the canvas with a small margin, at no more
  // than 1.5 times its size (a child alone is not blown up).
  function frame(network, ids, width, height) {
    var box = drawnBox(network, ids), margin = 10;
    if (!box) { network.fit({ animation: false }); return; }
    var scale = Math.min((width - 2 * margin) / Math.max(box.right - box.left, 1),
                         (height - 2 * margin) / Math.max(box.bottom - box.top, 1), 1.5);
    network.moveTo({ position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 },
                     scale: scale, animation: false });
  }

  function fitView() {
    var canvas = el("network").querySelector("canvas");
    frame(state.network, state.data.nodes.map(function (n) { return n.id; }),
          canvas.clientWidth, canvas.clientHeight);
    // Never smaller than readable: a big view is shown from the child outwards at a size its
    // labels can be read at, and dragged to see the rest (everything is in the tables too).
    var options = state.data.options, readable = MIN_LABEL_PX / options.nodes.font.size;
    state.zoomed = state.network.getScale() < readable - 1e-9;
    if (state.zoomed) {
      var at = state.network.getPositions([state.data.nodes[0].id])[state.data.nodes[0].id];
      state.network.moveTo({ position: at, scale: readable, animation: false });
    }
    // The labels' size on screen, for the tests and the screenshots (docs/ecomap-readability.md).
    var scale = state.network.getScale();
    root.dataset.nodeLabelPx = (options.nodes.font.size * scale).toFixed(1);
    root.dataset.edgeLabelPx = (options.edges.font.size * scale).toFixed(1);
  }

  function fillWarnings(data) {
    var list = el("warnings");
    clear(list);
    data.warnings.forEach(function (w) { list.appendChild(text("li", w.message, "warning-" + w.code)); });
    if (data.siblings_not_compared.length && data.level === "network") {
      list.appendChild(text("li", "Siblings whose records you may not open are not compared: " +
                                  data.siblings_not_compared.join(", ") + ".", "hint"));
    }
    if (!list.firstChild) { list.appendChild(text("li", "None.")); }
  }

  function kindName(kind) {
    var found = state.data.legend.filter(function (l) { return l.kind === kind; })[0];
    return found ? found.name : kind;
  }

  function detailText(details) {
    return Object.keys(details).filter(function (k) { return details[k]; })
      .map(function (k) { return k + ": " + details[k]; }).join("; ");
  }

  function fillTables(data) {
    var nodes = el("nodes-table").tBodies[0], edges = el("edges-table").tBodies[0];
    clear(nodes); clear(edges);
    data.nodes.forEach(function (n) {
      var row = document.createElement("tr");
      var name = document.createElement("td");
      var button = text("button", n.label.split("\n")[0], "link-button");
      button.type = "button";
      button.addEventListener("click", function () { select(n.id); el("network").focus(); });
      name.appendChild(button);
      row.appendChild(name);
      row.appendChild(text("td", kindName(n.kind) + (n.lead ? " (lead professional)" : "") +
                                 (n.caf ? " (CAF)" : "")));
      row.appendChild(text("td", detailText(n.details)));
      nodes.appendChild(row);
    });
    data.edges.forEach(function (e) {
      var row = document.createElement("tr");
      if (e.ceased) { row.className = "ceased"; }
      row.appendChild(text("td", state.byId[e.from].label.split("\n")[0]));
      row.appendChild(text("td", e.label.replace(/\n/g, ", ") || e.kind.replace("_", " ")));
      row.appendChild(text("td", state.byId[e.to].label.split("\n")[0]));
      row.appendChild(text("td", e.ceased ? "ceased" : "current"));
      row.appendChild(text("td", e.lead ? "lead professional" : ""));
      row.appendChild(text("td", e.caf ? "CAF" : ""));
      edges.appendChild(row);
    });
  }

  function fillPathChoices(data) {
    ["path-from", "path-to"].forEach(function (id, i) {
      var select = el(id), previous = select.value;
      clear(select);
      data.nodes.forEach(function (n) {
        var option = text("option", n.label.split("\n")[0] + " (" + kindName(n.kind) + ")");
        option.value = n.id;
        select.appendChild(option);
      });
      select.value = previous || (i === 0 ? data.nodes[0].id : (data.nodes[1] || data.nodes[0]).id);
    });
  }

  function link(href, label) {
    var a = text("a", label);
    a.href = href;
    return a;
  }

  function select(nodeId) {
    var n = state.byId[nodeId];
    if (!n) { return; }
    state.cursor = state.order.indexOf(nodeId);
    state.network.selectNodes([nodeId]);
    keepInView(nodeId);
    var list = el("details-list"), actions = el("details-actions");
    clear(list); clear(actions);
    list.appendChild(text("dt", "Kind"));
    list.appendChild(text("dd", kindName(n.kind)));
    Object.keys(n.details).forEach(function (key) {
      if (!n.details[key]) { return; }
      list.appendChild(text("dt", key.charAt(0).toUpperCase() + key.slice(1)));
      list.appendChild(text("dd", n.details[key]));
    });
    if (n.lead) { list.appendChild(text("dt", "Lead professional")); list.appendChild(text("dd", "yes")); }
    if (n.caf) { list.appendChild(text("dt", "CAF")); list.appendChild(text("dd", "holds a CAF assessment")); }
    if (n.group_of) {
      // The group opens on demand: the box, Enter on it, or the checkbox above the map.
      var open = text("button", "Show each of the " + n.group_of + " siblings");
      open.type = "button";
      open.addEventListener("click", function () {
        el("group-siblings").checked = false;
        load().then(function () { el("network").focus(); });
      });
      actions.appendChild(open);
    }
    if (n.child_id && n.child_id !== root.dataset.childId) {
      if (!n.expanded && state.expand.indexOf(n.child_id) < 0) {
        var expand = text("button", "Expand this child's network");
        expand.type = "button";
        expand.addEventListener("click", function () {
          state.expand.push(n.child_id);
          load().then(function () { select(nodeId); });
        });
        actions.appendChild(expand);
        actions.appendChild(document.createTextNode(" "));
      }
      if (n.sibling_of_root) {
        actions.appendChild(link(root.dataset.siblingUrl.replace("SIBLING_ID", encodeURIComponent(n.child_id)),
                                 "Open this sibling's page"));
        actions.appendChild(document.createTextNode(" "));
      }
      if (n.opens_ecomap) {
        actions.appendChild(link(root.dataset.ecomapUrl.replace("CHILD_ID", encodeURIComponent(n.child_id)),
                                 "Open this child's ecomap"));
      }
    }
    if (n.household_id) {
      actions.appendChild(link(root.dataset.householdUrl.replace("HOUSEHOLD_ID",
                                                                  encodeURIComponent(n.household_id)),
                               "Open the household"));
    }
    el("details").hidden = false;
  }

  // Pan only when the node is off screen (the keyboard reached it), so a click never moves the map.
  function keepInView(nodeId) {
    var at = state.network.canvasToDOM(state.network.getPositions([nodeId])[nodeId]);
    var box = el("network").getBoundingClientRect(), margin = 40;
    if (at.x < margin || at.y < margin || at.x > box.width - margin || at.y > box.height - margin) {
      state.network.focus(nodeId, { scale: state.network.getScale(), animation: false });
    }
  }

  function closeDetails() {
    el("details").hidden = true;
    if (state.network) { state.network.unselectAll(); }
  }

  el("network").addEventListener("keydown", function (event) {
    if (!state.order.length) { return; }
    var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (step) {
      event.preventDefault();
      state.cursor = (state.cursor + step + state.order.length) % state.order.length;
      select(state.order[state.cursor]);
      status(state.byId[state.order[state.cursor]].label.replace(/\n/g, ", "));
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      select(state.order[Math.max(state.cursor, 0)]);
    } else if (event.key === "Escape") {
      closeDetails();
    }
  });
  el("details-close").addEventListener("click", closeDetails);

  ["as-of", "since", "depth", "ceased", "group-siblings"].forEach(function (id) { el(id).addEventListener("change", load); });
  el("controls").addEventListener("submit", function (event) { event.preventDefault(); load(); });

  el("path-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var p = params();
    p.set("from", el("path-from").value);
    p.set("to", el("path-to").value);
    fetch(root.dataset.pathUrl + "?" + p.toString(), { credentials: "same-origin" })
      .then(function (reply) { return reply.json(); })
      .then(function (answer) {
        var list = el("path-result");
        clear(list);
        if (!answer.path.length) {
          list.appendChild(text("li", "Not connected within what you may see."));
          return;
        }
        answer.path.forEach(function (step) {
          list.appendChild(text("li", step.type === "edge" ? "— " + step.label.replace(/\n/g, ", ") + " —"
                                                            : step.label.replace(/\n/g, ", ")));
        });
        state.network.setSelection({
          nodes: answer.path.filter(function (s) { return s.type === "node"; }).map(function (s) { return s.id; }),
          edges: answer.path.filter(function (s) { return s.type === "edge"; }).map(function (s) { return s.id; })
        }, { unselectAll: true, highlightEdges: false });
      });
  });

  function recordExport(kind) {
    return window.EcomapShared.recordExport(root, {
      kind: kind, as_of: el("as-of").value, depth: el("depth").value,
      ceased: el("ceased").checked ? "1" : "0", expand: state.expand.join(","), since: el("since").value });
  }

  function footerLines(record) {
    return [record.marking + " · " + state.data.child.name + " (" + state.data.child.id + ") · as of " +
              state.data.as_of,
            "exported by " + record.viewer + " at " + record.at + " · audit event " + record.event_id];
  }

  function footerText(record) { return footerLines(record).join(" · "); }

  // The map as exported: what is on screen, or, when the siblings' group is open, the same
  // view drawn again off screen with the group collapsed (an export shows it with its count).
  function exportCanvas() {
    var shown = el("network").querySelector("canvas");
    if (!state.data.siblings_open) { return Promise.resolve({ canvas: shown, done: function () {} }); }
    var p = params();
    p.delete("siblings");
    return fetch(root.dataset.networkUrl + "?" + p.toString(), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (reply) {
      if (!reply.ok) { throw new Error("The network could not be loaded (" + reply.status + ")."); }
      return reply.json();
    }).then(function (data) {
      var off = document.createElement("div");
      off.className = "pack-offscreen";
      off.style.width = shown.clientWidth + "px";
      off.style.height = shown.clientHeight + "px";
      document.body.appendChild(off);
      var network = new vis.Network(off, { nodes: new vis.DataSet(data.nodes.map(visNode)),
                                           edges: new vis.DataSet(data.edges.map(visEdge)) }, data.options);
      frame(network, data.nodes.map(function (n) { return n.id; }), shown.clientWidth, shown.clientHeight);
      network.redraw();
      return { canvas: off.querySelector("canvas"), done: function () { network.destroy(); off.remove(); } };
    });
  }

  el("export-png").addEventListener("click", function () {
    recordExport("png").then(function (record) {
      return exportCanvas().then(function (drawn) { return [record, drawn]; });
    }).then(function (made) {
      var record = made[0], source = made[1].canvas;
      var footer = 56, out = document.createElement("canvas");
      out.width = source.width;
      out.height = source.height + footer;
      var ctx = out.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.drawImage(source, 0, 0);
      ctx.fillStyle = "#0b0c0c";
      ctx.fillRect(0, source.height, out.width, footer);
      ctx.fillStyle = "#ffffff";
      ctx.font = "bold 15px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      footerLines(record).forEach(function (line, i) {  // two lines, so a narrow map need not squeeze them
        ctx.fillText(line, 12, source.height + 17 + 22 * i, out.width - 24);
      });
      made[1].done();
      window.EcomapShared.downloadPng(
        out, "ecomap-" + state.data.child.id + "-" + state.data.as_of + ".png", function () {
          status("PNG exported; recorded as audit event " + record.event_id + ".");
        });
    }).catch(function (error) { status(error.message); });
  });

  // The conference pack: its own page for the same view (the server records it first).
  el("export-pack").addEventListener("click", function () {
    window.location.href = root.dataset.packUrl + "?" + params().toString();
  });

  el("export-print").addEventListener("click", function () {
    recordExport("print").then(function (record) {
      el("print-footer").textContent = footerText(record);
      status("Print recorded as audit event " + record.event_id + ".");
      root.classList.add("print-ready");
      state.network.setSize(PRINT_SIZE[0], PRINT_SIZE[1]);  // the printed size, then fit to it
      fitView();
      window.print();
    }).catch(function (error) { status(error.message); });
  });

  // The canvas's own "Save image as…" would make an export with no record and no footer.
  el("network").addEventListener("contextmenu", function (event) {
    event.preventDefault();
    status("To save this map, use Export PNG: exports are recorded and carry the footer.");
  });

  window.addEventListener("afterprint", function () {
    root.classList.remove("print-ready");  // a later print needs the button (and a record) again
    if (state.network) { state.network.setSize("100%", "100%"); fitView(); }
  });

  restore();
  load();
}());
