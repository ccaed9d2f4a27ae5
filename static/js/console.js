// The agent console, live: queue counts refresh when tickets change, and an agent sees
// who else has the same ticket open or is typing a reply. Pages work without it.
(function () {
  "use strict";
  var root = document.querySelector("[data-console]");
  if (!root || !window.WebSocket) { return; }
  var number = root.getAttribute("data-ticket") || "";
  var delay = 1000, socket, refreshTimer, lastTyping = 0;

  function refreshCounts(wait) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      var nav = document.getElementById("queue-nav");
      if (!nav) { return; }
      fetch(nav.getAttribute("data-refresh-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { nav.innerHTML = html; })
        .catch(function () { /* the counts stay as they were until the next change */ });
    }, wait === undefined ? 800 : wait);
  }
  // Drawn with counts from before the latest change (count_cache.py): fresh ones at once.
  var rail = document.getElementById("queue-nav");
  if (rail && rail.hasAttribute("data-counts-stale")) { refreshCounts(0); }

  var others = {};
  function showPresence() {
    var box = document.getElementById("collision");
    if (!box) { return; }
    var lines = Object.keys(others).map(function (name) { return name + " " + others[name]; });
    box.textContent = lines.join(" · ");
    box.hidden = lines.length === 0;
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/console/");
    socket.onopen = function () {
      delay = 1000;
      if (number) { socket.send(JSON.stringify({ type: "ticket.watch", number: number })); }
    };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "queues.changed") { refreshCounts(); }
      if (event.type === "presence.update" && event.number === number) {
        if (event.state === "left") { delete others[event.agent]; }
        else { others[event.agent] = root.getAttribute("data-label-" + event.state) || event.state; }
        showPresence();
      }
    };
    socket.onclose = function (event) {
      // 4401 signed out, 4403 no longer allowed (frozen, role or 2FA): the next page
      // load shows why; reconnecting would only be refused again.
      if (event.code === 4401 || event.code === 4403) { root.setAttribute("data-connection", "closed"); return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();

  // Delegated: an in-place reply replaces the reply box with a fresh one.
  document.addEventListener("input", function (event) {
    if (!event.target || event.target.id !== "reply-body") { return; }
    var now = Date.now();
    if (socket && socket.readyState === 1 && now - lastTyping > 3000) {
      lastTyping = now;
      socket.send(JSON.stringify({ type: "ticket.typing" }));
    }
  });
})();

// The workspace's in-place edits: a form marked data-inplace is posted by fetch with
// HX-Request (the server then answers the changed parts of the page, each with its id)
// and those parts replace their namesakes; nothing else on the page reloads. Without
// this script the same forms post and redirect as before.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) { return; }

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]") || document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Where focus was, as something that can be found again in the new markup.
  function focusKey(element, submitter) {
    var target = submitter || element;
    if (!target || target === document.body) { return null; }
    return { id: target.id, name: target.getAttribute("name"), value: target.getAttribute("value"), form: target.form ? target.form.getAttribute("action") : null };
  }

  function refocus(key, fallback) {
    var found = null;
    if (key && key.id) { found = document.getElementById(key.id); }
    if (!found && key && key.name) {
      document.querySelectorAll("[name='" + key.name.replace(/'/g, "") + "']").forEach(function (el) {
        if (!found && el.getAttribute("value") === key.value && !el.disabled && el.offsetParent !== null) { found = el; }
      });
    }
    if (!found || found.disabled || found.offsetParent === null) { found = fallback && document.getElementById(fallback); }
    if (found) { found.focus(); }
  }

  function swap(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    Array.prototype.slice.call(template.content.children).forEach(function (part) {
      var old = part.id && document.getElementById(part.id);
      if (old) { old.replaceWith(part); }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-inplace]")) { return; }
    var submitter = event.submitter || null;
    event.preventDefault();
    // A button may ask first (Solve): its own question, for a click and the shortcut alike.
    if (submitter && submitter.getAttribute("data-confirm") && !window.confirm(submitter.getAttribute("data-confirm"))) { return; }
    if (form.getAttribute("aria-busy") === "true") { return; }
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var key = focusKey(document.activeElement, submitter);
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrf(form) },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if ((response.ok || response.status === 400) && type.indexOf("text/html") === 0) {
          return response.text().then(function (html) {
            swap(html);
            refocus(key, form.closest("#composer") ? "reply-body" : "actions-heading");
          });
        }
        // Anything else (signed out, a 403, a server error): let the browser show it.
        form.removeAttribute("data-inplace");
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      })
      .catch(function () {
        var box = document.getElementById("ws-announce");
        if (box) { box.textContent = box.getAttribute("data-offline") || ""; }
      })
      .finally(function () { form.removeAttribute("aria-busy"); });
  });

  // A canned reply into the reply box (base.js does this for the page as loaded; an
  // in-place reply brings a new reply box, so it is done here by delegation too).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-macro-target]") || select.hasAttribute("data-bound")) { return; }
    var option = select.options[select.selectedIndex];
    var box = document.getElementById(select.getAttribute("data-macro-target"));
    if (box && option && option.getAttribute("data-text")) { box.value = option.getAttribute("data-text"); box.focus(); }
  });

  // A list that applies on choice: a mouse pick applies at once; with the keyboard an
  // arrow only moves through the list (Chromium fires change on each arrow of a closed
  // select) and Enter or leaving the field applies it.
  var keyed = new WeakSet();
  document.addEventListener("keydown", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-autosubmit]")) { return; }
    if (event.key === "Enter") {
      event.preventDefault();
      keyed.delete(select);
      select.form.requestSubmit();
    } else if (event.key.indexOf("Arrow") === 0 || event.key === "Home" || event.key === "End" || event.key.length === 1) {
      keyed.add(select);
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-autosubmit]")) { return; }
    if (keyed.has(select)) { select.setAttribute("data-dirty", "true"); return; }
    select.form.requestSubmit();
  });
  document.addEventListener("focusout", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-autosubmit][data-dirty]")) { return; }
    keyed.delete(select);
    select.removeAttribute("data-dirty");
    select.form.requestSubmit();
  });

  // On the chat page the header's presence follows the agent's socket and status choice
  // (the header itself was rendered before the socket said the agent was online).
  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector("[data-header-presence]");
    var conn = document.querySelector("[data-conn]");
    if (!header || !conn) { return; }
    var words = header.querySelector("[data-presence-words]");
    function sync() {
      var chosen = document.querySelector("[data-presence]:checked");
      var online = !conn.classList.contains("offline") && conn.textContent.trim() !== "";
      var state = !online ? "offline" : (chosen ? chosen.value : "online");
      header.className = header.className.replace(/ws-presence-\w+/, "ws-presence-" + state);
      if (words) { words.textContent = header.getAttribute("data-text-" + state) || state; }
    }
    new MutationObserver(sync).observe(conn, { childList: true, characterData: true, subtree: true, attributes: true });
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("[data-presence]")) { sync(); }
    });
  });

  // The rail of views becomes a menu on a narrow screen.
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-rail-toggle]");
    var rail = document.querySelector("[data-rail]");
    if (!toggle || !rail) { return; }
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      rail.classList.toggle("is-open", open);
      if (open) { var first = rail.querySelector("a"); if (first) { first.focus(); } }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && rail.classList.contains("is-open")) {
        rail.classList.remove("is-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  });
})();
