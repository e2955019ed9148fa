/* linkage path picker: "how is A connected to B" on a network view, computed in the page from its own nodes and
   links, as `linkage path JOBDIR A B` computes it from the job's graph (linkage.analyse.paths):
   - a tie between two nodes weighs the sum of the weights of every link between them (unknown: 1; 0 or less:
     no tie), and its length is 1 / weight, so strong ties make short paths;
   - Dijkstra for the shortest path, Yen's algorithm for the next ones, on nodes coded in the order of their ids,
     so that equally short routes are chosen as linkage.graph.paths chooses them.
   Runs after view.js and uses window.linkageView. Every record-derived string is put into the page with
   textContent; the maps keyed by node ids have no prototype. */
(function () {
  "use strict";
  var view = window.linkageView;
  if (!view) return;
  var data = view.data;
  var K = 3;
  var map = view.map, el = view.el;   /* view.js's helpers: a lookup with no prototype, a text-only element */
  /* ids in code-point order, as Python's sorted() orders them */
  function byCodePoint(x, y) {
    var a = Array.from(x), b = Array.from(y);
    for (var i = 0; i < Math.min(a.length, b.length); i++) {
      var d = a[i].codePointAt(0) - b[i].codePointAt(0);
      if (d) return d;
    }
    return a.length - b.length;
  }

  var aggregated = data.edges.some(function (e) { return e.type === "aggregate"; });
  var nodeById = map();
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });
  /* the coded graph, built the first time a path is asked for (so the page opens no slower) */
  var ids, code, n, ties, adjacency;
  function build() {
    if (ties) return;
    ids = data.nodes.map(function (m) { return m.id; });
    var astral = ids.some(function (id) { return /[\uD800-\uDFFF]/.test(id); });
    ids.sort(astral ? byCodePoint : undefined);  /* UTF-16 order is code-point order without astral characters */
    code = map();
    ids.forEach(function (id, i) { code[id] = i; });
    n = ids.length;
    /* ties: the links between each pair of nodes, their weights summed */
    ties = new Map();
    data.edges.forEach(function (e) {
      var x = code[e.from], y = code[e.to];
      if (x === undefined || y === undefined || x === y) return;
      var key = Math.min(x, y) * n + Math.max(x, y);
      var w = typeof e.w === "number" && isFinite(e.w) ? Math.max(e.w, 0) : 1;
      var tie = ties.get(key);
      if (!tie) ties.set(key, tie = { weight: 0, edges: [] });
      tie.weight += w;
      tie.edges.push(e);
    });
    adjacency = [];
    for (var i = 0; i < n; i++) adjacency.push([]);
    ties.forEach(function (tie, key) {
      if (!(tie.weight > 0)) return;
      var lo = Math.floor(key / n), hi = key % n, length = 1 / tie.weight;
      adjacency[lo].push([hi, length]);
      adjacency[hi].push([lo, length]);
    });
    adjacency.forEach(function (list) { list.sort(function (p, q) { return p[0] - q[0] || p[1] - q[1]; }); });
  }
  function lengthOf(x, y) {
    var tie = ties.get(Math.min(x, y) * n + Math.max(x, y));
    return 1 / tie.weight;
  }

  /* a binary min-heap ordered by `less` */
  function Heap(less) { this.items = []; this.less = less; }
  Heap.prototype.push = function (item) {
    var a = this.items, i = a.length;
    a.push(item);
    while (i > 0) {
      var parent = (i - 1) >> 1;
      if (!this.less(a[i], a[parent])) break;
      var t = a[i]; a[i] = a[parent]; a[parent] = t; i = parent;
    }
  };
  Heap.prototype.pop = function () {
    var a = this.items, top = a[0], last = a.pop();
    if (a.length) {
      a[0] = last;
      var i = 0;
      for (;;) {
        var l = 2 * i + 1, r = l + 1, m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        var t = a[i]; a[i] = a[m]; a[m] = t; i = m;
      }
    }
    return top;
  };
  function lexLess(p, q) {
    for (var i = 0; i < Math.min(p.length, q.length); i++) if (p[i] !== q[i]) return p[i] < q[i];
    return p.length < q.length;
  }

  function dijkstra(source, target, bannedNodes, bannedEdges) {
    var distance = new Map([[source, 0]]), previous = new Map(), done = new Set();
    var heap = new Heap(function (p, q) { return p[0] < q[0] || (p[0] === q[0] && p[1] < q[1]); });
    heap.push([0, source]);
    while (heap.items.length) {
      var top = heap.pop(), d = top[0], node = top[1];
      if (done.has(node)) continue;
      done.add(node);
      if (node === target) {
        var path = [node];
        while (path[path.length - 1] !== source) path.push(previous.get(path[path.length - 1]));
        return [path.reverse(), d];
      }
      var list = adjacency[node];
      for (var j = 0; j < list.length; j++) {
        var other = list[j][0];
        if (bannedNodes.has(other) || done.has(other) || bannedEdges.has(Math.min(node, other) * n + Math.max(node, other))) continue;
        var candidate = d + list[j][1];
        if (candidate < (distance.has(other) ? distance.get(other) : Infinity)) {
          distance.set(other, candidate);
          previous.set(other, node);
          heap.push([candidate, other]);
        }
      }
    }
    return null;
  }

  /* up to k shortest loopless paths between two node codes (Yen), shortest first: [[codes], length] */
  function shortestPaths(source, target, k) {
    var first = dijkstra(source, target, new Set(), new Set());
    if (!first) return [];
    var found = [first], seen = new Set([first[0].join(",")]);
    var candidates = new Heap(function (p, q) { return p[0] < q[0] || (p[0] === q[0] && lexLess(p[1], q[1])); });
    while (found.length < k) {
      var last = found[found.length - 1][0];
      for (var i = 0; i < last.length - 1; i++) {
        var root = last.slice(0, i + 1);
        var bannedEdges = new Set();
        found.forEach(function (f) {
          var p = f[0];
          if (p.length > i + 1 && p.slice(0, i + 1).join(",") === root.join(",")) {
            bannedEdges.add(Math.min(p[i], p[i + 1]) * n + Math.max(p[i], p[i + 1]));
          }
        });
        var spur = dijkstra(root[i], target, new Set(root.slice(0, i)), bannedEdges);
        if (!spur) continue;
        var path = root.slice(0, i).concat(spur[0]);
        var key = path.join(",");
        if (seen.has(key)) continue;
        seen.add(key);
        var total = 0;
        for (var s = 0; s + 1 < path.length; s++) total += lengthOf(path[s], path[s + 1]);
        candidates.push([total, path]);
      }
      if (!candidates.items.length) break;
      var next = candidates.pop();
      found.push([next[1], next[0]]);
    }
    return found;
  }

  function evidence(edge) {
    return (edge.facts || []).map(function (f) { return f[0] === "link" ? f[1] : f[0] + " " + f[1]; }).join(", ");
  }
  /* the paths between two node ids: [{nodes: [ids], length, steps: [{from, to, weight, evidence: [text]}]}] */
  function find(a, b, k) {
    build();
    if (code[a] === undefined || code[b] === undefined || a === b) return [];
    return shortestPaths(code[a], code[b], k || K).map(function (found) {
      var path = found[0], steps = [];
      for (var s = 0; s + 1 < path.length; s++) {
        var tie = ties.get(Math.min(path[s], path[s + 1]) * n + Math.max(path[s], path[s + 1]));
        steps.push({ from: ids[path[s]], to: ids[path[s + 1]], weight: tie.weight, evidence: tie.edges.map(evidence) });
      }
      return { nodes: path.map(function (c) { return ids[c]; }), length: found[1], steps: steps };
    });
  }

  /* the node a typed text names: an id, else the one node whose name is the text, else the one whose name holds it */
  function resolve(text) {
    var q = String(text || "").trim();
    if (!q) return { error: "type a name or id" };
    if (nodeById[q]) return { id: q };
    var low = q.toLowerCase();
    var exact = data.nodes.filter(function (m) { return String(m.label).toLowerCase() === low; });
    var part = exact.length ? exact : data.nodes.filter(function (m) { return String(m.label).toLowerCase().indexOf(low) >= 0; });
    if (part.length === 1) return { id: part[0].id };
    if (!part.length) return { error: "\u201c" + q + "\u201d names no node on this page" };
    return { error: "\u201c" + q + "\u201d names " + part.length + " nodes (" +
      part.slice(0, 4).map(function (m) { return m.label + " = " + m.id; }).join("; ") + "); type more, or its id" };
  }

  /* the controls: two names, "selected" buttons that take the node clicked in the drawing, and the result */
  var controls = document.querySelector(".controls");
  var aside = document.querySelector("aside");
  if (!controls || !aside) return;
  var box = el("details");
  box.id = "path-picker";
  box.appendChild(el("summary", "Path"));
  var inputs = {};
  [["from", "A"], ["to", "B"]].forEach(function (end) {
    var label = el("label", end[1] + " ");
    var input = el("input");
    input.type = "search";
    input.id = "path-" + end[0];
    input.placeholder = "name or id";
    input.setAttribute("aria-label", "path " + end[0]);
    label.appendChild(input);
    var take = el("button", "selected");
    take.type = "button";
    take.id = "path-" + end[0] + "-selected";
    take.title = "use the node selected in the drawing";
    take.addEventListener("click", function () {
      var chosen = view.selected();
      if (chosen.length) input.value = chosen[0];
    });
    label.appendChild(take);
    box.appendChild(label);
    inputs[end[0]] = input;
  });
  var go = el("button", "Find paths");
  go.type = "button";
  go.id = "path-go";
  box.appendChild(go);
  var status = document.getElementById("status");
  controls.insertBefore(box, status);
  var result = el("section", null, "paths");
  result.id = "path-result";
  aside.insertBefore(result, aside.firstChild);

  function label(id) { return nodeById[id] ? nodeById[id].label : id; }
  function show(a, b) {
    result.textContent = "";
    if (aggregated) {
      result.appendChild(el("p", "This overview shows clusters and groups, not people: open a cluster page, or run " +
        "linkage path JOBDIR A B for the whole network.", "note"));
      return [];
    }
    var ends = [resolve(a), resolve(b)];
    var problems = ends.filter(function (e) { return e.error; });
    if (problems.length) {
      problems.forEach(function (e) { result.appendChild(el("p", e.error, "note")); });
      return [];
    }
    var paths = find(ends[0].id, ends[1].id, K);
    result.appendChild(el("h2", "From " + label(ends[0].id) + " to " + label(ends[1].id)));
    if (!paths.length) {
      result.appendChild(el("p", ends[0].id === ends[1].id ? "A and B are the same node." :
        "No path joins them on this page (linkage path JOBDIR A B searches the whole network).", "note"));
      return paths;
    }
    result.appendChild(el("p", "The " + paths.length + " shortest path(s) among this page's nodes; a path's length " +
      "is the sum of 1 / weight of its ties.", "note"));
    paths.forEach(function (p, number) {
      result.appendChild(el("h3", "Path " + (number + 1) + ": " + p.steps.length + " tie(s), length " +
        Number(p.length.toPrecision(4))));
      var list = el("ol", null, "path-steps");
      p.steps.forEach(function (s) {
        var item = el("li");
        item.appendChild(el("b", label(s.from) + " \u2014 " + label(s.to)));
        item.appendChild(el("span", " (weight " + Number(s.weight.toPrecision(4)) + ")"));
        var why = el("ul");
        s.evidence.forEach(function (text) { why.appendChild(el("li", text)); });
        item.appendChild(why);
        list.appendChild(item);
      });
      result.appendChild(list);
    });
    var on = paths[0].nodes.filter(function (id) { return nodeById[id]; });
    var positions = on.map(function (id) { return data.nodes.indexOf(nodeById[id]); });
    view.network.selectNodes(positions);
    view.network.fit({ nodes: positions, animation: false });
    return paths;
  }
  go.addEventListener("click", function () { show(inputs.from.value, inputs.to.value); });
  [inputs.from, inputs.to].forEach(function (input) {
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") show(inputs.from.value, inputs.to.value); });
  });
  window.linkagePaths = { find: find, show: show, resolve: resolve };
})();
