/* linkage fuzzy search: a port of rapidfuzz's fuzz.WRatio with utils.default_process (rapidfuzz 3,
   its pure-Python fuzz_py.py), so that a spelling scores on the page as it would in Python.
   tests/test_browser_views.py compares it with rapidfuzz on sample names, ids and postcodes.
   Strings are compared as arrays of code points, as Python compares str. */
(function () {
  "use strict";

  /* default_process: every character that is not a letter or a digit becomes a space, trimmed, lower case */
  function process(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[^\p{L}\p{N}]/gu, " ").trim().toLowerCase();
  }
  function chars(text) { return Array.from(text); }

  /* length of the longest common subsequence: bit-parallel (Hyyro) when a is short, else dynamic programming */
  function lcs(a, b) {
    if (!a.length || !b.length) return 0;
    if (a.length <= 30) {
      var masks = new Map();
      for (var i = 0; i < a.length; i++) masks.set(a[i], (masks.get(a[i]) || 0) | (1 << i));
      var full = 0x7fffffff, s = full;
      for (var j = 0; j < b.length; j++) {
        var u = s & (masks.get(b[j]) || 0);
        s = ((s + u) | (s - u)) & full;
      }
      var rest = ~s & ((1 << a.length) - 1), n = 0;
      while (rest) { rest &= rest - 1; n++; }
      return n;
    }
    var prev = new Int32Array(b.length + 1), row = new Int32Array(b.length + 1);
    for (var x = 1; x <= a.length; x++) {
      for (var y = 1; y <= b.length; y++) {
        row[y] = a[x - 1] === b[y - 1] ? prev[y - 1] + 1 : Math.max(prev[y], row[y - 1]);
      }
      var t = prev; prev = row; row = t;
    }
    return prev[b.length];
  }

  /* fuzz.ratio: the normalised Indel similarity, 0..100 */
  function ratioChars(a, b) {
    var total = a.length + b.length;
    if (!total) return 100;
    return 100 * (1 - (total - 2 * lcs(a, b)) / total);
  }
  function ratio(s1, s2) { return ratioChars(chars(s1), chars(s2)); }

  /* fuzz.partial_ratio: the best ratio of the shorter string against the windows of the longer */
  function partialImpl(shorter, longer) {
    var len1 = shorter.length, len2 = longer.length, best = 0, i, score;
    var has = new Set(shorter);
    for (i = 1; i < len1; i++) {
      if (!has.has(longer[i - 1])) continue;
      score = ratioChars(shorter, longer.slice(0, i));
      if (score > best) { best = score; if (best === 100) return 100; }
    }
    for (i = 0; i < len2 - len1; i++) {
      if (!has.has(longer[i + len1 - 1])) continue;
      score = ratioChars(shorter, longer.slice(i, i + len1));
      if (score > best) { best = score; if (best === 100) return 100; }
    }
    for (i = Math.max(len2 - len1, 0); i < len2; i++) {
      if (!has.has(longer[i])) continue;
      score = ratioChars(shorter, longer.slice(i));
      if (score > best) { best = score; if (best === 100) return 100; }
    }
    return best;
  }
  function partialRatio(s1, s2) {
    var a = chars(s1), b = chars(s2);
    if (!a.length && !b.length) return 100;
    var score = a.length <= b.length ? partialImpl(a, b) : partialImpl(b, a);
    if (score !== 100 && a.length === b.length) score = Math.max(score, partialImpl(b, a));
    return score;
  }

  function tokens(text) { return text.split(/\s+/).filter(Boolean); }
  function sortedJoin(list) { return list.slice().sort(codePointOrder).join(" "); }
  function codePointOrder(x, y) { return x < y ? -1 : x > y ? 1 : 0; }
  function unique(list) { return Array.from(new Set(list)); }
  function minus(list, other) { var o = new Set(other); return list.filter(function (t) { return !o.has(t); }); }

  function tokenSortRatio(s1, s2) { return ratio(sortedJoin(tokens(s1)), sortedJoin(tokens(s2))); }

  function tokenSetRatio(s1, s2) {
    var a = unique(tokens(s1)), b = unique(tokens(s2));
    if (!a.length || !b.length) return 0;
    var both = minus(a, minus(a, b)), ab = minus(a, b), ba = minus(b, a);
    if (both.length && (!ab.length || !ba.length)) return 100;
    var abJoined = sortedJoin(ab), baJoined = sortedJoin(ba);
    var abLen = chars(abJoined).length, baLen = chars(baJoined).length, sectLen = chars(both.join(" ")).length;
    var sectAb = sectLen + (sectLen ? 1 : 0) + abLen, sectBa = sectLen + (sectLen ? 1 : 0) + baLen;
    var total = sectAb + sectBa;
    var dist = abLen + baLen - 2 * lcs(chars(abJoined), chars(baJoined));
    var result = total ? 100 - 100 * dist / total : 100;
    if (!sectLen) return result;
    var abRatio = 100 - 100 * ((sectLen ? 1 : 0) + abLen) / (sectLen + sectAb);
    var baRatio = 100 - 100 * ((sectLen ? 1 : 0) + baLen) / (sectLen + sectBa);
    return Math.max(result, abRatio, baRatio);
  }

  function partialTokenRatio(s1, s2) {
    var splitA = tokens(s1), splitB = tokens(s2), a = unique(splitA), b = unique(splitB);
    if (minus(a, minus(a, b)).length) return 100;
    var ab = minus(a, b), ba = minus(b, a);
    var result = partialRatio(sortedJoin(splitA), sortedJoin(splitB));
    if (splitA.length === ab.length && splitB.length === ba.length) return result;
    return Math.max(result, partialRatio(sortedJoin(ab), sortedJoin(ba)));
  }

  /* fuzz.WRatio on already processed strings */
  function wratioProcessed(s1, s2) {
    if (!s1 || !s2) return 0;
    var len1 = chars(s1).length, len2 = chars(s2).length;
    var lenRatio = len1 > len2 ? len1 / len2 : len2 / len1;
    var end = ratio(s1, s2);
    if (lenRatio < 1.5) return Math.max(end, Math.max(tokenSetRatio(s1, s2), tokenSortRatio(s1, s2)) * 0.95);
    var partialScale = lenRatio <= 8 ? 0.9 : 0.6;
    end = Math.max(end, partialRatio(s1, s2) * partialScale);
    return Math.max(end, partialTokenRatio(s1, s2) * 0.95 * partialScale);
  }
  function wratio(s1, s2) { return wratioProcessed(process(s1), process(s2)); }

  /* A search can skip most spellings without changing its result: WRatio(q, s) reaches minScore only if
     q and s share a whole word, or share at least short * minScore / (180 - minScore) characters (counted
     with repeats), "short" being the shorter of the two lengths once repeated words are dropped. Why:
     with C the characters they share, ratio and the token ratios are at most 200C / (l1 + l2), the
     partial ratios at most 200C / (l + C) with l the shorter length, and WRatio scales a partial ratio by
     0.9 at most; 0.9 * 200C / (l + C) >= minScore gives the bound, and it is the weakest of them (a shared
     word is what lets the token ratios go higher). tests/test_browser_views.py checks that a search with
     the test finds exactly what one without it finds. */
  function wordsLength(text) {
    var words = unique(tokens(text));
    return words.reduce(function (n, w) { return n + chars(w).length; }, Math.max(words.length - 1, 0));
  }
  var have = new Uint16Array(65536), used = new Uint16Array(65536);
  function queryOf(q) {
    have.fill(0);
    for (var i = 0; i < q.length; i++) have[q.charCodeAt(i)]++;
    return { text: q, words: unique(tokens(q)).map(function (w) { return " " + w + " "; }), wordsLength: wordsLength(q) };
  }
  function couldReach(query, text, textWordsLength, minScore) {
    var padded = " " + text + " ";
    for (var w = 0; w < query.words.length; w++) if (padded.indexOf(query.words[w]) >= 0) return true;
    var need = Math.min(query.wordsLength, textWordsLength) * minScore / (180 - minScore);
    var shared = 0, touched = [];
    for (var i = 0; i < text.length && shared < need; i++) {
      var c = text.charCodeAt(i);
      if (used[c] < have[c]) { used[c]++; shared++; touched.push(c); }
    }
    touched.forEach(function (c) { used[c] = 0; });
    return shared >= need;
  }

  window.linkageFuzzy = { process: process, ratio: ratio, partialRatio: partialRatio, tokenSetRatio: tokenSetRatio,
                          tokenSortRatio: tokenSortRatio, partialTokenRatio: partialTokenRatio,
                          wratio: wratio, wratioProcessed: wratioProcessed,
                          wordsLength: wordsLength, queryOf: queryOf, couldReach: couldReach };
})();
