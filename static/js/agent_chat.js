// The agent's chat console (/console/chats/): one websocket for all chats, a column per
// chat. After a drop it reconnects with backoff and resumes each chat after the last
// message of an unbroken run it has shown; unacknowledged messages are sent again, in the
// order they were written, with the same client id (the server treats it as the same
// message). Catch-up and live messages can arrive in either order: each message is placed
// by its number and shown once, so there is no gap and no duplicate.
(function () {
  "use strict";

  const root = document.querySelector("[data-agent-chat]");
  if (!root) return;
  const text = (name) => root.dataset["text" + name] || "";
  const columns = root.querySelector("[data-columns]");
  const empty = root.querySelector("[data-empty]");
  const template = root.querySelector("[data-column-template]");
  const conn = root.querySelector("[data-conn]");
  // public id -> {el, lastId, shown: Map(id -> element), contiguous, pending: Map(client_id
  // -> frame) in the order written, readSent, openedOn}
  const chats = new Map();
  let socket = null;
  let retry = 0;
  let generation = 0; // one per connection: each chat is opened once per connection
  let resendTimer = null;
  let written = 0; // the order messages were written in, across chats

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  // ---- connection

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.wsPath);
    generation += 1;
    socket.addEventListener("open", () => {
      retry = 0;
      conn.textContent = text("Online");
      conn.classList.remove("offline");
      chats.forEach((chat, id) => openChat(id, chat));
      resendPending();
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      const handler = handlers[frame.type];
      if (handler) handler(frame);
    });
    socket.addEventListener("close", (event) => {
      conn.textContent = text("Offline");
      conn.classList.add("offline");
      if (event.code === 4401 || event.code === 4403) return; // signed out or not an agent
      if (event.code === 4503) conn.textContent = text("Unavailable"); // the server's chat relay is down
      retry = Math.min(retry + 1, 6);
      const wait = Math.min(30000, 500 * 2 ** retry) * (0.5 + Math.random() / 2);
      setTimeout(connect, wait);
    });
  }

  function openChat(id, chat) {
    // What this chat missed: everything after the unbroken run shown so far.
    if (chat.openedOn === generation) return;
    if (send({ type: "chat.open", conversation: id, after: chat.contiguous })) chat.openedOn = generation;
  }

  function resendPending() {
    // Unacknowledged messages of every chat, oldest first (each chat's Map keeps the
    // order they were written in).
    clearTimeout(resendTimer);
    resendTimer = null;
    const all = [];
    chats.forEach((chat) => chat.pending.forEach((frame) => all.push(frame)));
    all.sort((a, b) => a.written - b.written).forEach((frame) => send(frameToSend(frame)));
  }

  function frameToSend(frame) {
    const { written: _order, ...rest } = frame; // the order stays here
    return rest;
  }

  // ---- columns

  function column(summary) {
    const id = summary.id;
    if (chats.has(id)) return chats.get(id);
    const el = template.content.firstElementChild.cloneNode(true);
    el.dataset.conversation = id;
    // The customer by name (from the context panel once it loads), never the chat's id.
    el.id = "chat-" + id;
    el.querySelector("[data-title]").textContent = summary.customer_name || text("Customer");
    el.querySelector("[data-meta]").textContent = [nameOf("language", summary.language), nameOf("skill", summary.skill)]
      .concat(summary.tags || [])
      .join(" · ");
    const body = el.querySelector("[data-body]");
    body.id = "body-" + id;
    el.querySelector("[data-body-label]").htmlFor = body.id;
    const macro = el.querySelector("[data-macro]");
    macro.id = "macro-" + id;
    el.querySelector("[data-macro-label]").htmlFor = macro.id;
    const chat = {
      el, lastId: 0, shown: new Map(), contiguous: 0, pending: new Map(),
      readSent: 0, openedOn: 0, typingTimer: null, typingOn: false,
    };
    chats.set(id, chat);
    wire(id, chat);
    columns.appendChild(el);
    empty.hidden = true;
    loadContext(id, chat);
    return chat;
  }

  function loadContext(id, chat) {
    const url = root.dataset.contextUrl.replace("00000000-0000-0000-0000-000000000000", id);
    fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        const box = chat.el.querySelector("[data-context]");
        box.innerHTML = html; // server-rendered and escaped by Django
        const label = box.querySelector("[data-customer-label]");
        if (label) {
          chat.el.querySelector("[data-title]").textContent = label.dataset.customerLabel;
          chat.el.setAttribute("aria-label", label.dataset.customerLabel);
        }
        // Opened from "My work" (…/chats/#chat-<id>): bring this chat into view.
        if (location.hash === "#chat-" + id) {
          chat.el.scrollIntoView({ block: "nearest" });
          chat.el.querySelector("[data-body]").focus();
        }
        const form = box.querySelector("[data-transfer]");
        if (form) {
          form.addEventListener("submit", (event) => {
            event.preventDefault();
            const [kind, value] = form.querySelector("[data-transfer-target]").value.split(":");
            const frame = { type: "chat.transfer", conversation: id };
            frame[kind] = value;
            send(frame);
          });
        }
      });
  }

  // A canned reply filled in for this chat by the server (the tickets' renderer, the
  // same placeholders); what this chat has no value for is named, and the agent is
  // told to fill it in before sending.
  function fillMacro(id, chat, macroId, body) {
    const url = root.dataset.macroUrl
      .replace("00000000-0000-0000-0000-000000000000", id)
      .replace(/\/0$/, "/" + encodeURIComponent(macroId));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((filled) => {
        if (!filled) return;
        body.value = filled.body;
        warnUnfilled(chat, filled.missing);
        body.focus();
      });
  }

  const PLACEHOLDER = /\{(customer_name|uid|ticket_number|agent_name)\}/g;

  function unfilled(value) {
    return Array.from(new Set(Array.from(value.matchAll(PLACEHOLDER), (m) => m[1])));
  }

  function warnUnfilled(chat, names) {
    let line = chat.el.querySelector(".chat-macro-missing");
    if (!names.length) {
      if (line) line.remove();
      return;
    }
    if (!line) {
      line = document.createElement("p");
      line.className = "chat-macro-missing small";
      line.setAttribute("role", "alert");
      chat.el.querySelector("[data-composer]").prepend(line);
    }
    line.textContent = text("MacroMissing") + " " + names.map((n) => "{" + n + "}").join(text("ListSeparator"));
  }

  function wire(id, chat) {
    const el = chat.el;
    const form = el.querySelector("[data-composer]");
    const body = el.querySelector("[data-body]");
    const internal = el.querySelector("[data-internal]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = body.value.trim();
      if (!value) return;
      // Never to the customer with a placeholder left raw (the server refuses it too).
      const left = internal.checked ? [] : unfilled(value);
      warnUnfilled(chat, left);
      if (left.length) return;
      const frame = {
        type: "message.send",
        conversation: id,
        client_id: newClientId(),
        body: value,
        internal: internal.checked,
        written: ++written,
      };
      chat.pending.set(frame.client_id, frame);
      // While a refused message waits to be sent again, later ones wait behind it.
      if (!resendTimer) send(frameToSend(frame));
      body.value = "";
      internal.checked = false;
      setTyping(id, chat, false);
    });
    body.addEventListener("input", () => {
      setTyping(id, chat, body.value.length > 0);
      clearTimeout(chat.typingTimer);
      chat.typingTimer = setTimeout(() => setTyping(id, chat, false), 4000);
    });
    body.addEventListener("focus", () => markRead(id, chat));
    el.querySelector("[data-macro]").addEventListener("change", (event) => {
      if (event.target.value) fillMacro(id, chat, event.target.value, body);
      event.target.value = "";
    });
    el.querySelector("[data-end]").addEventListener("click", () => {
      if (window.confirm(text("ConfirmEnd"))) send({ type: "chat.end", conversation: id });
    });
    el.querySelector("[data-convert]").addEventListener("click", () => {
      send({ type: "chat.convert", conversation: id });
    });
  }

  function setTyping(id, chat, on) {
    if (chat.typingOn === on) return;
    chat.typingOn = on;
    send({ type: "typing", conversation: id, on });
  }

  function markRead(id, chat) {
    if (document.visibilityState !== "visible" || chat.lastId <= chat.readSent) return;
    chat.readSent = chat.lastId;
    send({ type: "read", conversation: id, up_to: chat.lastId });
  }

  function senderLabel(message) {
    if (message.sender === "agent") {
      return (message.author || "") + (message.staff_id ? " (" + message.staff_id + ")" : "");
    }
    return text(message.sender.charAt(0).toUpperCase() + message.sender.slice(1)) || message.sender;
  }

  function appendMessage(chat, message) {
    if (!Number.isInteger(message.id) || chat.shown.has(message.id)) return; // a resume overlaps
    const item = document.createElement("li");
    item.className = "chat-msg chat-msg-" + message.sender + (message.internal ? " chat-msg-internal" : "");
    const who = document.createElement("span");
    who.className = "chat-who";
    who.textContent = senderLabel(message) + (message.internal ? " · " + text("Note") : "");
    const time = document.createElement("time");
    time.dateTime = message.at;
    time.textContent = new Date(message.at).toLocaleTimeString();
    const body = document.createElement("p");
    body.textContent = message.body;
    item.append(who, " ", time, body);
    if (message.masked && message.masked.length) {
      const masked = document.createElement("p");
      masked.className = "chat-masked small";
      // Each kind's label in the agent's language (data-text-masked-seed-phrase, …, on
      // templates/livechat/console/chats.html); the kind itself if the page has none.
      const label = (kind) =>
        text("Masked" + kind.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")) || kind;
      masked.textContent =
        text("Masked") + text("Colon") + message.masked.map(label).join(text("ListSeparator"));
      item.appendChild(masked);
    }
    item.dataset.id = String(message.id);
    const log = chat.el.querySelector("[data-log]");
    // In number order: a live message may come before the catch-up that precedes it.
    let next = null;
    chat.shown.forEach((other, id) => {
      if (id > message.id && (!next || id < Number(next.dataset.id))) next = other;
    });
    log.insertBefore(item, next);
    chat.shown.set(message.id, item);
    chat.lastId = Math.max(chat.lastId, message.id);
    while (chat.shown.has(chat.contiguous + 1)) chat.contiguous += 1;
    if (!next) log.scrollTop = log.scrollHeight;
    if (message.client_id) chat.pending.delete(message.client_id);
    if (message.sender === "customer" && document.activeElement === chat.el.querySelector("[data-body]")) {
      markRead(chat.el.dataset.conversation, chat);
    }
  }

  function notice(chat, line) {
    const item = document.createElement("li");
    item.className = "chat-msg chat-msg-system";
    item.textContent = line;
    chat.el.querySelector("[data-log]").appendChild(item);
  }

  function closeColumn(id, line) {
    const chat = chats.get(id);
    if (!chat) return;
    chat.el.classList.add("chat-ended");
    chat.el.querySelectorAll("textarea, button, select, input").forEach((control) => {
      control.disabled = true;
    });
    notice(chat, line);
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = "×";
    dismiss.className = "chat-dismiss";
    dismiss.setAttribute("aria-label", line);
    dismiss.addEventListener("click", () => {
      chat.el.remove();
      chats.delete(id);
      empty.hidden = chats.size > 0;
    });
    chat.el.querySelector(".chat-column-head").appendChild(dismiss);
  }

  // ---- taking a waiting chat from the queue (and, for supervisors, assigning it)

  const ZERO_ID = "00000000-0000-0000-0000-000000000000";
  const myLanguages = (root.dataset.servesLanguages || "").split(" ");
  const mySkills = (root.dataset.servesSkills || "").split(" ");
  const assignAgents = root.querySelector("[data-assign-agents]");
  const queueError = root.querySelector("[data-queue-error]");

  function serves(w) {
    return myLanguages.includes(w.language) && (w.skill === "general" || mySkills.includes(w.skill));
  }

  // The chat then arrives as usual (chat.assigned); only a refusal is shown here.
  function postQueueAction(urlTemplate, id, body) {
    queueError.hidden = true;
    const refused = (message) => {
      queueError.textContent = message;
      queueError.hidden = false;
    };
    fetch(urlTemplate.replace(ZERO_ID, id), {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
      body: body,
    })
      .then((response) => {
        if (response.ok) return null;
        return response
          .json()
          .catch(() => ({}))
          .then((answer) => refused(answer.message || text("Error") + " " + response.status));
      })
      .catch(() => refused(text("Offline")));
  }

  function queueActions(w) {
    const actions = [];
    if (serves(w)) {
      const take = document.createElement("button");
      take.type = "button";
      take.textContent = text("Take");
      take.addEventListener("click", () => postQueueAction(root.dataset.takeUrl, w.id, null));
      actions.push(take);
    }
    if (assignAgents) {
      const form = document.createElement("form");
      form.className = "queue-assign";
      const select = document.createElement("select");
      select.name = "agent";
      select.required = true;
      select.setAttribute("aria-label", text("AssignTo"));
      const none = new Option(text("ChooseAgent"), "");
      select.append(none, assignAgents.content.cloneNode(true));
      const go = document.createElement("button");
      go.type = "submit";
      go.textContent = text("Assign");
      form.append(select, go);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        postQueueAction(root.dataset.assignUrl, w.id, new URLSearchParams(new FormData(form)));
      });
      actions.push(form);
    }
    return actions;
  }

  // "zh-hans" and "general" as the agent reads them (chats.html's <template data-names>).
  const names = new Map();
  const namesTemplate = root.querySelector("[data-names]");
  if (namesTemplate) {
    namesTemplate.content.querySelectorAll("[data-key]").forEach((item) => {
      names.set(item.dataset.key, item.textContent);
    });
  }

  function nameOf(kind, value) {
    return names.get(kind + ":" + value) || value;
  }

  function renderQueue(waiting) {
    root.querySelector("[data-queue-count]").textContent = String(waiting.length);
    const kinds = new Map();
    waiting.forEach((w) => {
      const key = nameOf("language", w.language) + " · " + nameOf("skill", w.skill);
      kinds.set(key, (kinds.get(key) || 0) + 1);
    });
    const kindList = root.querySelector("[data-queue-kinds]");
    kindList.replaceChildren(
      ...Array.from(kinds, ([key, count]) => {
        const li = document.createElement("li");
        li.textContent = key + ": " + count;
        return li;
      })
    );
    const list = root.querySelector("[data-queue-list]");
    list.replaceChildren(
      ...waiting.slice(0, 50).map((w) => {
        const li = document.createElement("li");
        const since = w.queued_at ? Math.round((Date.now() - Date.parse(w.queued_at)) / 60000) : 0;
        li.textContent =
          nameOf("language", w.language) + " · " + nameOf("skill", w.skill) + (w.priority > 0 ? " · ↑" + w.priority : "") + " · " + since + " min " + text("Waiting");
        li.append(...queueActions(w));
        return li;
      })
    );
  }

  // ---- frames from the server

  const handlers = {
    "presence.update": (frame) => {
      root.querySelectorAll("[data-presence]").forEach((input) => {
        input.checked = input.value === frame.status;
      });
    },
    "queue.snapshot": (frame) => renderQueue(frame.waiting || []),
    "chat.assigned": (frame) => {
      const chat = column(frame.conversation);
      openChat(frame.conversation.id, chat);
    },
    "message.new": (frame) => {
      const chat = chats.get(frame.conversation);
      if (chat) appendMessage(chat, frame.message);
    },
    "message.ack": (frame) => {
      const chat = chats.get(frame.conversation);
      if (chat) chat.pending.delete(frame.client_id);
    },
    typing: (frame) => {
      const chat = chats.get(frame.conversation);
      if (!chat) return;
      const line = chat.el.querySelector("[data-typing]");
      line.textContent = text("Typing");
      line.hidden = !frame.on;
    },
    read: (frame) => {
      const chat = chats.get(frame.conversation);
      if (!chat) return;
      const line = chat.el.querySelector("[data-read]");
      line.textContent = text("Read") + " #" + frame.up_to;
      line.hidden = false;
    },
    "conversation.update": (frame) => {
      if (frame.status === "ended") closeColumn(frame.conversation, text("Ended"));
    },
    "chat.removed": (frame) => closeColumn(frame.conversation, text("Ended")),
    "chat.convert_offer": (frame) => {
      // The customer already has open requests about a TXID they wrote here: add the
      // chat to one of them, or open a new ticket anyway.
      const chat = chats.get(frame.conversation);
      if (!chat) return;
      const box = document.createElement("div");
      box.className = "chat-convert-offer";
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", text("ConvertOffer"));
      const intro = document.createElement("p");
      intro.className = "small";
      intro.textContent = text("ConvertOffer");
      box.appendChild(intro);
      const choose = (extra) => {
        box.remove();
        send({ type: "chat.convert", conversation: frame.conversation, ...extra });
      };
      (frame.tickets || []).forEach((ticket) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = text("AttachTo") + " " + ticket.number + " · " + ticket.subject;
        button.addEventListener("click", () => choose({ attach: ticket.number }));
        box.appendChild(button);
      });
      const fresh = document.createElement("button");
      fresh.type = "button";
      fresh.className = "secondary";
      fresh.textContent = text("NewTicket");
      fresh.addEventListener("click", () => choose({ new: true }));
      box.appendChild(fresh);
      const old = chat.el.querySelector(".chat-convert-offer");
      if (old) old.remove();
      chat.el.querySelector("[data-composer]").before(box);
      box.querySelector("button").focus();
    },
    "chat.converted": (frame) => {
      const chat = chats.get(frame.conversation);
      if (!chat) return;
      // "Ticket created: <number>", the number a link to the ticket in the workspace.
      notice(chat, text("Converted") + " ");
      const link = document.createElement("a");
      link.href = root.dataset.ticketUrl.replace("000000-000000", frame.ticket);
      link.textContent = frame.ticket;
      chat.el.querySelector("[data-log]").lastElementChild.appendChild(link);
    },
    error: (frame) => {
      conn.textContent = text("Error") + " " + frame.message;
      // A message refused for going too fast: it and every later one go again, in order,
      // once the limit has refilled (the server refuses the later ones until it has it).
      if (frame.code === "rate_limited" && frame.client_id && !resendTimer) {
        resendTimer = setTimeout(resendPending, 1200);
      } else if (frame.client_id && frame.code !== "rate_limited") {
        // Refused for good (an unfilled placeholder, an ended chat): not sent again; the
        // text goes back to its composer so nothing the agent wrote is lost.
        chats.forEach((chat) => {
          const refused = chat.pending.get(frame.client_id);
          if (!refused) return;
          chat.pending.delete(frame.client_id);
          const body = chat.el.querySelector("[data-body]");
          if (!body.value) body.value = refused.body;
        });
      }
    },
  };

  root.querySelectorAll("[data-presence]").forEach((input) => {
    input.addEventListener("change", () => send({ type: "presence.set", status: input.value }));
  });
  document.addEventListener("visibilitychange", () => {
    chats.forEach((chat, id) => {
      if (document.activeElement === chat.el.querySelector("[data-body]")) markRead(id, chat);
    });
  });
  connect();
})();
