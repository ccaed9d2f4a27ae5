// The workspace's keyboard shortcuts (listed on the "?" dialog, templates/tickets/console/
// _shortcuts_dialog.html). Every shortcut presses a control the page already has (the
// Solve button with its own confirmation, "Assign to me", the composer's toggle), so a
// shortcut does nothing a click could not. Off while typing in a field or with a modifier.
(function () {
  "use strict";

  var LIST_KEY = "beacon.workspace.list"; // the last list's rows, for j/k on a ticket page
  var pendingG = 0;

  var NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset", "file", "range", "color", "image"];

  function typing(target) {
    if (!target || !target.closest) { return false; }
    if (target.isContentEditable) { return true; }
    if (target.tagName === "INPUT") { return NOT_TEXT.indexOf(target.type) === -1; }
    return Boolean(target.closest("textarea, select, [contenteditable=''], [contenteditable=true]"));
  }

  // ---- the list: j/k move a marked row, Enter opens it

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row][data-href]"));
  }

  function current(all) {
    for (var i = 0; i < all.length; i += 1) {
      if (all[i].classList.contains("is-selected")) { return i; }
    }
    return -1;
  }

  function select(all, index) {
    all.forEach(function (row) {
      row.classList.remove("is-selected");
      row.removeAttribute("aria-current");
    });
    var row = all[index];
    row.classList.add("is-selected");
    row.setAttribute("aria-current", "true");
    var link = row.querySelector("a[href]");
    if (link) { link.focus(); }
    row.scrollIntoView({ block: "nearest" });
  }

  function rememberList(all) {
    try {
      sessionStorage.setItem(LIST_KEY, JSON.stringify(all.map(function (row) { return row.getAttribute("data-href"); })));
    } catch (e) { /* private mode: j/k then work on list pages only */ }
  }

  function neighbour(step) {
    // On a ticket page: the next or previous row of the list the agent came from.
    var list;
    try { list = JSON.parse(sessionStorage.getItem(LIST_KEY) || "[]"); } catch (e) { list = []; }
    var here = list.indexOf(location.pathname);
    if (here === -1) { return null; }
    return list[here + step] || null;
  }

  function move(step) {
    var all = rows();
    if (all.length) {
      var index = current(all);
      var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("[data-row]");
      if (focused) { index = all.indexOf(focused); }
      index = index === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
      select(all, index);
      return true;
    }
    var url = neighbour(step);
    if (url) { location.assign(url); return true; }
    return false;
  }

  // ---- the composer: r reply, n note (the ticket page's toggle, or the chat's checkbox)

  function compose(note) {
    var ticketMode = document.getElementById(note ? "mode-internal" : "mode-public");
    var body = document.getElementById("reply-body");
    if (ticketMode && body) {
      ticketMode.checked = true;
      ticketMode.dispatchEvent(new Event("change", { bubbles: true }));
      body.focus();
      return true;
    }
    var active = document.activeElement && document.activeElement.closest && document.activeElement.closest("[data-column]");
    var column = active || document.querySelector("[data-column]:not(.chat-ended)");
    if (!column) { return false; }
    var internal = column.querySelector("[data-internal]");
    if (internal) { internal.checked = note; }
    var box = column.querySelector("[data-body]");
    if (box) { box.focus(); }
    return Boolean(box);
  }

  function press(selector) {
    var button = document.querySelector(selector);
    if (!button || button.disabled) { return false; }
    button.click();
    return true;
  }

  // ---- the "?" dialog: modal, focus kept inside, Esc closes, focus goes back

  var dialog = null;
  var opener = null;

  function focusables() {
    return Array.prototype.slice.call(dialog.querySelectorAll("button, a[href], [tabindex]:not([tabindex='-1'])"))
      .filter(function (el) { return !el.disabled && el.offsetParent !== null; });
  }

  function openDialog() {
    if (!dialog || dialog.open) { return; }
    opener = document.activeElement;
    dialog.showModal();
    var close = dialog.querySelector("[data-shortcuts-close]");
    if (close) { close.focus(); }
  }

  function closeDialog() {
    if (dialog && dialog.open) { dialog.close(); }
  }

  function setUpDialog() {
    dialog = document.querySelector("[data-shortcuts-dialog]");
    if (!dialog || typeof dialog.showModal !== "function") { dialog = null; return; }
    var button = document.querySelector("[data-shortcuts-open]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", openDialog);
    }
    dialog.querySelector("[data-shortcuts-close]").addEventListener("click", closeDialog);
    dialog.addEventListener("close", function () {
      if (opener && opener.focus && document.contains(opener)) { opener.focus(); }
      opener = null;
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { closeDialog(); } // a click on the backdrop
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") { return; }
      var items = focusables();
      if (!items.length) { event.preventDefault(); return; }
      var first = items[0], last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      else if (items.indexOf(document.activeElement) === -1) { event.preventDefault(); first.focus(); }
    });
  }

  // ---- the keys

  function onKey(event) {
    var key = event.key;
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (dialog && dialog.open) { return; } // the dialog handles its own keys (Esc, Tab)
    if (typing(event.target)) {
      // Esc leaves a text field (what is typed stays), so the shortcuts work again.
      if (key === "Escape" && event.target.matches("input, textarea")) { event.target.blur(); }
      return;
    }
    var now = Date.now();
    if (pendingG && now - pendingG < 1500) {
      pendingG = 0;
      if (key === "i") {
        event.preventDefault();
        location.assign(document.body.getAttribute("data-inbox-url") || "/console/inbox/");
      }
      return;
    }
    var done = false;
    switch (key) {
      case "?": openDialog(); done = true; break;
      case "j": done = move(1); break;
      case "k": done = move(-1); break;
      case "r": done = compose(false); break;
      case "n": done = compose(true); break;
      case "a": done = press("[data-shortcut='assign-me']"); break;
      case "s": done = press("[data-shortcut='solve']"); break;
      case "g": pendingG = now; done = true; break;
      case "Enter": {
        var all = rows();
        var index = current(all);
        if (index !== -1 && document.activeElement === document.body) {
          location.assign(all[index].getAttribute("data-href"));
          done = true;
        }
        break;
      }
      default: break;
    }
    if (done) { event.preventDefault(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpDialog();
    var all = rows();
    if (all.length) { rememberList(all); }
    document.addEventListener("keydown", onKey);
    document.documentElement.setAttribute("data-shortcuts", "on");
  });
})();
