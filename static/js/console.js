// The agent console, live: queue counts refresh when tickets change, and an agent sees
// who else has the same ticket open or is typing a reply. Pages work without it.
(function () {
  "use strict";
  var root = document.querySelector("[data-console]");
  if (!root || !window.WebSocket) { return; }
  var number = root.getAttribute("data-ticket") || "";
  var delay = 1000, socket, refreshTimer, lastTyping = 0;

  function refreshCounts() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      var nav = document.getElementById("queue-nav");
      if (!nav) { return; }
      fetch(nav.getAttribute("data-refresh-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { nav.innerHTML = html; })
        .catch(function () { /* the counts stay as they were until the next change */ });
    }, 800);
  }

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

  var box = document.getElementById("reply-body");
  if (box) {
    box.addEventListener("input", function () {
      var now = Date.now();
      if (socket && socket.readyState === 1 && now - lastTyping > 3000) {
        lastTyping = now;
        socket.send(JSON.stringify({ type: "ticket.typing" }));
      }
    });
  }
})();
