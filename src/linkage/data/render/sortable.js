/* Sortable tables: click a header to sort by that column (numbers as numbers). */
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim();
  }
  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var descending = header.classList.contains("sorted-asc");
    var numeric = rows.every(function (r) { var v = cellValue(r, index); return v === "" || !isNaN(Number(v)); });
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var order = numeric ? (Number(x || -Infinity) - Number(y || -Infinity)) : x.localeCompare(y);
      return descending ? -order : order;
    });
    Array.prototype.forEach.call(header.parentNode.children, function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
    header.classList.add(descending ? "sorted-desc" : "sorted-asc");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      header.addEventListener("click", function () { sortBy(table, index, header); });
    });
  });
})();
