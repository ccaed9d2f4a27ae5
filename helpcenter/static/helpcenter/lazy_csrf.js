// Help pages cached for everyone carry a stand-in for the CSRF token (helpcenter/caching.py,
// LAZY_CSRF) and set no cookie. Before a form on them posts, or the chat starts, this
// script puts a real token in: the csrftoken cookie's when the browser has one, else one
// fetched from /help/csrf-token (which sets the cookie). Without JavaScript the stand-in
// stays and such a post is refused (403): see the README, "Cacheable help pages".
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script.getAttribute("data-token-url");
  var placeholder = script.getAttribute("data-placeholder");
  var asked = null;

  function stale() {
    return Array.prototype.filter.call(
      document.querySelectorAll("input[name=csrfmiddlewaretoken]"),
      function (field) { return field.value === placeholder; }
    );
  }
  function fill(token) {
    stale().forEach(function (field) { field.value = token; });
  }
  function fromCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function ready() {
    if (!stale().length) { return Promise.resolve(); }
    var token = fromCookie();
    if (token) { fill(token); return Promise.resolve(); }
    if (!asked) {
      asked = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) { fill(answer.token); })
        .catch(function () { asked = null; });
    }
    return asked;
  }
  // A returning visitor (a chat in progress) has the cookie: fill before the widget posts.
  if (fromCookie()) { fill(fromCookie()); }

  // A form (the language switch, article feedback, with or without htmx): hold the
  // submission until the token is in, then submit again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!field || field.value !== placeholder) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    ready().then(function () {
      if (field.value === placeholder) { return; }
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    });
  }, true);

  // The chat widget posts as soon as it opens: get the token first, then open it.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-chat-launcher], [data-chat-skip]");
    if (!opener || !stale().length) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    ready().then(function () { if (!stale().length) { opener.click(); } });
  }, true);
})();
