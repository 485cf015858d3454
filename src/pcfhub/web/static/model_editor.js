/* The product model editor: add and remove rows, show an exchange's fields for its kind.
 *
 * Plain JavaScript, no framework. A field's name is its path in the model
 * (processes.0.exchanges.2.amount) and its id the same path with dashes (f-processes-0-...).
 * New rows are copies of the <template> rows at the end of the page, whose names start with
 * __PREFIX__; removing a row renumbers the rows after it. Without JavaScript the page still
 * edits the rows it shows (the add and remove buttons stay hidden).
 */
(function () {
  "use strict";

  var PLACEHOLDER = "__PREFIX__";
  var DOTTED = ["name", "data-list", "data-prefix", "data-target"];
  var DASHED = ["id", "for", "aria-describedby"];

  function dashed(path) {
    return path.split(".").join("-");
  }

  function escape(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function rows(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.hasAttribute("data-row");
    });
  }

  function listOf(path) {
    return document.querySelector('[data-list="' + path + '"]');
  }

  /* Rename every path that starts with `from` to start with `to`, in a row and all inside it. */
  function rename(row, from, to) {
    var dotted = new RegExp("^" + escape(from) + "(?=\\.|$)");
    var dashes = new RegExp("-" + escape(dashed(from)) + "(?=-|$)");
    var elements = [row].concat(Array.prototype.slice.call(row.querySelectorAll("*")));
    elements.forEach(function (element) {
      DOTTED.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value !== null) element.setAttribute(attribute, value.replace(dotted, to));
      });
      DASHED.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value !== null) element.setAttribute(attribute, value.replace(dashes, "-" + dashed(to)));
      });
    });
  }

  /* Number a list's rows 0, 1, 2… in their names and 1, 2, 3… in their headings. */
  function renumber(list) {
    rows(list).forEach(function (row, index) {
      var wanted = list.getAttribute("data-list") + "." + index;
      var current = row.getAttribute("data-prefix");
      if (current !== wanted) rename(row, current, wanted);
      var number = row.querySelector(".row-number");
      if (number) number.textContent = String(index + 1);
    });
  }

  function showKind(select) {
    var row = select.closest("[data-row]");
    Array.prototype.forEach.call(row.querySelectorAll("[data-kinds]"), function (group) {
      if (group.closest("[data-row]") !== row) return;
      group.hidden = group.getAttribute("data-kinds").split(" ").indexOf(select.value) < 0;
    });
  }

  function refreshProcessIds() {
    var ids = {};
    Array.prototype.forEach.call(document.querySelectorAll("#model-form input[name]"), function (input) {
      if (/^processes\.\d+\.id$/.test(input.name) && input.value.trim()) ids[input.value.trim()] = true;
    });
    var datalist = document.getElementById("process-ids");
    datalist.textContent = "";
    Object.keys(ids).sort().forEach(function (id) {
      var option = document.createElement("option");
      option.value = id;
      datalist.appendChild(option);
    });
  }

  function factorLink(input) {
    var link = input.parentNode.querySelector("[data-factor-link]");
    if (!link) return;
    var key = input.value.trim();
    link.setAttribute("href", key ? "/factors?q=" + encodeURIComponent(key) : "/factors");
  }

  function add(button) {
    var path = button.getAttribute("data-target");
    var list = listOf(path);
    var template = document.getElementById("tpl-" + button.getAttribute("data-add"));
    if (!list || !template) return;
    var prefix = path + "." + rows(list).length;
    var html = template.innerHTML
      .split("-" + PLACEHOLDER).join("-" + dashed(prefix))
      .split(PLACEHOLDER).join(prefix);
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    list.appendChild(row);
    enable(row);
    renumber(list);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function remove(button) {
    var row = button.closest("[data-row]");
    var list = row.parentNode;
    row.parentNode.removeChild(row);
    renumber(list);
    refreshProcessIds();
  }

  /* Show the buttons that need this script, and each exchange's fields for its kind. */
  function enable(root) {
    Array.prototype.forEach.call(root.querySelectorAll("button[data-add], button[data-remove]"), function (button) {
      button.hidden = false;
    });
    Array.prototype.forEach.call(root.querySelectorAll("select[data-kind-select]"), showKind);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("model-form");
    if (!form) return;
    document.documentElement.classList.add("js");
    enable(form);
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-add], button[data-remove]");
      if (!button) return;
      event.preventDefault();
      if (button.hasAttribute("data-add")) add(button);
      else remove(button);
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("select[data-kind-select]")) showKind(event.target);
    });
    form.addEventListener("input", function (event) {
      var name = event.target.name || "";
      if (/^processes\.\d+\.id$/.test(name)) refreshProcessIds();
      if (/\.key$/.test(name)) factorLink(event.target);
    });
  });
})();
