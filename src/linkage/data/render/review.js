/* linkage review page: draws the resolution's review queue from the page's JSON data, one page of pairs at a
   time, and keeps the reviewer's decisions in localStorage (under data.key: this job's queue) until they are
   saved as overrides.csv (a Blob link; no server, no request).
   Every record-derived string is put into the page with textContent, never as HTML; the maps keyed by record
   ids have no prototype, so an id such as "constructor" is just an id. */
(function () {
  "use strict";
  var started = performance.now();
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var PAGE_SIZE = 10;
  var CHOICES = [["same", "Same person"], ["different", "Different people"], ["unsure", "Unsure"]];
  var OVERRIDE = { same: "must_link", different: "cannot_link" };
  var list = document.getElementById("pairs");
  var counts = document.getElementById("counts");
  var pageStatus = document.getElementById("page-status");
  var undecidedOnly = document.getElementById("undecided-only");
  var download = document.getElementById("download");
  var page = 0;
  var lastCsv = null;
  var lastBlob = null;
  var lastUrl = null;

  function map() { return Object.create(null); }
  function toMap(object) {
    var m = map();
    Object.keys(object || {}).forEach(function (k) { m[k] = object[k]; });
    return m;
  }
  var records = toMap(data.records);
  var entityOf = toMap(data.entityOf);
  var entities = toMap(data.entities);
  function pairKey(a, b) { return a < b ? a + "\t" + b : b + "\t" + a; }

  /* decisions: pair key -> "same" | "different" | "unsure", kept in localStorage */
  var decisions = map();
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  (function load() {
    var store = storage();
    if (!store) return;
    try {
      var saved = JSON.parse(store.getItem(data.key) || "{}");
      Object.keys(saved).forEach(function (k) {
        if (saved[k] === "same" || saved[k] === "different" || saved[k] === "unsure") decisions[k] = saved[k];
      });
    } catch (e) { /* a damaged entry: start afresh */ }
  })();
  function persist() {
    var store = storage();
    if (!store) return;
    var plain = {};
    Object.keys(decisions).forEach(function (k) { plain[k] = decisions[k]; });
    try { store.setItem(data.key, JSON.stringify(plain)); } catch (e) { /* full or refused: kept for this visit */ }
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function fixed(x, digits) { return x === null || x === undefined ? "" : Number(x).toFixed(digits); }

  function csvCell(value) {
    var text = String(value);
    return /[",\r\n]|^\s|\s$/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  /* the overrides file: the run's own overrides, then this page's same / different decisions (a decision made
     here replaces the file's for the same pair); unsure pairs are left out, so they stay in the queue */
  function overridesCsv() {
    var rows = [], seen = map();
    var decided = map();
    data.pairs.forEach(function (p) {
      var d = decisions[pairKey(p.a, p.b)];
      if (OVERRIDE[d]) decided[pairKey(p.a, p.b)] = [p.a, p.b, OVERRIDE[d]];
    });
    data.previous.forEach(function (r) {
      var k = pairKey(r[0], r[1]);
      if (decided[k] || seen[k]) return;
      seen[k] = true;
      rows.push(r);
    });
    Object.keys(decided).forEach(function (k) { rows.push(decided[k]); });
    var lines = ["record_id_a,record_id_b,decision"];
    rows.forEach(function (r) { lines.push(r.map(csvCell).join(",")); });
    return lines.join("\n") + "\n";
  }
  function save() {
    lastCsv = overridesCsv();
    if (lastUrl) URL.revokeObjectURL(lastUrl);
    lastBlob = new Blob([lastCsv], { type: "text/csv" });
    lastUrl = URL.createObjectURL(lastBlob);
    download.href = lastUrl;
    download.hidden = false;
    download.click();
    return lastCsv;
  }

  function tally() {
    var n = { same: 0, different: 0, unsure: 0 };
    data.pairs.forEach(function (p) {
      var d = decisions[pairKey(p.a, p.b)];
      if (d) n[d] += 1;
    });
    var undecided = data.pairs.length - n.same - n.different - n.unsure;
    counts.textContent = n.same + " same, " + n.different + " different, " + n.unsure + " unsure, " + undecided +
      " undecided" + (data.previous.length ? "; " + data.previous.length + " decision(s) from the overrides file this run used" : "");
    return n;
  }

  function recordTable(ids, highlight) {
    var table = el("table", null, "data others");
    var head = table.createTHead().insertRow();
    head.appendChild(el("th", "record_id"));
    data.fields.forEach(function (f) { head.appendChild(el("th", f)); });
    var body = table.createTBody();
    ids.forEach(function (id) {
      var row = body.insertRow();
      if (highlight[id]) row.className = "in-pair";
      row.appendChild(el("td", id));
      (records[id] || []).forEach(function (v) { row.appendChild(el("td", v)); });
    });
    return table;
  }
  function othersOf(side, id, pair) {
    var entity = entityOf[id];
    var info = entity ? entities[entity] : null;
    var box = el("div", null, "entity");
    if (!info) return box;
    var others = info.records.filter(function (r) { return r !== pair.a && r !== pair.b; });
    var more = info.size - info.records.length;
    box.appendChild(el("h4", "Record " + side + "'s entity " + entity + ": " + info.size + " record(s)" +
      (others.length ? "" : ", no other")));
    if (others.length) {
      var shown = others.slice(0, data.maxOthers);
      var highlight = map();
      box.appendChild(recordTable(shown, highlight));
      var left = others.length - shown.length + Math.max(more, 0);
      if (left > 0) box.appendChild(el("p", "and " + left + " more (entities.csv)", "note"));
    }
    return box;
  }

  function card(pair, index) {
    var key = pairKey(pair.a, pair.b);
    var box = el("section", null, "pair");
    box.setAttribute("data-index", String(index));
    box.setAttribute("data-decision", decisions[key] || "");
    box.appendChild(el("h2", "Pair " + (index + 1) + " of " + data.total + " \u00b7 group " + pair.group));
    var why = data.notes[pair.decision] || pair.decision;
    box.appendChild(el("p", "match probability " + fixed(pair.p, 3) + ", match weight " + fixed(pair.w, 2) +
      "; " + pair.decision + ": " + why + (pair.swapped ? "; first and last names swapped between the records" : ""), "note"));
    var table = el("table", null, "data compare");
    var head = table.createTHead().insertRow();
    ["field", "record A", "record B", "level", "weight"].forEach(function (h) { head.appendChild(el("th", h)); });
    var body = table.createTBody();
    var ids = body.insertRow();
    ids.appendChild(el("th", "record_id"));
    ids.appendChild(el("td", pair.a));
    ids.appendChild(el("td", pair.b));
    ids.appendChild(el("td", ""));
    ids.appendChild(el("td", ""));
    var left = records[pair.a] || [], right = records[pair.b] || [];
    data.fields.forEach(function (field, i) {
      var row = body.insertRow();
      row.appendChild(el("th", field));
      var x = left[i] || "", y = right[i] || "";
      row.appendChild(el("td", x, x !== y ? "differs" : ""));
      row.appendChild(el("td", y, x !== y ? "differs" : ""));
      var c = data.comparisons.indexOf(field);
      if (c >= 0) {
        var level = pair.levels[c];
        row.appendChild(el("td", level[0]));
        row.appendChild(el("td", fixed(level[1], 2), "num " + (level[1] > 0 ? "for" : level[1] < 0 ? "against" : "")));
      } else {
        row.appendChild(el("td", "", "not-compared"));
        row.appendChild(el("td", "", "not-compared"));
      }
    });
    box.appendChild(table);
    var buttons = el("div", null, "decide");
    CHOICES.forEach(function (choice) {
      var button = el("button", choice[1], "choice " + choice[0]);
      button.type = "button";
      button.setAttribute("data-choice", choice[0]);
      button.setAttribute("aria-pressed", decisions[key] === choice[0] ? "true" : "false");
      button.addEventListener("click", function () { decide(index, choice[0]); });
      buttons.appendChild(button);
    });
    box.appendChild(buttons);
    var entitiesBox = el("div", null, "entities");
    entitiesBox.appendChild(othersOf("A", pair.a, pair));
    if (entityOf[pair.b] !== entityOf[pair.a]) entitiesBox.appendChild(othersOf("B", pair.b, pair));
    box.appendChild(entitiesBox);
    return box;
  }

  function visible() {
    var chosen = [];
    data.pairs.forEach(function (p, i) {
      if (!undecidedOnly.checked || !decisions[pairKey(p.a, p.b)]) chosen.push(i);
    });
    return chosen;
  }
  function show(n) {
    var chosen = visible();
    var pages = Math.max(1, Math.ceil(chosen.length / PAGE_SIZE));
    page = Math.min(Math.max(0, n), pages - 1);
    list.textContent = "";
    chosen.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).forEach(function (i) { list.appendChild(card(data.pairs[i], i)); });
    if (!chosen.length) list.appendChild(el("p", "Every pair on this page has a decision: save overrides.csv.", "note"));
    pageStatus.textContent = "page " + (page + 1) + " of " + pages + " (" + chosen.length + " pair(s))";
    document.getElementById("prev").disabled = page === 0;
    document.getElementById("next").disabled = page >= pages - 1;
    tally();
    return page;
  }
  function decide(index, choice) {
    var pair = data.pairs[index];
    var key = pairKey(pair.a, pair.b);
    if (decisions[key] === choice) delete decisions[key];  /* a second click takes the decision back */
    else decisions[key] = choice;
    persist();
    var section = list.querySelector('section.pair[data-index="' + index + '"]');
    if (section) {
      section.setAttribute("data-decision", decisions[key] || "");
      Array.prototype.forEach.call(section.querySelectorAll("button.choice"), function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-choice") === decisions[key] ? "true" : "false");
      });
    }
    tally();
    return decisions[key] || null;
  }

  if (list) {
    document.getElementById("prev").addEventListener("click", function () { show(page - 1); });
    document.getElementById("next").addEventListener("click", function () { show(page + 1); });
    undecidedOnly.addEventListener("change", function () { show(0); });
    document.getElementById("save").addEventListener("click", save);
    document.getElementById("forget").addEventListener("click", function () {
      decisions = map();
      persist();
      show(page);
    });
    show(0);
  }
  window.linkageReview = {
    data: data,
    decide: decide,
    decision: function (index) { var p = data.pairs[index]; return decisions[pairKey(p.a, p.b)] || null; },
    csv: overridesCsv,
    save: save,
    lastCsv: function () { return lastCsv; },
    lastBlob: function () { return lastBlob; },
    show: show
  };
  window.linkageReady = Math.max(1, Math.round(performance.now() - started));
})();
