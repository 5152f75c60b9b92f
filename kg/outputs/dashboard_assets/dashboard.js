// The corpus dashboard: tables built from the embedded JSON; a click on a cell shows its source passages.
// Report text is only ever put into the page with textContent, never as markup.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var PARTS = ["measures", "problems", "first_responsible", "plans"];
  var COUNTS = [["measures", "举措 measures"], ["problems", "问题 problems"], ["plans", "计划 plans"],
                ["metrics", "指标 metrics"]];
  var STATUS = { consistent: "一致 consistent", inconsistent: "不一致 inconsistent", cannot_check: "无法核验 cannot check" };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  // ---- the source panel ------------------------------------------------------
  var panel = document.getElementById("source");

  function passageNode(key) {
    var p = data.passages[key];
    var item = el("li");
    item.setAttribute("data-key", key);
    item.setAttribute("data-report", p.report);
    item.setAttribute("data-kind", p.kind);
    item.setAttribute("data-id", p.id);
    item.append(el("div", (data.titles[p.report] || p.report) + " · " + p.report, "passage-label"));
    var quote = el("blockquote");
    if (p.mark === null || p.offset === null) {
      quote.append(el("mark", p.text));
    } else {
      // Offsets are code points (Python str indices); Array.from splits the same way.
      var chars = Array.from(p.text);
      var a = Math.max(0, p.mark[0] - p.offset);
      var b = Math.min(chars.length, p.mark[1] - p.offset);
      quote.append(document.createTextNode(chars.slice(0, a).join("")), el("mark", chars.slice(a, b).join("")),
        document.createTextNode(chars.slice(b).join("")));
    }
    item.append(quote);
    return item;
  }

  function openCell(index) {
    var cell = data.cells[index];
    if (!cell) { return; }
    panel.hidden = false;
    document.getElementById("source-title").textContent = cell.title;
    document.getElementById("source-note").textContent =
      (cell.note || "") + (cell.rule ? "（" + data.deadline_rule + "）" : "");
    var list = document.getElementById("source-passages");
    list.replaceChildren();
    cell.passages.forEach(function (key) { list.append(passageNode(key)); });
    dashboard.opened = index;
  }
  document.getElementById("source-close").addEventListener("click", function () { panel.hidden = true; });

  function cellButton(text, index, className) {
    var button = el("button", text, "cell" + (className ? " " + className : ""));
    button.type = "button";
    button.setAttribute("data-cell", String(index));
    button.addEventListener("click", function () { openCell(index); });
    return button;
  }

  // ---- header and failed checks ------------------------------------------------
  var c = data.counts;
  document.getElementById("title").textContent = document.title;
  document.getElementById("summary").textContent =
    c.reports + " 份报告 reports · " + c.series + " 个系列 series · 同比核验 year-on-year: " +
    c.yoy.consistent + " 一致, " + c.yoy.inconsistent + " 不一致, " + c.yoy.cannot_check + " 无法核验 · 承诺落实 promises kept " +
    c.kept + "/" + c.promises + " · 重复问题 recurring " + c.recurring + " · 逾期 late " + c.late;

  var failed = document.getElementById("failed");
  if (data.failed.length === 0) { failed.append(el("li", "无 none")); }
  data.failed.forEach(function (row) {
    var item = el("li");
    item.append(el("span", row.kind, "badge " + row.kind), cellButton(row.text, row.cell));
    failed.append(item);
  });

  // ---- the reports table -------------------------------------------------------
  var columns = [
    ["jurisdiction", "地区 jurisdiction"], ["level", "层级 level"], ["province", "省份 province"], ["year", "年度 year"],
    ["published", "发布 published"], ["days_after_deadline", "逾期天数 days late"], ["parts", "规定内容 parts"]
  ].concat(COUNTS.map(function (pair) { return ["count:" + pair[0], pair[1]]; }));

  function sortValue(row, key) {
    if (key.indexOf("count:") === 0) { return row.counts[key.slice(6)]; }
    if (key === "parts") { return PARTS.filter(function (p) { return row.parts[p]; }).length; }
    if (key === "jurisdiction") { return (row.jurisdiction || "") + (row.department || ""); }
    return row[key];
  }

  function reportRow(row) {
    var tr = el("tr");
    tr.setAttribute("data-report", row.id);
    var place = row.jurisdiction || row.id;
    var name = row.department ? (row.department.indexOf(place) === 0 ? row.department : place + " · " + row.department) : place;
    var td = el("td");
    td.append(cellButton(name, row.cells.jurisdiction));
    tr.append(td, el("td", row.level), el("td", row.province || "—"), el("td", row.year === null ? "—" : row.year));
    td = el("td");
    td.append(cellButton(row.published || "—", row.cells.published));
    tr.append(td);
    td = el("td", null, "num");
    var days = row.days_after_deadline;
    td.append(cellButton(days === null ? "—" : String(days), row.cells.published, days > 0 ? "late" : ""));
    tr.append(td);
    td = el("td");
    PARTS.forEach(function (part) {
      var button = cellButton(row.parts[part] ? "✓" : "✗", row.cells.parts[part], "part " + (row.parts[part] ? "yes" : "no"));
      button.title = data.part_labels[part];
      button.setAttribute("data-part", part);
      td.append(button);
    });
    tr.append(td);
    COUNTS.forEach(function (pair) {
      var cell = el("td", null, "num");
      var index = row.cells.counts[pair[0]];
      // A large corpus lists no items here (the extraction JSONs have them): the count is plain text.
      cell.append(index === null ? el("span", String(row.counts[pair[0]])) : cellButton(String(row.counts[pair[0]]), index));
      tr.append(cell);
    });
    return tr;
  }

  var table = document.getElementById("reports");
  var headRow = el("tr");
  var sortKey = null, sortDown = false;
  function drawReports() {
    var rows = data.reports.slice();
    if (sortKey) {
      rows.sort(function (p, q) {
        var a = sortValue(p, sortKey), b = sortValue(q, sortKey);
        if (a === b) { return 0; }
        if (a === null || a === undefined) { return 1; }
        if (b === null || b === undefined) { return -1; }
        return (a < b ? -1 : 1) * (sortDown ? -1 : 1);
      });
    }
    var body = table.tBodies[0];
    body.replaceChildren();
    rows.forEach(function (row) { body.append(reportRow(row)); });
  }
  columns.forEach(function (pair) {
    var th = el("th", pair[1]);
    th.setAttribute("data-key", pair[0]);
    th.addEventListener("click", function () {
      sortDown = sortKey === pair[0] ? !sortDown : false;
      sortKey = pair[0];
      drawReports();
    });
    headRow.append(th);
  });
  table.tHead.append(headRow);
  drawReports();

  // ---- the indicator matrix ----------------------------------------------------
  var charts = {};
  document.querySelectorAll("#charts > [data-chart]").forEach(function (node) {
    charts[node.getAttribute("data-chart")] = node;
  });
  function placeChart(target, name) {
    var chart = charts[name];
    if (chart) { chart.className = "chart"; target.append(chart); }
  }
  placeChart(document.getElementById("overview-chart"), "timeliness");

  var matrix = document.getElementById("matrix");
  var years = data.matrix.years;
  var note = data.matrix.blocks.length === 0 ? "没有两年以上可比的指标 no figure is stated in two years of one series" : "";
  if (data.matrix.left_out > 0) { note += " " + data.matrix.left_out + " rows left out"; }
  if (data.charts_drawn >= data.max_charts) { note += " (charts for the first " + data.max_charts + " rows)"; }
  document.getElementById("matrix-note").textContent = note;
  data.matrix.blocks.forEach(function (block) {
    matrix.append(el("h3", block.label + "（" + block.unit + (block.period === "year" ? "" : "，" + block.period) + "）" +
      (block.indicator ? " · " + block.indicator : "")));
    var t = el("table", null, "matrix");
    var head = el("tr");
    head.append(el("th", "地区 division"));
    years.forEach(function (year) { head.append(el("th", year)); });
    head.append(el("th", "趋势 trend"));
    t.append(head);
    block.rows.forEach(function (row) {
      var tr = el("tr");
      tr.append(el("td", row.series));
      var byYear = {};
      row.cells.forEach(function (cell) { byYear[cell.year] = cell; });
      years.forEach(function (year) {
        var cell = byYear[year];
        var td = el("td", null, "num" + (cell && cell.status ? " st-" + cell.status : ""));
        if (cell) {
          var button = cellButton(cell.text, cell.cell);
          if (cell.status) { button.title = STATUS[cell.status]; }
          td.append(button);
        }
        tr.append(td);
      });
      var chartCell = el("td");
      if (row.chart) { placeChart(chartCell, row.chart); }
      tr.append(chartCell);
      t.append(tr);
    });
    matrix.append(t);
  });

  // ---- series: promises and recurring problems -----------------------------------
  var seriesBox = document.getElementById("series");
  data.series.forEach(function (series) {
    if (series.promises.length === 0 && series.recurring.length === 0) { return; }
    var box = el("div", null, "series");
    box.append(el("h3", series.label + "（" + series.reports.join(", ") + "）"));
    if (series.promises.length) {
      var kept = series.promises.filter(function (p) { return p.status === "followed"; }).length;
      box.append(el("p", "承诺落实 promises kept: " + kept + " / " + series.promises.length));
      var list = el("ul");
      series.promises.forEach(function (promise) {
        var item = el("li");
        item.append(el("span", promise.status === "followed" ? "已落实 kept" : "未见落实 not kept", "badge " + promise.status),
          cellButton(promise.text, promise.cell));
        promise.measures.forEach(function (m) {
          var line = el("div", "→ " + m.text + " ", "measures");
          line.append(el("span", "(" + m.score.toFixed(2) + ": " + m.terms.join("、") + ")", "terms"));
          item.append(line);
        });
        list.append(item);
      });
      box.append(list);
    }
    if (series.recurring.length) {
      box.append(el("p", "重复出现的问题 recurring problems: " + series.recurring.length));
      var again = el("ul");
      series.recurring.forEach(function (row) {
        var item = el("li");
        item.append(cellButton(row.earlier + " ⟶ " + row.later, row.cell),
          el("span", " (" + row.score.toFixed(2) + ": " + row.terms.join("、") + ")", "terms"));
        again.append(item);
      });
      box.append(again);
    }
    seriesBox.append(box);
  });
  if (!seriesBox.children.length) { seriesBox.append(el("p", "没有连续年度的报告 no series has two consecutive years", "hint")); }

  var dashboard = window.kgDashboard = { data: data, open: openCell, opened: null };
  document.body.setAttribute("data-ready", "1");
})();
