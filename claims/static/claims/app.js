// Small behaviours of the analysts' pages: statement anchors in the reader and the review queue's keys.
(function () {
  "use strict";

  // Article reader: a link to #s-ID lights up every piece of that statement, not only where it starts.
  function markTarget() {
    document.querySelectorAll("mark.is-target").forEach(function (m) { m.classList.remove("is-target"); });
    var match = /^#s-(\d+)$/.exec(window.location.hash);
    if (!match) return;
    var pieces = document.querySelectorAll('mark[data-s~="' + match[1] + '"]');
    pieces.forEach(function (m) { m.classList.add("is-target"); });
    if (pieces.length) {
      pieces[0].scrollIntoView({ block: "center" });
      var focusable = pieces[0].hasAttribute("tabindex") ? pieces[0] : null;
      if (focusable) focusable.focus({ preventScroll: true });
    }
  }
  // Widths set from data-width through the CSSOM: the Content-Security-Policy allows no style attributes.
  function applyWidths(root) {
    (root || document).querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, Number(el.getAttribute("data-width")) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applyWidths(document); });
  document.addEventListener("htmx:afterSettle", function () { applyWidths(document); });

  window.addEventListener("hashchange", markTarget);
  document.addEventListener("DOMContentLoaded", markTarget);

  // Review queue: j/k move, a accept, r reject, x select for a bulk action, e opens the corrections,
  // u takes the last decision back.
  var current = 0;
  function items() { return Array.prototype.slice.call(document.querySelectorAll("#queue .review-item")); }
  function select(index, focus) {
    var all = items();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (el, i) { el.classList.toggle("is-current", i === current); });
    if (focus !== false) {
      all[current].focus({ preventScroll: true });
      all[current].scrollIntoView({ block: "nearest" });
    }
  }
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("queue") || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "u") {
      var undo = document.querySelector("#undo button");
      if (undo) { event.preventDefault(); undo.click(); }
      return;
    }
    var all = items();
    if (!all.length) return;
    // A key pressed before htmx settles the swapped queue must still act on an item that exists.
    current = Math.max(0, Math.min(current, all.length - 1));
    var item = all[current];
    var press = function (selector) {
      var button = item && item.querySelector(selector);
      if (button) { event.preventDefault(); button.click(); }
    };
    switch (event.key) {
      case "j": event.preventDefault(); select(current + 1); break;
      case "k": event.preventDefault(); select(current - 1); break;
      case "a": press("button[value=accept]"); break;
      case "r": press("button[value=reject]"); break;
      case "x": press("input.bulk-check"); break;
      case "e": {
        var details = item && item.querySelector("details");
        if (details) { event.preventDefault(); details.open = !details.open; }
        break;
      }
    }
  });
  document.addEventListener("focusin", function (event) {
    var item = event.target.closest && event.target.closest("#queue .review-item");
    if (item) {
      var index = items().indexOf(item);
      if (index >= 0 && index !== current) select(index, false);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { if (document.getElementById("queue")) select(0, false); });
  // After a decision the queue comes back starting at the next item: keep the place and the focus.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "queue") select(current);
  });
})();
