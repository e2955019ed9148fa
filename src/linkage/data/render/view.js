/* linkage network view: reads the page's JSON data block and draws it with vis-network.
   Every record-derived string is put into the page with textContent, never as HTML.
   vis-network keeps its nodes in plain objects keyed by node id, so an id such as
   "constructor" or "toString" (a location id, an operation name) would find a built-in
   there and its physics would recurse until the stack overflows: vis-network is only ever
   given a node's position in data.nodes as its id, and this script's own maps have no
   prototype. */
(function () {
  "use strict";
  var times = { start: performance.now() };
  var data = JSON.parse(document.getElementById("view-data").textContent);
  times.parsed = performance.now();
  var styles = data.styles || {};
  var edgeStyles = data.edgeStyles || {};
  var container = document.getElementById("graph");
  var status = document.getElementById("status");
  var panel = document.getElementById("selected");
  var tooltip = document.getElementById("tooltip");
  var LINK = /^[A-Za-z0-9_.\/-]+\.html$/;
  var NONE = "(none)";
  var big = data.nodes.length > 1500;
  function map() { return Object.create(null); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function factsOf(item, kind) {
    var heading = kind === "node" ? item.label : (edgeStyles[item.type] ? edgeStyles[item.type].label : item.type);
    return { heading: heading, facts: item.facts || [] };
  }
  function tipElement(item, kind) {
    var f = factsOf(item, kind);
    var div = el("div", null, "tip");
    div.appendChild(el("b", f.heading));
    f.facts.forEach(function (pair) {
      div.appendChild(document.createElement("br"));
      div.appendChild(document.createTextNode(pair[0] + ": " + pair[1]));
    });
    return div;
  }

  var byId = map();      /* node id -> its record */
  var indexOf = map();   /* node id -> its position in data.nodes: vis-network's id for it */
  var groups = {};
  Object.keys(styles).forEach(function (key) {
    var st = styles[key];
    groups[key] = { shape: st.shape, size: st.size || 10, font: { size: st.font || 12 },
                    color: { background: st.color, border: "#2b2b2b", highlight: { background: "#ffe066", border: "#000000" } } };
  });
  /* "light" labels: on big views vis-network gets no labels (making 5,000 label objects costs a
     fifth of a second); the names of the nodes on screen are drawn once the view is zoomed in */
  var lightLabels = !!data.lightLabels;
  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  function visNode(n, i) {
    byId[n.id] = n;
    indexOf[n.id] = i;
    var o = { id: i, x: n.x, y: n.y, group: n.s };
    if (!lightLabels) o.label = n.label;
    if (n.size) o.size = n.size;
    if (n.la) {
      o.color = { background: (styles[n.s] || {}).color, border: "#ff7f0e", highlight: { background: "#ffe066", border: "#000000" } };
      o.borderWidth = 3;
    } else if (typeof n.color === "string" && COLOUR.test(n.color)) {
      /* a cluster's colour: its risk (given with its style, not its group: vis-network puts a group's colour
         back over a node's own whenever the node is updated) */
      var st = styles[n.s] || {};
      delete o.group;
      o.shape = st.shape || "dot";
      o.size = n.size || st.size || 10;
      o.font = { size: st.font || 12 };
      o.color = { background: n.color, border: "#2b2b2b", highlight: { background: "#ffe066", border: "#000000" } };
    }
    return o;
  }
  var visNodes = data.nodes.map(visNode);
  function nodeOf(visId) { return typeof visId === "number" ? data.nodes[visId] : undefined; }
  function visIds(ids) { return ids.filter(function (id) { return id in indexOf; }).map(function (id) { return indexOf[id]; }); }
  function visEdge(e, i) {
    var st = edgeStyles[e.type] || {};
    return { id: i, from: indexOf[e.from], to: indexOf[e.to], color: { color: st.color || "#9aa3b2", opacity: 0.8 },
             dashes: !!st.dashes, width: Math.min(1 + Math.log(1 + (e.w || 1)), 6) };
  }
  var visEdges = data.edges.map(visEdge);
  /* "light" links: on big views the links are not vis-network edge objects (building 10,000 of
     them costs most of a second) but one layer drawn before the nodes, per link type */
  var light = !!data.lightEdges;
  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(light ? [] : visEdges);
  var options = {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: data.seed || 0 },
    physics: data.physics ? { enabled: true, solver: "barnesHut", stabilization: { enabled: true, iterations: 60, fit: true },
                              barnesHut: { springLength: 90, avoidOverlap: 0.2 } } : { enabled: false },
    interaction: { hover: true, tooltipDelay: 100, hideEdgesOnDrag: big, hideEdgesOnZoom: big, multiselect: true },
    edges: { smooth: false, selectionWidth: 2 },
    nodes: { borderWidthSelected: 3 },
    groups: groups
  };
  times.datasets = performance.now();
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  times.network = performance.now();
  var hiddenNodes = [], hiddenEdges = [];
  if (light) {
    var buckets = map();
    data.edges.forEach(function (e, i) {
      var key = Object.prototype.hasOwnProperty.call(edgeStyles, e.type) ? e.type : "other";
      (buckets[key] = buckets[key] || []).push(i);
    });
    network.on("beforeDrawing", function (ctx) {
      var body = network.body.nodes;  /* vis-network 9 internals: the drawn node objects and positions */
      var shown = [];
      network.body.nodeIndices.forEach(function (id) { var n = body[id]; if (n && !n.options.hidden) shown[id] = n; });
      ctx.save();
      ctx.lineWidth = 1;
      Object.keys(buckets).forEach(function (key) {
        var st = edgeStyles[key] || {};
        ctx.strokeStyle = st.color || "#9aa3b2";
        ctx.globalAlpha = 0.7;
        ctx.setLineDash(st.dashes ? [6, 4] : []);
        ctx.beginPath();
        buckets[key].forEach(function (i) {
          if (hiddenEdges[i]) return;
          var a = shown[visEdges[i].from], b = shown[visEdges[i].to];
          if (!a || !b) return;
          ctx.moveTo(a.x, a.y);
          ctx.lineTo(b.x, b.y);
        });
        ctx.stroke();
      });
      ctx.restore();
    });
  }
  if (lightLabels) {
    network.on("afterDrawing", function (ctx) {
      var scale = network.getScale();
      if (scale < 0.7) return;
      var body = network.body.nodes;
      var box = network.getViewPosition(), canvas = container.getBoundingClientRect();
      var halfW = canvas.width / 2 / scale, halfH = canvas.height / 2 / scale;
      var drawn = 0;
      ctx.save();
      ctx.font = "12px sans-serif";
      ctx.fillStyle = "#1d2433";
      ctx.textAlign = "center";
      network.body.nodeIndices.forEach(function (id) {
        var n = body[id], d = nodeOf(id);
        if (!n || !d || n.options.hidden || drawn > 1500) return;
        if (Math.abs(n.x - box.x) > halfW || Math.abs(n.y - box.y) > halfH) return;
        ctx.fillText(String(d.label), n.x, n.y + (n.options.size || 10) + 12);
        drawn += 1;
      });
      ctx.restore();
    });
  }
  network.once("afterDrawing", function () {
    times.drawn = performance.now();
    window.linkageTimes = times;
    window.linkageReady = performance.now();
    /* the one link count (docs/safeguarding-lead.md): a pair of nodes and one kind of tie is one link, as
       data.edges holds them; on the overview drawn as clusters a line stands for the links between two groups */
    var grouped = data.nodes.some(function (n) { return n.type === "cluster" || n.type === "group"; });
    status.textContent = grouped ? data.nodes.length + " clusters and groups drawn, " + data.edges.length + " lines between them"
                                 : data.nodes.length + " nodes, " + data.edges.length + " links";
  });

  /* tooltips: our own element, filled with text nodes. It sits outside #graph (vis-network empties
     its container when it draws) and is placed in the window from the pointer's position on the
     canvas, kept inside the window. */
  function showTip(item, kind, pointer) {
    tooltip.textContent = "";
    tooltip.appendChild(tipElement(item, kind));
    tooltip.hidden = false;
    var box = container.getBoundingClientRect();
    var x = box.left + pointer.x + 14, y = box.top + pointer.y + 14;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = Math.max(4, box.left + pointer.x - 14 - w);
    if (y + h > window.innerHeight - 4) y = Math.max(4, box.top + pointer.y - 14 - h);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  function hideTip() { tooltip.hidden = true; }
  network.on("hoverNode", function (p) { if (nodeOf(p.node)) showTip(nodeOf(p.node), "node", p.pointer.DOM); });
  network.on("hoverEdge", function (p) { if (data.edges[p.edge]) showTip(data.edges[p.edge], "edge", p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  container.addEventListener("mouseleave", hideTip);

  /* the selected node's facts, and its page when it has one; then what overview.js adds (expand, collapse) */
  var selectHooks = [];
  function showSelected(id) {
    panel.textContent = "";
    var n = byId[id];
    if (!n) return;
    var heading = el("h2", n.label);
    heading.style.whiteSpace = "pre-line";  /* a cluster's label is three lines */
    panel.appendChild(heading);
    var table = el("table", null, "facts");
    (n.facts || []).forEach(function (pair) {
      var tr = el("tr");
      tr.appendChild(el("th", pair[0]));
      tr.appendChild(el("td", pair[1]));
      table.appendChild(tr);
    });
    panel.appendChild(table);
    if (n.link && LINK.test(n.link)) {
      var a = el("a", "open its page");
      a.href = n.link;
      panel.appendChild(a);
    }
    selectHooks.forEach(function (hook) { hook(n, panel); });
  }
  network.on("click", function (p) { if (p.nodes.length === 1 && nodeOf(p.nodes[0])) showSelected(nodeOf(p.nodes[0]).id); });
  network.on("doubleClick", function (p) {
    if (p.nodes.length !== 1) return;
    if (network.isCluster(p.nodes[0])) { network.openCluster(p.nodes[0]); return; }
    var n = nodeOf(p.nodes[0]);
    if (n && n.link && LINK.test(n.link)) window.location.href = n.link;
  });

  /* legend */
  var legend = document.getElementById("legend");
  var used = map();
  data.nodes.forEach(function (n) { used[n.s] = true; });
  Object.keys(styles).forEach(function (key) {
    if (!used[key]) return;
    var row = el("div", null, "legend-item");
    var sw = el("span", null, "swatch " + (styles[key].shape === "dot" ? "dot" : styles[key].shape === "diamond" ? "diamond" : ""));
    sw.style.background = styles[key].color;
    row.appendChild(sw);
    row.appendChild(el("span", styles[key].label + " (" + styles[key].shape + ")"));
    legend.appendChild(row);
  });
  if (data.nodes.some(function (n) { return n.la; })) {
    var ring = el("div", null, "legend-item");
    var s = el("span", null, "swatch dot");
    s.style.border = "3px solid #ff7f0e";
    ring.appendChild(s);
    ring.appendChild(el("span", "orange ring: looked-after child"));
    legend.appendChild(ring);
  }
  var usedEdges = map();
  data.edges.forEach(function (e) { usedEdges[e.type] = true; });
  Object.keys(edgeStyles).forEach(function (key) {
    if (!usedEdges[key]) return;
    var row = el("div", null, "legend-item");
    var sw = el("span", null, "swatch line");
    sw.style.background = edgeStyles[key].color;
    if (edgeStyles[key].dashes) sw.style.opacity = "0.6";
    row.appendChild(sw);
    row.appendChild(el("span", edgeStyles[key].label + (edgeStyles[key].dashes ? " (dashed)" : "")));
    legend.appendChild(row);
  });

  /* filters: type, BCU, role, time window */
  var filterBoxes = map();
  function values(field) {
    var seen = map();
    data.nodes.forEach(function (n) { seen[n[field] || NONE] = true; });
    ((data.overview || {}).extra || []).forEach(function (n) { seen[n[field] || NONE] = true; });
    return Object.keys(seen).sort();
  }
  function buildChecks(field, holder) {
    filterBoxes[field] = map();
    values(field).forEach(function (value) {
      var label = el("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.checked = true;
      box.addEventListener("change", applyFilters);
      filterBoxes[field][value] = box;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + value));
      holder.appendChild(label);
    });
  }
  buildChecks("type", document.getElementById("filter-type"));
  buildChecks("bcu", document.getElementById("filter-bcu"));
  buildChecks("role", document.getElementById("filter-role"));
  var fromInput = document.getElementById("time-from");
  var toInput = document.getElementById("time-to");
  var dates = [];
  data.nodes.forEach(function (n) { if (n.t0) dates.push(n.t0.slice(0, 10)); if (n.t1) dates.push(n.t1.slice(0, 10)); });
  data.edges.forEach(function (e) { if (e.start) dates.push(e.start.slice(0, 10)); if (e.end) dates.push(e.end.slice(0, 10)); });
  dates.sort();
  if (dates.length) {
    fromInput.min = toInput.min = dates[0];
    fromInput.max = toInput.max = dates[dates.length - 1];
  }
  fromInput.addEventListener("change", applyFilters);
  toInput.addEventListener("change", applyFilters);

  function outside(t0, t1, from, to) {
    if (!t0 && !t1) return false;
    var a = (t0 || t1).slice(0, 10), b = (t1 || t0).slice(0, 10);
    return (from && b < from) || (to && a > to);
  }
  /* folded[i]: node i is not on screen whatever the filters say (overview.js: a collapsed cluster's members,
     an expanded cluster's super-node) */
  var folded = [], edgeFolded = [];
  function ticked(field, value) { var box = filterBoxes[field][value || NONE]; return !box || box.checked; }
  function applyFilters() {
    var from = fromInput.value, to = toInput.value;
    var updates = [];
    data.nodes.forEach(function (n, i) {
      var hide = !!folded[i] || !ticked("type", n.type) || !ticked("bcu", n.bcu) || !ticked("role", n.role) ||
                 outside(n.t0, n.t1, from, to);
      if (hide !== !!hiddenNodes[i]) { hiddenNodes[i] = hide; updates.push({ id: i, hidden: hide }); }
    });
    nodes.update(updates);
    var edgeUpdates = [];
    data.edges.forEach(function (e, i) {
      var hide = !!edgeFolded[i] || outside(e.start, e.end, from, to);
      if (hide !== !!hiddenEdges[i]) { hiddenEdges[i] = hide; edgeUpdates.push({ id: i, hidden: hide }); }
    });
    if (light) network.redraw(); else edges.update(edgeUpdates);
    var all = data.nodes.length - folded.filter(Boolean).length;
    var shown = data.nodes.length - hiddenNodes.filter(function (hidden) { return hidden; }).length;
    status.textContent = shown + " of " + all + " nodes shown";
    return shown;
  }
  document.getElementById("reset").addEventListener("click", function () {
    Object.keys(filterBoxes).forEach(function (f) { Object.keys(filterBoxes[f]).forEach(function (v) { filterBoxes[f][v].checked = true; }); });
    fromInput.value = toInput.value = "";
    applyFilters();
    network.fit();
  });

  /* search: every spelling of a node (its label and id, plus data.search: a person's name and record id
     on each of its records, a place's name and postcode; on the aggregated overview, the members inside
     each cluster or group), scored with rapidfuzz's WRatio (fuzzy.js), best first */
  var fuzzy = window.linkageFuzzy;
  var MIN_SCORE = 60, MAX_RESULTS = 20;
  var searchBox = document.getElementById("search");
  var resultList = document.getElementById("search-results");
  var spellings = null;  /* built on the first search: [node position, kind, processed text, text, who] */
  function allSpellings() {
    if (spellings) return spellings;
    spellings = [];
    function add(i, kind, text, who) {
      var processed = fuzzy.process(text);
      spellings.push([i, kind, processed, String(text), who, fuzzy.wordsLength(processed)]);
    }
    data.nodes.forEach(function (n, i) { add(i, "label", n.label, null); add(i, "id", n.id, null); });
    (data.search || []).forEach(function (r) { add(r[0], r[1], r[2], r[3]); });
    return spellings;
  }
  /* the matches of query scoring MIN_SCORE or more, best first (exhaustive: score every spelling,
     without the shortcut of fuzzy.couldReach; for the tests) */
  function rank(query, exhaustive) {
    var q = fuzzy.process(query);
    if (!q) return [];
    var asked = fuzzy.queryOf(q);
    var scoreOf = new Map(), best = new Map();
    allSpellings().forEach(function (s) {
      if ((hiddenNodes[s[0]] && !folded[s[0]]) || !data.nodes[s[0]]) return;  /* an expanded cluster still finds its members */
      var score = scoreOf.get(s[2]);
      if (score === undefined) {
        score = exhaustive || fuzzy.couldReach(asked, s[2], s[5], MIN_SCORE) ? fuzzy.wratioProcessed(q, s[2]) : 0;
        scoreOf.set(s[2], score);
      }
      if (score < MIN_SCORE) return;
      var key = s[0] + "\u0000" + (s[4] === null || s[4] === undefined ? "" : s[4]);
      var b = best.get(key);
      if (!b || score > b.score) best.set(key, { node: s[0], who: s[4], kind: s[1], text: s[3], score: score });
    });
    function name(h) { return String(h.who === null || h.who === undefined ? data.nodes[h.node].label : h.who); }
    return Array.from(best.values()).sort(function (a, b) {
      return b.score - a.score || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0) || a.node - b.node;
    });
  }
  function choose(hit) {
    var n = data.nodes[hit.node];
    network.selectNodes([hit.node]);
    network.focus(hit.node, { scale: Math.max(network.getScale(), 1), animation: false });
    showSelected(n.id);
    if (hit.who !== null && hit.who !== undefined) panel.insertBefore(el("p", hit.who + " is inside " + n.label, "note"), panel.firstChild);
  }
  function showResults(hits, query) {
    resultList.textContent = "";
    if (!String(query || "").trim()) { resultList.hidden = true; return; }
    resultList.hidden = false;
    resultList.appendChild(el("h2", hits.length ? "Found" : "Nothing scores " + MIN_SCORE + " or more"));
    var list = el("ol");
    hits.slice(0, MAX_RESULTS).forEach(function (hit) {
      var item = el("li");
      var button = el("button", hit.who !== null && hit.who !== undefined ? hit.who + " (in " + data.nodes[hit.node].label + ")"
                                                                             : data.nodes[hit.node].label, "link");
      button.type = "button";
      button.addEventListener("click", function () { choose(hit); });
      item.appendChild(button);
      item.appendChild(el("span", " " + Math.round(hit.score) + ": " + hit.kind + " \u201c" + hit.text + "\u201d", "note"));
      list.appendChild(item);
    });
    resultList.appendChild(list);
    if (hits.length > MAX_RESULTS) resultList.appendChild(el("p", "and " + (hits.length - MAX_RESULTS) + " more", "note"));
  }
  function search(query) {
    if (!String(query || "").trim()) { network.unselectAll(); showResults([], query); return []; }
    var hits = rank(query);
    showResults(hits, query);
    if (hits.length) choose(hits[0]); else network.unselectAll();
    status.textContent = hits.length + " found for \u201c" + query + "\u201d";
    var seen = new Set(), ids = [];
    hits.forEach(function (h) { if (!seen.has(h.node)) { seen.add(h.node); ids.push(data.nodes[h.node].id); } });
    return ids;
  }
  searchBox.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(searchBox.value); });
  document.getElementById("search-go").addEventListener("click", function () { search(searchBox.value); });

  window.linkageView = {
    network: network, nodes: nodes, edges: edges, data: data, search: search, rank: rank, applyFilters: applyFilters,
    tooltip: function (id) { return byId[id] ? tipElement(byId[id], "node") : null; },
    select: showSelected,
    /* the DOM and lookup helpers the page's other scripts (paths.js) share */
    el: el, map: map,
    /* for overview.js: nodes and links added after the page opened (appended to data.nodes and data.edges, so
       that hover, selection and search treat them as the page's own), the folded nodes, the selection hooks */
    /* (in one DataSet call each: vis-network redraws its whole body on every call) */
    addNodes: function (records) {
      var start = data.nodes.length;
      nodes.add(records.map(function (n, k) { data.nodes.push(n); return visNode(n, start + k); }));
      return records.map(function (n, k) { return start + k; });
    },
    addEdges: function (records) {
      var start = data.edges.length;
      var made = records.map(function (e, k) {
        var i = start + k, v = visEdge(e, i);
        data.edges.push(e);
        visEdges.push(v);
        if (light) { var key = Object.prototype.hasOwnProperty.call(edgeStyles, e.type) ? e.type : "other"; (buckets[key] = buckets[key] || []).push(i); }
        return v;
      });
      if (!light) edges.add(made);
      return made.map(function (v) { return v.id; });
    },
    indexOf: function (id) { return indexOf[id]; }, folded: folded, edgeFolded: edgeFolded, onSelect: function (hook) { selectHooks.push(hook); },
    shown: function (i) { return i !== undefined && !hiddenNodes[i]; },
    /* the ids of the selected nodes (vis-network's own ids are positions in data.nodes) */
    selected: function () { return network.getSelectedNodes().map(nodeOf).filter(Boolean).map(function (n) { return n.id; }); }
  };
})();
