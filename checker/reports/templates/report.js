(function () {
  "use strict";
  // Findings past the first page are in a JSON data block (never executed) and become rows
  // only when shown, so a report of 100,000 workforces opens quickly. Values are set with
  // textContent: data is never parsed as HTML.
  var form = document.getElementById("filters");
  if (!form) { return; }
  var table = document.getElementById("findings");
  var shown = document.getElementById("shown");
  var total = document.getElementById("matching");
  var none = document.getElementById("no-match");
  var more = document.getElementById("more");
  var note = document.getElementById("more-note");
  var block = document.getElementById("more-findings");
  var PAGE = 2000;
  var limit = PAGE;
  var entries = Array.prototype.slice.call(table.querySelectorAll("tbody.finding"))
    .map(function (row) {
      return {severity: row.getAttribute("data-severity"), rule: row.getAttribute("data-rule"),
              status: row.getAttribute("data-status"), el: row, data: null};
    });
  var attached = [];
  if (block) {
    JSON.parse(block.textContent).forEach(function (f) {
      entries.push({severity: f[0], rule: f[1], status: f[4], el: null, data: f});
    });
  }
  function node(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }
  function line(cell, cls, text) {
    cell.appendChild(document.createElement("br"));
    cell.appendChild(node("span", cls, text));
  }
  function pairs(cls, items, wrap) {
    var list = node("dl", cls);
    items.forEach(function (item) {
      list.appendChild(node("dt", "", item[0]));
      var dd = node("dd");
      dd.appendChild(wrap ? node("code", "", item[1]) : document.createTextNode(item[1]));
      list.appendChild(dd);
    });
    return list;
  }
  // f: [severity, rule, anchor, title, status, name, where, key, resource, action, source,
  //     message, evidence, path, accepted], as the template's row macro shows them.
  function build(f) {
    var body = node("tbody", "finding");
    body.setAttribute("data-severity", f[0]);
    body.setAttribute("data-rule", f[1]);
    body.setAttribute("data-status", f[4]);
    var tr = body.appendChild(node("tr"));
    tr.appendChild(node("td")).appendChild(node("span", "sev sev-" + f[0], f[0]));
    var rule = tr.appendChild(node("td"));
    var link = rule.appendChild(node("a"));
    link.setAttribute("href", "#" + f[2]);
    link.appendChild(node("strong", "", f[1]));
    rule.appendChild(document.createElement("br"));
    rule.appendChild(document.createTextNode(f[3]));
    tr.appendChild(node("td")).appendChild(node("span", "status status-" + f[4], f[4]));
    var who = tr.appendChild(node("td", "", f[5]));
    line(who, "muted", f[6]);
    line(who, "arn", f[7]);
    if (f[8]) { line(who, "muted", "resource " + f[8]); }
    if (f[9]) { line(who, "muted", "planned: " + f[9]); }
    if (f[10]) { line(who, "muted", "from " + f[10]); }
    var what = tr.appendChild(node("td"));
    what.appendChild(node("p", "msg", f[11]));
    if (f[12].length) { what.appendChild(pairs("evidence", f[12], true)); }
    if (f[13]) {
      var path = what.appendChild(node("div", "muted", "Path: "));
      path.appendChild(node("code", "", f[13]));
    }
    if (f[14].length) { what.appendChild(pairs("accepted", f[14], false)); }
    return body;
  }
  function matches(entry, name) {
    var wanted = form.elements[name].value;
    return !wanted || entry[name] === wanted;
  }
  function apply() {
    var count = 0;
    attached.forEach(function (el) { table.removeChild(el); });
    attached = [];
    entries.forEach(function (entry) {
      var visible = matches(entry, "severity") && matches(entry, "rule") &&
        matches(entry, "status");
      if (visible) { count += 1; }
      visible = visible && count <= limit;
      if (entry.data === null) {
        if (entry.el.hidden === visible) { entry.el.hidden = !visible; }
      } else if (visible) {
        if (entry.el === null) { entry.el = build(entry.data); }
        table.appendChild(entry.el);
        attached.push(entry.el);
      }
    });
    shown.textContent = String(Math.min(count, limit));
    total.textContent = String(count);
    none.hidden = count !== 0;
    if (more) { more.hidden = count <= limit; }
  }
  form.addEventListener("change", function () { limit = PAGE; apply(); });
  form.addEventListener("reset", function () {
    window.setTimeout(function () { limit = PAGE; apply(); }, 0);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  if (more) {
    more.addEventListener("click", function () { limit += PAGE; apply(); });
    more.hidden = false;
  }
  if (note) { note.hidden = true; }
  form.hidden = false;
  apply();
}());
