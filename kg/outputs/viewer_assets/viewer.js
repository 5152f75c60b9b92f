// The kg viewer: search, type filter, details with the source sentence.
// Report text is only ever put into the page with textContent, never as markup.
(function () {
  "use strict";

  var STRONG = { addresses: true, worksOn: true };  // drawn thick and labelled
  var FACTS = [  // [attribute, caption] shown first in the details panel
    ["type_label", "类型 type"], ["subject", "统计对象 subject"], ["metricKind", "指标类型 kind"],
    ["approximate", "约数 approximate"], ["period", "统计期间 period"], ["checkStatus", "核验结果 status"],
    ["statedValue", "报告值 stated"], ["computedValue", "计算值 computed"], ["gap", "缺口 gap"],
    ["mention_count", "提及次数 mentions"], ["report", "报告 report"]
  ];
  // Bigger labels stay readable when zoomed out (vis-network hides labels under 5 px).
  var LABEL_SIZE = { Report: 18, Section: 16, Problem: 16, Plan: 16, Metric: 9 };
  var HIDDEN_ATTRIBUTES = { x: true, y: true, color: true, size: true, id: true };

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var byId = new Map();
  var outgoing = new Map();
  var incoming = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); outgoing.set(n.id, []); incoming.set(n.id, []); });
  data.edges.forEach(function (e) {
    if (outgoing.has(e.from)) { outgoing.get(e.from).push(e); }
    if (incoming.has(e.to)) { incoming.get(e.to).push(e); }
  });

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function shortLabel(text) {
    var chars = Array.from(String(text));
    return chars.length > 18 ? chars.slice(0, 17).join("") + "…" : chars.join("");
  }

  // ---- the network -------------------------------------------------------
  var hasPositions = data.nodes.every(function (n) { return isFinite(n.x) && isFinite(n.y); });
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {
      id: n.id, label: shortLabel(n.label), x: n.x, y: n.y, size: n.size, shape: "dot",
      color: { background: n.color, border: n.color, highlight: { background: n.color, border: "#000" } },
      font: { size: LABEL_SIZE[n.type] || 12 }
    };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var strong = STRONG[e.relation] === true;
    return {
      id: e.id, from: e.from, to: e.to, width: e.width, arrows: "to",
      color: { color: e.color, opacity: strong ? 1 : 0.6 },
      label: strong ? e.label : undefined, font: { size: 10, align: "middle" }
    };
  }));
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    physics: hasPositions ? false : { stabilization: { iterations: 200 } },
    layout: { improvedLayout: false },
    interaction: { hover: false, hideEdgesOnDrag: data.edges.length > 1000, hideEdgesOnZoom: data.edges.length > 3000 },
    nodes: { font: { face: "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif" } },
    edges: { smooth: false, arrows: { to: { scaleFactor: 0.5 } } }
  });
  if (!hasPositions) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); });
  }

  var viewer = window.kgViewer = { network: network, nodes: nodes, edges: edges, data: data, ready: false };
  network.once("afterDrawing", function () {
    viewer.ready = true;
    viewer.drawnMs = performance.now();
    document.body.setAttribute("data-ready", "1");
  });

  // ---- header ------------------------------------------------------------
  document.getElementById("title").textContent = data.title;
  document.getElementById("summary").textContent =
    data.nodes.length + " 节点 nodes · " + data.edges.length + " 关系 links";

  // ---- type filter (the legend) --------------------------------------------
  var hiddenTypes = new Set();
  var typeBox = document.getElementById("type-filter");
  data.types.forEach(function (t) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = t.name;
    box.setAttribute("data-type", t.name);
    var swatch = el("span", null, "swatch");
    swatch.style.background = t.color;
    label.append(box, swatch, el("span", t.label + " " + t.name + " (" + t.count + ")"));
    typeBox.append(label);
    box.addEventListener("change", function () {
      if (box.checked) { hiddenTypes.delete(t.name); } else { hiddenTypes.add(t.name); }
      applyFilters();
    });
  });

  // ---- the report picker (a build of several reports) ------------------------
  // Nodes of no report (divisions, bodies, concepts shared by the corpus) stay visible.
  var currentReport = "";
  function shown(n) {
    return !hiddenTypes.has(n.type) && (currentReport === "" || n.report === undefined || n.report === null ||
      n.report === currentReport);
  }
  function applyFilters() {
    nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: !shown(n) }; }));
  }
  var reportNodes = data.nodes.filter(function (n) { return n.type === "Report"; });
  var picker = document.getElementById("report-picker");
  if (reportNodes.length > 1) {
    document.getElementById("picker").hidden = false;
    reportNodes.slice().sort(function (p, q) { return String(p.report).localeCompare(String(q.report)); })
      .forEach(function (n) {
        var option = el("option", n.report + " · " + n.label);
        option.value = n.report;
        picker.append(option);
      });
  }
  picker.addEventListener("change", function () {
    currentReport = picker.value;
    applyFilters();
    var ids = data.nodes.filter(function (n) { return shown(n) && n.report === currentReport; })
      .map(function (n) { return n.id; });
    if (currentReport && ids.length) { network.fit({ nodes: ids, animation: false }); }
    runSearch();
  });
  viewer.pickReport = function (id) { picker.value = id; picker.dispatchEvent(new Event("change")); };

  // ---- edge legend and the problem → plan switch ---------------------------
  var legend = document.getElementById("edge-legend");
  var relationColour = {};
  data.edges.forEach(function (e) { relationColour[e.relation] = [e.color, e.width]; });
  Object.keys(data.relations).forEach(function (relation) {
    var item = el("li");
    var line = el("span", null, "line");
    line.style.borderTopColor = relationColour[relation][0];
    line.style.borderTopWidth = Math.max(1, relationColour[relation][1]) + "px";
    item.append(line, el("span", data.relations[relation] + " " + relation));
    legend.append(item);
  });
  document.getElementById("only-problem-plan").addEventListener("change", function (event) {
    var only = event.target.checked;
    edges.update(data.edges.map(function (e) { return { id: e.id, hidden: only && e.relation !== "addresses" }; }));
  });

  // ---- details -----------------------------------------------------------
  function addFact(list, caption, value) {
    if (value === undefined || value === null || value === "") { return; }
    list.append(el("dt", caption), el("dd", typeof value === "object" ? JSON.stringify(value) : value));
  }

  function showSentence(n) {
    var box = document.getElementById("d-sentence");
    box.replaceChildren();
    if (typeof n.sentence !== "string") {
      box.textContent = typeof n.span_text === "string" ? n.span_text : "—";
      return;
    }
    // Offsets are code points (Python str indices); Array.from splits the same way.
    var chars = Array.from(n.sentence);
    var a = Math.max(0, n.span_start - n.sentence_start);
    var b = Math.min(chars.length, n.span_end - n.sentence_start);
    box.append(document.createTextNode(chars.slice(0, a).join("")),
      el("mark", chars.slice(a, b).join("")),
      document.createTextNode(chars.slice(b).join("")));
  }

  function linkButton(id) {
    var target = byId.get(id);
    var button = el("button", target ? target.label : id);
    button.type = "button";
    button.addEventListener("click", function () { select(id); });
    return button;
  }

  function showLinks(id) {
    var list = document.getElementById("d-links");
    list.replaceChildren();
    function rank(e) { return STRONG[e.relation] ? 0 : 1; }
    outgoing.get(id).slice().sort(function (p, q) { return rank(p) - rank(q); }).forEach(function (e) {
      var item = el("li");
      item.append(el("span", "→ " + e.label + " ", "relation"), linkButton(e.to));
      list.append(item);
    });
    incoming.get(id).slice().sort(function (p, q) { return rank(p) - rank(q); }).forEach(function (e) {
      var item = el("li");
      item.append(el("span", "← " + e.label + " ", "relation"), linkButton(e.from));
      list.append(item);
    });
  }

  function showNode(id) {
    var n = byId.get(id);
    if (!n) { return; }
    document.getElementById("details").hidden = false;
    document.getElementById("d-label").textContent = n.label;
    document.getElementById("d-type").textContent = n.type_label + " · " + n.type;
    var facts = document.getElementById("d-facts");
    facts.replaceChildren();
    if (n.value !== undefined) {
      addFact(facts, "数值 value", String(n.value) + (n.unit !== undefined ? " " + n.unit : ""));
    }
    FACTS.forEach(function (pair) { addFact(facts, pair[1], n[pair[0]]); });
    if (n.span_start !== undefined) { addFact(facts, "位置 offsets", n.span_start + "–" + n.span_end); }
    showSentence(n);
    showLinks(id);
    var all = document.getElementById("d-all");
    all.replaceChildren();
    addFact(all, "iri", n.id);
    Object.keys(n).sort().forEach(function (key) {
      if (!HIDDEN_ATTRIBUTES[key]) { addFact(all, key, n[key]); }
    });
    viewer.shown = id;
    document.getElementById("details").scrollIntoView({ block: "nearest" });
  }

  function select(id) {
    if (!byId.has(id)) { return; }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showNode(id);
  }
  viewer.select = select;

  network.on("click", function (params) {
    if (params.nodes.length > 0) { showNode(params.nodes[0]); }
  });

  // ---- search --------------------------------------------------------------
  var SEARCHED = ["label", "subject", "span_text", "sentence"];

  function snippet(text, query) {
    // The words around the match, so that a hit in a subject or a sentence shows why it was found.
    var chars = Array.from(text);
    var lower = chars.map(function (ch) { return ch.toLowerCase(); });
    var width = Array.from(query).length;
    var at = -1;
    for (var i = 0; i + width <= chars.length && at < 0; i++) {
      if (lower.slice(i, i + width).join("") === query) { at = i; }
    }
    var box = el("span", null, "snippet");
    if (at < 0) { return box; }
    var from = Math.max(0, at - 12), to = Math.min(chars.length, at + width + 12);
    box.append(document.createTextNode((from > 0 ? "…" : "") + chars.slice(from, at).join("")),
      el("mark", chars.slice(at, at + width).join("")),
      document.createTextNode(chars.slice(at + width, to).join("") + (to < chars.length ? "…" : "")));
    return box;
  }

  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  var count = document.getElementById("search-count");
  var lastMatches = [];
  function runSearch() {
    var query = search.value.trim().toLowerCase();
    results.replaceChildren();
    lastMatches = [];
    if (!query) { count.textContent = ""; network.unselectAll(); return; }
    // Labels first, then subjects, then the item's own text and its sentence (labels are cut at 40 characters).
    var ranked = [];
    data.nodes.forEach(function (n) {
      if (!shown(n)) { return; }
      for (var i = 0; i < SEARCHED.length; i++) {
        var value = n[SEARCHED[i]];
        if (typeof value === "string" && value.toLowerCase().indexOf(query) !== -1) {
          ranked.push({ node: n, field: SEARCHED[i], rank: i, text: value });
          return;
        }
      }
    });
    ranked.sort(function (p, q) { return p.rank - q.rank; });
    lastMatches = ranked.map(function (r) { return r.node; });
    count.textContent = lastMatches.length + " 个结果 matches";
    ranked.slice(0, 100).forEach(function (r) {
      var item = el("li");
      var button = linkButton(r.node.id);
      button.title = r.node.type_label;
      button.setAttribute("data-field", r.field);
      item.append(button);
      if (r.field !== "label") { item.append(snippet(r.text, query)); }
      results.append(item);
    });
    network.selectNodes(lastMatches.map(function (n) { return n.id; }));
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && lastMatches.length > 0) { select(lastMatches[0].id); }
  });
})();
