/* linkage overview: expanding clusters in place, expanding a node's neighbours, and the BCU regions.
   Runs after view.js and uses window.linkageView. Everything it shows comes from the page's data, computed
   in Python (render/_overview.py): data.overview carries the members of the clusters drawn and their
   neighbours ("extra" nodes, already placed around the super-node that stands for each), the links among
   them, and "stubs" (a carried node's links to the nodes another super-node holds, counted); data.regions
   carries each node's position in its BCU's box and the links between each pair of BCUs. Every
   record-derived string goes into the page with textContent (or onto the canvas with fillText). */
(function () {
  "use strict";
  var view = window.linkageView;
  if (!view) return;
  var data = view.data, network = view.network, el = view.el, map = view.map;
  var ov = data.overview, regions = data.regions;
  var legend = document.getElementById("legend");
  var status = document.getElementById("status");
  var api = { expanded: function () { return []; } };
  window.linkageOverview = api;

  function button(text, action, id) {
    var b = el("button", text, "link");
    b.type = "button";
    if (id) b.id = id;
    b.addEventListener("click", action);
    var p = el("p");  /* a line of its own, under the facts and the page link */
    p.appendChild(b);
    b.holder = p;
    return b;
  }

  if (ov) {
    /* the risk colours of the clusters */
    if (ov.risk && ov.risk.highest > 0) {
      legend.appendChild(el("div", "cluster colour: risk score (clusters.csv)", "legend-item"));
      ov.risk.colours.forEach(function (colour, k) {
        var row = el("div", null, "legend-item");
        var sw = el("span", null, "swatch dot");
        sw.style.background = colour;
        row.appendChild(sw);
        var lo = ov.risk.highest * k / ov.risk.colours.length, hi = ov.risk.highest * (k + 1) / ov.risk.colours.length;
        row.appendChild(el("span", "risk " + Math.round(lo) + " to " + Math.round(hi)));
        legend.appendChild(row);
      });
    }
    var extraById = map(), byHolder = map(), neighbours = map(), edgesOf = map(), stubsOf = map(), stubsTo = map();
    var loaded = false;
    /* the carried nodes, their links and stubs are a data block of their own, parsed on the first expand or
       selection: the page opens without reading them */
    function load() {
      if (loaded) return;
      loaded = true;
      var block = document.getElementById("overview-data");
      var carried = block ? JSON.parse(block.textContent) : {};
      ov.extra = carried.extra || [];
      ov.extraEdges = carried.extraEdges || [];
      ov.extra.forEach(function (n) { extraById[n.id] = n; (byHolder[n.in] = byHolder[n.in] || []).push(n.id); });
      ov.extraEdges.forEach(function (e, k) {
        push(neighbours, e.from, e.to); push(neighbours, e.to, e.from); push(edgesOf, e.from, k); push(edgesOf, e.to, k);
      });
      /* stubs arrive as [carried node, super-node, links, carried nodes at the far end]: made link records here */
      ov.stubs = (carried.stubs || []).map(function (s) {
        return { from: s[0], to: s[1], n: s[2], others: s[3], type: "aggregate", w: Math.log(1 + s[2]), facts: [["links", String(s[2])]] };
      });
      ov.stubs.forEach(function (s, k) { push(stubsOf, s.from, k); push(stubsTo, s.to, s.from); });
    }
    function push(table, key, value) { (table[key] = table[key] || []).push(value); }
    var edgeAt = [], stubAt = [];   /* extraEdges / stubs position -> its position in data.edges, once added */
    var expanded = map();
    var folded = view.folded, edgeFolded = view.edgeFolded;

    function isShown(id) { var i = view.indexOf(id); return i !== undefined && !folded[i]; }
    /* put carried nodes on the page (once each), with their links to nodes already there */
    function add(ids) {
      var fresh = ids.filter(function (id, k) { return view.indexOf(id) === undefined && ids.indexOf(id) === k; });
      view.addNodes(fresh.map(function (id) { return extraById[id]; }));
      var links = [], stubs = [];
      fresh.forEach(function (id) {
        (edgesOf[id] || []).forEach(function (k) {
          var e = ov.extraEdges[k];
          if (edgeAt[k] === undefined && view.indexOf(e.from) !== undefined && view.indexOf(e.to) !== undefined) { edgeAt[k] = -1; links.push(k); }
        });
        (stubsOf[id] || []).forEach(function (k) { if (stubAt[k] === undefined) { stubAt[k] = -1; stubs.push(k); } });
      });
      view.addEdges(links.map(function (k) { return ov.extraEdges[k]; })).forEach(function (i, j) { edgeAt[links[j]] = i; });
      view.addEdges(stubs.map(function (k) { return ov.stubs[k]; })).forEach(function (i, j) { stubAt[stubs[j]] = i; });
    }
    /* a stub is drawn while both its ends are, counting the links not drawn as themselves */
    function refresh() {
      load();
      ov.stubs.forEach(function (s, k) {
        var i = stubAt[k];
        if (i === undefined) return;
        var left = s.n - s.others.filter(isShown).length;
        edgeFolded[i] = left <= 0;
        data.edges[i].facts = [["links", String(left)], ["to", view.data.nodes[view.indexOf(s.to)].label]];
      });
      view.applyFilters();
      var open = Object.keys(expanded);
      status.textContent = open.length ? open.length + " cluster(s) expanded" : status.textContent;
      view.network.redraw();
    }
    function show(ids, on) { ids.forEach(function (id) { var i = view.indexOf(id); if (i !== undefined) folded[i] = !on; }); }

    function expand(superId) {
      load();
      var ids = byHolder[superId] || [];
      if (!ids.length || expanded[superId]) return [];
      if (regionsOn) setRegions(false);
      add(ids);
      show(ids, true);
      show([superId], false);
      expanded[superId] = true;
      refresh();
      return ids.slice();
    }
    function collapse(superId) {
      if (!expanded[superId]) return;
      show(byHolder[superId] || [], false);
      show([superId], true);
      delete expanded[superId];
      refresh();
    }
    /* a node's neighbours the page carries: the carried nodes tied to it */
    function neighboursOf(id) {
      load();
      var out = (neighbours[id] || []).slice();
      if (!extraById[id]) out = out.concat(stubsTo[id] || []);  /* a business drawn as itself */
      return out.filter(function (x, k) { return out.indexOf(x) === k; });
    }
    function expandNeighbours(id) {
      if (regionsOn) setRegions(false);
      var fresh = neighboursOf(id).filter(function (x) { return !isShown(x); });
      add(fresh);
      show(fresh, true);
      refresh();
      return fresh;
    }

    /* the selected node's buttons */
    view.onSelect(function (n, panel) {
      var members = ov.members[n.id];
      if (members) {
        if (!members.carried) panel.appendChild(el("p", "Its members are not carried in this page (views.overview_members): open its page.", "note"));
        else if (expanded[n.id]) panel.appendChild(button("collapse " + n.id, function () { collapse(n.id); view.select(n.id); }, "collapse").holder);
        else panel.appendChild(button("expand " + n.id + " in place", function () { expand(n.id); view.select(n.id); }, "expand").holder);
        if (members.carried && members.carried < members.n)
          panel.appendChild(el("p", "Expands to its " + members.carried + " most linked members of " + members.n + " (views.overview_members).", "note"));
      }
      if (extraById[n.id] && expanded[n.in]) panel.appendChild(button("collapse " + n.in, function () { collapse(n.in); view.select(n.in); }, "collapse").holder);
      if (n.type !== "cluster" && n.type !== "group") {
        var near = neighboursOf(n.id), hidden = near.filter(function (x) { return !isShown(x); }).length;
        var b = button("expand neighbours (" + hidden + " more)", function () { expandNeighbours(n.id); view.select(n.id); }, "expand-neighbours");
        b.disabled = !hidden;
        panel.appendChild(b.holder);
        if (n.deg !== undefined && n.deg > near.length)
          panel.appendChild(el("p", near.length + " of its " + n.deg + " neighbours are in this page's data; the rest are on its cluster's page and in the exports.", "note"));
      }
    });
    /* clicking a cluster expands it in place */
    network.on("click", function (p) {
      if (p.nodes.length !== 1) return;
      var n = data.nodes[p.nodes[0]];
      if (n && n.type === "cluster" && (ov.members[n.id] || {}).carried && !expanded[n.id]) { expand(n.id); view.select(n.id); }
    });
    /* the lines beyond each super-node's strongest few wait for a tick */
    var minor = [];
    data.edges.forEach(function (e, i) { if (e.minor) { minor.push(i); edgeFolded[i] = true; } });
    if (minor.length) {
      var allBox = document.createElement("input");
      allBox.type = "checkbox";
      allBox.id = "all-lines";
      var allLabel = el("label", null, "status");
      allLabel.appendChild(allBox);
      allLabel.appendChild(document.createTextNode(" all lines"));
      var controls = document.querySelector(".controls");
      controls.insertBefore(allLabel, document.getElementById("reset"));
      allBox.addEventListener("change", function () {
        minor.forEach(function (i) { edgeFolded[i] = !allBox.checked || (regionsOn && crosses(i)); });
        view.applyFilters();
      });
      view.applyFilters();
      var said = data.nodes.length + " clusters and groups drawn, " + data.edges.length + " lines between them: each one's " +
                 ov.strongest + " strongest shown (" + (data.edges.length - minor.length) + "); tick \u201call lines\u201d for the other " + minor.length;
      status.textContent = said;
      network.once("afterDrawing", function () { status.textContent = said; });
    }
    api.minorLines = function () { return minor.length; };
    if (ov.note) {
      var aside = document.getElementById("selected");
      aside.parentNode.insertBefore(el("p", ov.note, "note overview-note"), aside.nextSibling);
    }
    api.expand = expand;
    api.collapse = collapse;
    api.expandNeighbours = expandNeighbours;
    api.carried = function () { load(); return { extra: ov.extra, extraEdges: ov.extraEdges }; };
    api.expanded = function () { return Object.keys(expanded).sort(); };
    api.collapseAll = function () {  /* back to the super-nodes alone: every carried node off screen */
      if (!loaded) return;
      expanded = map();
      show(Object.keys(extraById), false);
      show(Object.keys(byHolder), true);
      refresh();
    };
  }

  /* BCU regions: every node moves into its BCU's box; the links between two BCUs are one labelled line */
  var regionsOn = false;
  var box = document.getElementById("bcu-regions");
  var home = null, crossing = [];
  function crosses(i) {
    var e = data.edges[i], a = data.nodes[view.indexOf(e.from)], b = data.nodes[view.indexOf(e.to)];
    return !!(a && b && a.region !== b.region);
  }
  function setRegions(on) {
    if (on === regionsOn || !regions) return;
    if (on && api.collapseAll) api.collapseAll();
    regionsOn = on;
    if (box) box.checked = on;
    var updates = [];
    if (on) {
      home = network.getPositions();
      crossing = [];
      data.edges.forEach(function (e, i) {
        if (!view.edgeFolded[i] && crosses(i)) { view.edgeFolded[i] = true; crossing.push(i); }
      });
      data.nodes.forEach(function (n, i) { if (n.rx !== undefined) updates.push({ id: i, x: n.rx, y: n.ry }); });
    } else {
      crossing.forEach(function (i) { view.edgeFolded[i] = false; });
      Object.keys(home || {}).forEach(function (i) { updates.push({ id: Number(i), x: home[i].x, y: home[i].y }); });
    }
    view.nodes.update(updates);
    view.applyFilters();
    network.fit();
  }
  if (regions) {
    var byName = map();
    regions.regions.forEach(function (r) { byName[r.name] = r; });
    var centre = function (r) { return { x: r.x + r.w / 2, y: r.y + r.h / 2 }; };
    var most = Math.max.apply(null, [1].concat(regions.cross.map(function (c) { return c.n; })));
    network.on("beforeDrawing", function (ctx) {
      if (!regionsOn) return;
      ctx.save();
      regions.regions.forEach(function (r) {
        ctx.fillStyle = "rgba(174, 199, 232, 0.18)";
        ctx.strokeStyle = "#7f8ba3";
        ctx.lineWidth = 2;
        ctx.fillRect(r.x, r.y, r.w, r.h);
        ctx.strokeRect(r.x, r.y, r.w, r.h);
      });
      regions.cross.forEach(function (c) {
        var a = byName[c.a], b = byName[c.b];
        if (!a || !b) return;
        var p = centre(a), q = centre(b);
        ctx.strokeStyle = "rgba(214, 39, 40, 0.55)";
        ctx.lineWidth = (2 + 12 * Math.sqrt(c.n / most)) / network.getScale();
        ctx.beginPath();
        ctx.moveTo(p.x, p.y);
        ctx.lineTo(q.x, q.y);
        ctx.stroke();
      });
      ctx.restore();
    });
    network.on("afterDrawing", function (ctx) {
      if (!regionsOn) return;
      ctx.save();
      var k = 1 / network.getScale();  /* the same size on screen whatever the zoom */
      ctx.font = "bold " + Math.round(16 * k) + "px sans-serif";
      ctx.fillStyle = "#1d2433";
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      regions.regions.forEach(function (r) { ctx.fillText(String(r.name) + " (" + r.nodes + ")", r.x + 6 * k, r.y + 6 * k); });
      ctx.font = "bold " + Math.round(14 * k) + "px sans-serif";
      ctx.textBaseline = "middle";
      ctx.textAlign = "center";
      regions.cross.forEach(function (c) {
        var a = byName[c.a], b = byName[c.b];
        if (!a || !b) return;
        var p = centre(a), q = centre(b), text = c.n + " cross-BCU links";
        var w = ctx.measureText(text).width + 8 * k, x = (p.x + q.x) / 2, y = (p.y + q.y) / 2;
        ctx.fillStyle = "#ffffff";
        ctx.fillRect(x - w / 2, y - 10 * k, w, 20 * k);
        ctx.fillStyle = "#a50f15";
        ctx.fillText(text, x, y);
      });
      ctx.restore();
    });
    /* the same counts as text, beside the drawing */
    var list = document.getElementById("bcu-cross");
    if (list && regions.cross.length) {
      list.appendChild(el("h2", "Links between BCUs"));
      var table = el("table", null, "facts");
      regions.cross.slice().sort(function (x, y) { return y.n - x.n || (x.a < y.a ? -1 : x.a > y.a ? 1 : 0); }).forEach(function (c) {
        var tr = el("tr");
        tr.appendChild(el("th", c.a + " \u2014 " + c.b));
        tr.appendChild(el("td", c.n + " links"));
        table.appendChild(tr);
      });
      list.appendChild(table);
      list.appendChild(el("p", "A link between a node recorded in one BCU and a node recorded in another (people and places).", "note"));
    }
    if (box) box.addEventListener("change", function () { setRegions(box.checked); });
    api.regions = function (on) { setRegions(on); return regionsOn; };
    api.regionLabels = function () { return regionsOn ? regions.regions.map(function (r) { return r.name + " (" + r.nodes + ")"; }) : []; };
    api.crossLabels = function () { return regionsOn ? regions.cross.map(function (c) { return [c.a, c.b, c.n + " cross-BCU links"]; }) : []; };
  }
})();
