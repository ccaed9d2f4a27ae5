// The staff bell, live: the unread count and new items arrive over /ws/notifications/,
// and items are marked read through the same socket. Without this file the bell is a
// link to the notifications page, which works on its own.
(function () {
  "use strict";
  var root = document.querySelector("[data-bell]");
  if (!root || !window.WebSocket || !window.fetch || !window.DOMParser) { return; }
  var link = root.querySelector("[data-bell-link]");
  var button = root.querySelector("[data-bell-button]");
  var panel = document.getElementById(button.getAttribute("aria-controls"));
  var list = root.querySelector("[data-bell-list]");
  var empty = root.querySelector("[data-bell-empty]");
  var offline = root.querySelector("[data-bell-offline]");
  var badge = root.querySelector("[data-bell-count]");
  var name = root.querySelector("[data-bell-name]");
  var announce = root.querySelector("[data-bell-announce]");
  var readAll = root.querySelector("[data-bell-read-all]");
  var emptyText = empty.textContent;
  var delay = 1000, socket = null, loads = 0, loading = false, pushed = [], leaving = null;

  function text(key, values) {
    var template = root.getAttribute("data-text-" + key) || "";
    return template.replace(/%\((\w+)\)s/g, function (_, field) { return values[field]; });
  }

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  // Like the page's "Y-m-d H:i": the server shows the browser's zone too (base.js's cookie).
  function when(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return ""; }
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // The markup of an item on templates/accounts/notifications.html, for pushed items.
  function itemElement(item) {
    var li = document.createElement("li");
    li.className = "notification" + (item.read ? "" : " is-unread");
    li.setAttribute("data-id", item.id);
    if (!item.read) {
      var state = document.createElement("span");
      state.className = "notification-state";
      state.textContent = text("unread", {});
      li.appendChild(state);
      li.appendChild(document.createTextNode(" "));
    }
    var title = document.createElement(item.url ? "a" : "span");
    title.className = "notification-title";
    title.textContent = item.title;
    if (item.url) { title.setAttribute("href", item.url); }
    li.appendChild(title);
    li.appendChild(document.createTextNode(" "));
    var time = document.createElement("time");
    time.className = "notification-time";
    time.setAttribute("datetime", item.created_at);
    time.textContent = when(item.created_at);
    li.appendChild(time);
    return li;
  }

  function shown(id) { return list.querySelector('li[data-id="' + id + '"]'); }

  function showEmpty() { empty.hidden = list.children.length > 0; }

  function markShownRead(li) {
    li.classList.remove("is-unread");
    li.querySelectorAll(".notification-state, .notification-actions").forEach(function (node) {
      node.remove();
    });
  }

  function showCount(count) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count === 0;
    name.textContent = text("name-unread", { count: count });
    if (count === 0) { document.querySelectorAll(".notification.is-unread").forEach(markShownRead); }
  }

  function prepend(item) {
    if (shown(item.id)) { return; }
    list.insertBefore(itemElement(item), list.firstChild);
    showEmpty();
  }

  // The list comes from the notifications page itself, so it is rendered (and translated)
  // in one place; items pushed while it loads are put back on top if it lacks them.
  function load() {
    var request = ++loads;
    loading = true;
    pushed = [];
    fetch(root.getAttribute("data-page-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (request !== loads) { return; }
        loading = false;
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-notification-list]");
        // The page's per-item forms post back to the page; here a click marks it read.
        fresh.querySelectorAll(".notification-actions").forEach(function (form) { form.remove(); });
        // A copy first: adopting a node takes it out of the live `children` collection.
        list.replaceChildren.apply(list, Array.prototype.slice.call(fresh.children).map(function (li) {
          return document.adoptNode(li);
        }));
        pushed.forEach(prepend);
        empty.textContent = emptyText;
        showEmpty();
      })
      .catch(function () {
        if (request !== loads) { return; }
        loading = false;
        empty.textContent = text("failed", {});
        empty.hidden = false;
      });
  }

  function setOpen(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { load(); }
  }

  function sendRead(ids) {
    if (!socket || socket.readyState !== WebSocket.OPEN) { return false; }
    socket.send(JSON.stringify({ type: "notification.read", ids: ids }));
    return true;
  }

  // Follow a link once the server has the item marked read (its new unread count comes
  // back), so the next page's bell is right; a second at most if no answer comes.
  function leave() {
    if (leaving) { var href = leaving; leaving = null; window.location.assign(href); }
  }

  function openItem(li, href) {
    var id = Number(li.getAttribute("data-id"));
    markShownRead(li);
    leaving = href;
    if (!sendRead([id])) {
      // No socket: the page's own form, posted so that it outlives this page.
      var data = new FormData(readAll);
      data.delete("all");
      data.append("ids", String(id));
      fetch(readAll.action, {
        method: "POST", body: data, credentials: "same-origin", keepalive: true, redirect: "manual"
      })
        .catch(function () { /* it stays unread; the page can mark it */ });
      leave();
      return;
    }
    setTimeout(leave, 1000);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.onopen = function () {
      delay = 1000;
      root.setAttribute("data-connection", "open");
      offline.hidden = true;
    };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "notification.unread") {
        showCount(event.count);
        leave();
      } else if (event.type === "notification.new") {
        if (loading) { pushed.push(event.notification); }
        prepend(event.notification);
        showCount(event.unread);
        announce.textContent = text("new", { title: event.notification.title });
      } else if (event.type === "error") {
        leave();
      }
    };
    socket.onclose = function (event) {
      root.setAttribute("data-connection", "closed");
      offline.hidden = false;
      // 4401 signed out, 4403 no longer allowed (a frozen account): refused again if it
      // reconnected; the bell stays a link to the notifications page.
      if (event.code === 4401 || event.code === 4403) { return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  link.hidden = true;
  button.hidden = false;
  button.addEventListener("click", function () { setOpen(panel.hidden); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { setOpen(false); button.focus(); }
  });
  document.addEventListener("click", function (event) {
    if (!panel.hidden && !root.contains(event.target)) { setOpen(false); }
  });
  // On the panel, and on the notifications page when it is the page open.
  function follow(event) {
    var title = event.target.closest("a.notification-title");
    var li = title && title.closest("li.is-unread");
    if (!li) { return; }
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      // A new tab or window: this page stays, so the socket can take its time.
      if (sendRead([Number(li.getAttribute("data-id"))])) { markShownRead(li); }
      return;
    }
    event.preventDefault();
    openItem(li, title.href);
  }
  list.addEventListener("click", follow);
  var pageList = document.querySelector("[data-notification-list]");
  if (pageList) { pageList.addEventListener("click", follow); }
  readAll.addEventListener("submit", function (event) {
    // Without a socket the form posts as it would without JavaScript.
    if (sendRead("all")) { event.preventDefault(); }
  });
  connect();
})();
