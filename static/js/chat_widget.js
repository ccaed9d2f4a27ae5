/* The customer chat widget: templates/livechat/_widget.html, frames in livechat/PROTOCOL.md.
 *
 * Nothing is lost, nothing is doubled, nothing out of order: every message gets a client_id
 * and stays in a pending list (sessionStorage) until the server acks it; after a reconnect
 * (with backoff) the socket resumes with ?after=<last id> and the pending messages are
 * sent again (the same client_id is the same message on the server). They go in the order
 * typed, a window of WINDOW at a time, below the socket's frame limit; when the server
 * refuses one for going too fast (`rate_limited` naming its client_id), it and every later
 * one go again, in order, once the limit has refilled (the server refuses the later ones
 * too until the refused one comes back, so none can overtake it). The conversation id is kept in
 * sessionStorage too, so the chat continues across page navigations.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-chat-widget]");
  if (!root) { return; }

  function $(selector) { return root.querySelector(selector); }
  var texts = $("[data-chat-texts]").dataset;
  var launcher = $("[data-chat-launcher]");
  // The dialog lives in a <template> until it is first needed: pages without a chat
  // carry no hidden forms (their labels would shadow the page's own).
  var widget = null;
  function mount() {
    if (!widget) {
      root.appendChild($("[data-chat-template]").content.cloneNode(true));
      widget = init();
    }
    return widget;
  }
  launcher.addEventListener("click", function () { mount().toggle(); });
  // The launcher comes last in the page; a skip link at the top (base.html) opens the chat
  // as the second Tab stop. Without this script it leads to the contact page.
  var skipLink = document.querySelector("[data-chat-skip]");
  if (skipLink) {
    skipLink.addEventListener("click", function (event) { event.preventDefault(); mount().open(); });
  }
  try {
    if (sessionStorage.getItem("beacon.chat." + root.dataset.userKey + ".id")) { mount(); }
  } catch (error) { /* storage off: the chat starts when opened */ }

  function init() {
  var dialog = $("[data-chat-dialog]");
  var log = $("[data-chat-log]");
  var statusLine = $("[data-chat-status]");
  var queueLine = $("[data-chat-queue]");
  var warning = $("[data-chat-warning]");
  var typingLine = $("[data-chat-typing]");
  var input = $("[data-chat-input]");
  var handoffButton = $("[data-chat-handoff]");
  var offlineOpen = $("[data-chat-offline-open]");
  var offlineForm = $("[data-chat-offline]");
  var rateForm = $("[data-chat-rate]");
  var emailForm = $("[data-chat-email]");
  var endButton = $("[data-chat-end]");
  var newButton = $("[data-chat-new]");
  var signedIn = root.dataset.signedIn === "1";

  // Per browser tab and per signed-in user: signing in or out starts afresh.
  var PREFIX = "beacon.chat." + root.dataset.userKey + ".";
  var store = {
    get: function (key, fallback) {
      try {
        var raw = sessionStorage.getItem(PREFIX + key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (error) { return fallback; }
    },
    set: function (key, value) {
      try { sessionStorage.setItem(PREFIX + key, JSON.stringify(value)); } catch (error) { /* full */ }
    },
    clear: function () {
      ["id", "last", "pending", "open"].forEach(function (key) {
        try { sessionStorage.removeItem(PREFIX + key); } catch (error) { /* ignore */ }
      });
    }
  };

  var conversationId = store.get("id", null);
  var lastId = store.get("last", 0);
  var socket = null;
  var attempt = 0;
  var retryTimer = null;
  var watchdog = null;
  var stopped = false; // 4401/4403: do not reconnect
  var status = "bot";
  dialog.dataset.status = status;
  var shown = {}; // message id -> element
  var pendingShown = {}; // client_id -> element
  var ownSeqs = []; // ids of my messages, for read receipts
  var typingSent = false;
  var typingTimer = null;
  var agentTypingTimer = null;
  var readUpTo = 0;
  // Messages in flight at once: the socket takes bursts of 10 frames, and typing and read
  // receipts need room beside them.
  var WINDOW = 5;
  var inFlight = []; // client_ids sent on this socket and not yet acked, in order
  var backoffTimer = null; // set while a refused message waits to go again

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  function csrf() {
    var field = $("[data-chat-csrf] input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function pending() { return store.get("pending", []); }
  function setPending(list) { store.set("pending", list); }

  function setStatusText(text) { statusLine.textContent = text; }

  // ------------------------------------------------------------------ dialog

  // Below this width the open panel covers (most of) the page: it is a modal, and the rest
  // of the page, launcher included, is inert, so Tab stays inside. Wider, the page makes
  // room for it (html.chat-docked in chat_widget.css): nothing focused hides behind it.
  var narrow = window.matchMedia("(max-width: 899px)");

  function placeDialog() {
    var open = !dialog.hidden;
    var modal = open && narrow.matches;
    dialog.setAttribute("aria-modal", modal ? "true" : "false");
    document.documentElement.classList.toggle("chat-docked", open && !modal);
    document.documentElement.classList.toggle("chat-modal", modal);
    Array.prototype.forEach.call(document.body.children, function (element) {
      if (element !== root) { element.inert = modal; }
    });
    launcher.inert = modal;
  }
  narrow.addEventListener("change", placeDialog);

  function openDialog() {
    dialog.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    store.set("open", true);
    placeDialog();
    input.focus();
    if (!conversationId) { start(); } else if (!socket) { connect(); }
    markRead();
  }

  function closeDialog() {
    dialog.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    store.set("open", false);
    placeDialog();
    launcher.focus();
  }

  $("[data-chat-close]").addEventListener("click", closeDialog);
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); closeDialog(); }
    if (event.key === "Tab" && dialog.getAttribute("aria-modal") === "true") { wrapFocus(event); }
  });

  // The rest of the page is inert, but past the last control Tab would leave for the
  // browser's own toolbar: go round inside the dialog instead.
  function wrapFocus(event) {
    var controls = Array.prototype.filter.call(
      dialog.querySelectorAll("a[href], button, input, textarea, select, summary, [tabindex]:not([tabindex='-1'])"),
      function (element) {
        // A closed <details> shows only its summary (Chromium still gives the rest boxes).
        var closed = element.closest("details:not([open])");
        if (closed && element.tagName !== "SUMMARY") { return false; }
        return !element.disabled && element.getClientRects().length > 0;
      }
    );
    if (!controls.length) { return; }
    var first = controls[0];
    var last = controls[controls.length - 1];
    var active = document.activeElement;
    if (event.shiftKey && (active === first || active === dialog)) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && active === last) { event.preventDefault(); first.focus(); }
  }

  // ------------------------------------------------------------------ HTTP

  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: body
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) { throw json; }
        return json;
      });
    });
  }

  function chatUrl(suffix) { return "/chat/" + conversationId + "/" + suffix; }

  function start() {
    setStatusText(texts.connecting);
    post(root.dataset.startUrl, { language: root.dataset.language }).then(function (answer) {
      conversationId = answer.conversation;
      lastId = 0;
      store.set("id", conversationId);
      store.set("last", 0);
      linkActions();
      connect();
    }).catch(function (error) {
      setStatusText((error && error.message) || texts.startFailed);
    });
  }

  function linkActions() {
    $("[data-chat-download]").href = chatUrl("transcript");
    $("[data-chat-page]").href = chatUrl("");
  }

  // ------------------------------------------------------------------ socket

  function connect() {
    if (!conversationId || stopped) { return; }
    if (socket && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)) {
      return;
    }
    clearTimeout(retryTimer);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + "/ws/chat/" + conversationId + "/?after=" + lastId;
    var ws = new WebSocket(url);
    socket = ws;
    setStatusText(attempt ? texts.reconnecting : texts.connecting);
    ws.addEventListener("open", function () {
      if (socket !== ws) { return; }
      attempt = 0;
      inFlight = [];
      flush();
      if (handoffWanted && sendFrame({ type: "handoff" })) { handoffWanted = false; }
    });
    ws.addEventListener("message", function (event) {
      if (socket !== ws) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (error) { return; }
      handle(frame);
    });
    ws.addEventListener("close", function (event) {
      if (socket !== ws) { return; }
      socket = null;
      clearTimeout(watchdog);
      if (event.code === 4401) { stopped = true; setStatusText(texts.signedOut); return; }
      if (event.code === 4403 || event.code === 4404) { stopped = true; setStatusText(texts.forbidden); return; }
      scheduleReconnect(event.code === 4503 ? texts.unavailable : texts.reconnecting);
    });
  }

  function scheduleReconnect(why) {
    if (stopped) { return; }
    setStatusText(why || texts.reconnecting);
    var delay = Math.min(15000, 500 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
    attempt += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function drop() {
    // The network went away (or an ack is overdue): treat the socket as dead now,
    // rather than wait for TCP to notice.
    if (socket) {
      var dead = socket;
      socket = null;
      try { dead.close(); } catch (error) { /* already closing */ }
    }
    scheduleReconnect();
  }

  window.addEventListener("offline", function () { if (conversationId) { drop(); } });
  window.addEventListener("online", function () {
    if (conversationId && !socket) { attempt = 0; clearTimeout(retryTimer); connect(); }
  });

  function sendFrame(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function flush() {
    // The next pending messages, in order, while the window has room.
    if (backoffTimer) { return; }
    var list = pending();
    for (var i = 0; i < list.length && inFlight.length < WINDOW; i += 1) {
      var item = list[i];
      if (inFlight.indexOf(item.client_id) !== -1) { continue; }
      if (!sendFrame({ type: "message.send", client_id: item.client_id, body: item.body })) { break; }
      inFlight.push(item.client_id);
    }
    armWatchdog();
  }

  function refused(clientId) {
    // Too fast: this one and everything after it go again, in order, once the server's
    // limit has refilled (about a second for a burst).
    if (backoffTimer || !clientId) { return; }
    inFlight = [];
    backoffTimer = setTimeout(function () { backoffTimer = null; flush(); }, 1200);
  }

  function armWatchdog() {
    clearTimeout(watchdog);
    if (!pending().length) { return; }
    watchdog = setTimeout(function () {
      if (pending().length && socket) { drop(); }
    }, 8000);
  }

  // ------------------------------------------------------------------ frames

  function handle(frame) {
    switch (frame.type) {
      case "hello": onHello(frame.conversation || {}); break;
      case "message.new": onMessage(frame.message || {}); break;
      case "message.ack": onAck(frame); break;
      case "typing": onTyping(frame); break;
      case "read": onRead(frame); break;
      case "queue.update": onQueue(frame); break;
      case "conversation.update": onConversation(frame); break;
      case "warning.sensitive": onSensitive(frame); break;
      case "error":
        if (frame.code === "rate_limited" && frame.client_id) { refused(frame.client_id); break; }
        setStatusText(frame.message || texts.failed);
        break;
      default: break;
    }
  }

  function onHello(conversation) {
    linkActions();
    onConversation({ status: conversation.status, agent: conversation.agent });
  }

  function onConversation(frame) {
    if (frame.status) { status = frame.status; }
    dialog.dataset.status = status;
    var agent = frame.agent;
    if (status === "active" && agent) {
      setStatusText(format(texts.active, { name: agent.name, staff_id: agent.staff_id }));
    } else if (status === "queued") {
      setStatusText(texts.queued);
    } else if (status === "ended") {
      setStatusText(texts.ended);
    } else {
      setStatusText(texts.botStatus);
    }
    handoffButton.hidden = status !== "bot";
    queueLine.hidden = status !== "queued";
    var ended = status === "ended";
    $("[data-chat-compose]").hidden = ended;
    rateForm.hidden = !ended || rateForm.dataset.done === "1";
    endButton.hidden = ended;
    newButton.hidden = !ended;
    if (frame.rating) { rated(); }
    checkOptions();
  }

  function checkOptions() {
    if (!conversationId) { return; }
    fetch(chatUrl("options"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (options) {
        if (!options) { return; }
        var offer = options.offline && (status === "queued" || status === "bot");
        offlineOpen.hidden = !offer;
        if (!offer) { offlineForm.hidden = true; }
      })
      .catch(function () { /* offline: the next status change asks again */ });
  }

  function onQueue(frame) {
    queueLine.hidden = false;
    queueLine.textContent = format(texts.queue, {
      position: frame.position,
      minutes: Math.max(1, Math.round((frame.eta_seconds || 0) / 60))
    });
  }

  function onSensitive(frame) {
    warning.textContent = texts.sensitive;
    warning.hidden = false;
    warning.dataset.kinds = (frame.kinds || []).join(" ");
  }

  function onTyping(frame) {
    if (frame.from === "customer") { return; }
    typingLine.hidden = !frame.on;
    typingLine.textContent = frame.on ? texts.typing : "";
    clearTimeout(agentTypingTimer);
    if (frame.on) {
      agentTypingTimer = setTimeout(function () { typingLine.hidden = true; }, 10000);
    }
  }

  function onRead(frame) {
    if (frame.by === "customer") { return; }
    ownSeqs.forEach(function (seq) {
      var item = shown[seq];
      if (seq <= frame.up_to && item) {
        var receipt = item.querySelector(".chat-receipt");
        if (receipt) { receipt.textContent = texts.read; }
      }
    });
  }

  function acked(clientId) {
    setPending(pending().filter(function (item) { return item.client_id !== clientId; }));
    inFlight = inFlight.filter(function (id) { return id !== clientId; });
    flush();
  }

  function onAck(frame) {
    acked(frame.client_id);
    var item = pendingShown[frame.client_id];
    if (item) {
      item.classList.remove("pending");
      item.dataset.id = frame.id;
      var receipt = item.querySelector(".chat-receipt");
      if (receipt) { receipt.textContent = ""; }
      if (!shown[frame.id]) { shown[frame.id] = item; ownSeqs.push(frame.id); }
    }
    armWatchdog();
  }

  function seen(id) {
    if (id > lastId) { lastId = id; store.set("last", lastId); }
  }

  function onMessage(message) {
    if (!message.id) { return; }
    seen(message.id);
    if (shown[message.id]) {
      // Acked first: the stored copy may differ from what was typed (a seed phrase or
      // password masked), and the customer must see what was kept, not their secret.
      if (message.sender === "customer") {
        shown[message.id].querySelector(".chat-body").textContent = message.body;
      }
      return;
    }
    var item = message.client_id ? pendingShown[message.client_id] : null;
    if (item) {
      // My own message, shown while it was pending: now it has its number.
      item.classList.remove("pending");
      item.querySelector(".chat-body").textContent = message.body;
      var receipt = item.querySelector(".chat-receipt");
      if (receipt && receipt.textContent === texts.sending) { receipt.textContent = ""; }
      acked(message.client_id);
    } else {
      item = render(message);
      log.insertBefore(item, log.querySelector(".pending")); // unsent ones stay last

    }
    item.dataset.id = message.id;
    shown[message.id] = item;
    if (message.sender === "customer") { ownSeqs.push(message.id); }
    if (message.sender === "agent") { typingLine.hidden = true; }
    log.scrollTop = log.scrollHeight;
    markRead();
  }

  function markRead() {
    if (dialog.hidden || lastId <= readUpTo) { return; }
    if (sendFrame({ type: "read", up_to: lastId })) { readUpTo = lastId; }
  }

  // ------------------------------------------------------------------ rendering

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function speaker(message) {
    if (message.sender === "customer") { return texts.you; }
    if (message.sender === "bot") { return texts.bot; }
    if (message.sender === "agent") { return message.author || texts.agent; }
    return texts.system;
  }

  function render(message) {
    var item = el("li", "chat-message from-" + (message.sender || "system"));
    var head = el("p", "chat-meta");
    head.appendChild(el("strong", "chat-author", speaker(message)));
    if (message.sender === "agent" && message.staff_id) {
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("span", "chat-staff-id", texts.staffId + " " + message.staff_id));
      head.appendChild(document.createTextNode(" "));
      var verify = el("a", "chat-verify", texts.verify);
      verify.href = root.dataset.verifyUrl + "?staff_id=" + encodeURIComponent(message.staff_id) +
        "&conversation=" + encodeURIComponent(conversationId);
      verify.setAttribute("aria-label", texts.verifyLabel + " (" + message.staff_id + ")");
      verify.addEventListener("click", function (event) {
        event.preventDefault();
        checkAgent(message.staff_id, verify.href);
      });
      head.appendChild(verify);
    }
    item.appendChild(head);
    var data = message.data || {};
    var body = message.body || "";
    // The bot's answers: the text (kept whole for transcripts and agents) lists each
    // article's address; here the first line is enough, the links below carry the titles.
    if (message.sender === "bot" && (data.articles || []).length) { body = body.split("\n")[0]; }
    item.appendChild(el("p", "chat-body", body));
    if (message.sender === "bot") { renderBotExtras(item, message, data); }
    if (message.sender === "customer") { item.appendChild(el("span", "chat-receipt", "")); }
    return item;
  }

  function button(text, className, onClick) {
    var node = el("button", "button small" + (className ? " " + className : ""), text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  // The bot's extras (livechat/bot/replies.py): data.kind says which.
  function renderBotExtras(item, message, data) {
    var articles = data.articles || [];
    if (articles.length) {
      var list = el("ul", "chat-articles");
      articles.forEach(function (article) {
        var entry = el("li");
        var link = el("a", "", article.title || article.url);
        link.href = article.url;
        link.target = "_blank";
        link.rel = "noopener";
        entry.appendChild(link);
        if (article.snippet) { entry.appendChild(el("p", "chat-snippet", article.snippet)); }
        list.appendChild(entry);
      });
      item.appendChild(list);
    }
    // The bot's questions and offers apply only while the bot serves the chat; the
    // dialog's data-status hides them after that (chat_widget.css).
    if (data.kind === "feedback") { item.appendChild(feedback()); }
    if (data.kind === "offer_human") {
      item.appendChild(button(handoffButton.textContent.trim(), "chat-bot-action", handoff));
    }
    if (data.kind === "offer_freeze") { item.appendChild(freezeOffer()); }
    if (data.kind === "sign_in" && data.url) {
      var signIn = el("a", "button small", texts.signIn);
      signIn.href = data.url + "?next=" + encodeURIComponent(location.pathname);
      item.appendChild(signIn);
    }
  }

  // "Did this help?": the answer is a message the bot reads (it asked the question).
  function feedback() {
    var box = el("div", "chat-feedback chat-bot-action");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", texts.helped);
    function answer(text) {
      return function () {
        box.textContent = "";
        if (conversationId) { send(text); }
      };
    }
    box.appendChild(button(texts.yes, "secondary", answer(texts.yes)));
    box.appendChild(document.createTextNode(" "));
    box.appendChild(button(texts.no, "secondary", answer(texts.no)));
    return box;
  }

  function freezeOffer() {
    var box = el("div", "chat-freeze");
    var ask = el("button", "button small danger", texts.freeze);
    ask.type = "button";
    ask.addEventListener("click", function () {
      box.textContent = "";
      box.appendChild(el("p", "", texts.freezeQuestion));
      var confirm = el("button", "button small danger", texts.freezeConfirm);
      confirm.type = "button";
      confirm.addEventListener("click", function () {
        if (sendFrame({ type: "freeze.confirm" })) { box.textContent = texts.freezeSent; }
      });
      box.appendChild(confirm);
      confirm.focus();
    });
    box.appendChild(ask);
    return box;
  }

  function checkAgent(staffId, url) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.error) { notice(answer.error, "impostor"); return; }
        var real = answer.genuine === true && answer.serving !== false;
        notice(real ? format(texts.verifyReal, { name: answer.name || "", staff_id: answer.staff_id || staffId })
                    : format(texts.verifyFake, { staff_id: answer.staff_id || staffId }),
               real ? "verified" : "impostor");
      })
      .catch(function () { notice(texts.verifyFailed, "impostor"); });
  }

  function notice(text, kind) {
    var item = el("li", "chat-message chat-notice " + kind);
    item.setAttribute("role", "status");
    item.appendChild(el("p", "chat-body", text));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  // ------------------------------------------------------------------ sending

  function send(body) {
    var clientId = newClientId();
    var list = pending();
    list.push({ client_id: clientId, body: body });
    setPending(list);
    showPending({ client_id: clientId, body: body });
    if (socket && socket.readyState === WebSocket.OPEN) {
      flush(); // behind the ones still pending, in the order typed
    } else {
      connect();
    }
  }

  function showPending(item) {
    if (pendingShown[item.client_id]) { return; }
    var node = render({ sender: "customer", body: item.body });
    node.classList.add("pending");
    node.querySelector(".chat-receipt").textContent = texts.sending;
    pendingShown[item.client_id] = node;
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  }

  $("[data-chat-compose]").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body) { return; }
    input.value = "";
    stopTyping();
    // Typed before the chat exists (the panel has just opened): kept as pending and sent
    // once start() has made the chat and the socket opens, never dropped.
    send(body);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("[data-chat-compose]").requestSubmit();
    }
  });

  input.addEventListener("input", function () {
    if (!typingSent && input.value.trim()) {
      typingSent = sendFrame({ type: "typing", on: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 2500);
  });

  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSent) { sendFrame({ type: "typing", on: false }); typingSent = false; }
  }

  // Asked for a person while the socket was not open (the chat still starting, the
  // network away): asked again, after the messages typed before it, once it opens.
  var handoffWanted = false;
  function handoff() {
    handoffButton.hidden = true;
    if (!sendFrame({ type: "handoff" })) { handoffWanted = true; connect(); }
  }
  handoffButton.addEventListener("click", handoff);

  offlineOpen.addEventListener("click", function () {
    offlineForm.hidden = false;
    offlineForm.querySelector("textarea").focus();
  });

  offlineForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(offlineForm);
    data.append("client_id", newClientId());
    var result = $("[data-chat-result]");
    post(chatUrl("leave-message"), data).then(function (answer) {
      result.textContent = answer.message;
      offlineForm.querySelectorAll("textarea, input, button").forEach(function (node) { node.disabled = true; });
      offlineOpen.hidden = true;
    }).catch(function (error) {
      result.textContent = (error && error.message) || texts.failed;
    });
  });

  rateForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(rateForm);
    if (sendFrame({ type: "rate", rating: Number(data.get("rating")), comment: data.get("comment") || "" })) {
      rated();
    }
  });

  function rated() {
    rateForm.dataset.done = "1";
    rateForm.hidden = true;
    if (!$(".chat-rated")) { notice(texts.rated, "chat-rated"); }
  }

  emailForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var result = $("[data-chat-email-result]");
    post(chatUrl("transcript/email"), new FormData(emailForm)).then(function (answer) {
      result.textContent = answer.message || texts.emailSent;
    }).catch(function (error) {
      result.textContent = (error && error.message) || texts.failed;
    });
  });

  endButton.addEventListener("click", function () { sendFrame({ type: "end" }); });

  newButton.addEventListener("click", function () {
    if (socket) { var old = socket; socket = null; old.close(); }
    store.clear();
    conversationId = null;
    lastId = 0;
    readUpTo = 0;
    shown = {};
    pendingShown = {};
    ownSeqs = [];
    log.textContent = "";
    warning.hidden = true;
    rateForm.dataset.done = "";
    rateForm.reset();
    store.set("open", true);
    start();
  });

  // ------------------------------------------------------------------ start-up

  if (conversationId) {
    // A page navigation: show what is still unsent, then resume from the start of the
    // chat (this page has none of it yet) and send the pending messages again.
    lastId = 0;
    pending().forEach(showPending);
    linkActions();
    if (store.get("open", false)) { openDialog(); } else { connect(); }
  }

  return {
    toggle: function () { if (dialog.hidden) { openDialog(); } else { closeDialog(); } },
    open: openDialog
  };
  }
})();
