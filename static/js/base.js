// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Tell the server the browser's time zone, so times show in local time
  // (accounts.middleware.UserTimezoneMiddleware, when the person saved none). Written as
  // is, not percent-encoded: Django does not decode cookies, and "Asia%2FShanghai" is no
  // zone. A zone name is letters, "/", "_", "-" and "+", all allowed in a cookie value.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[A-Za-z0-9_+\/-]{1,64}$/.test(zone) && document.cookie.indexOf("beacon_tz=" + zone) === -1) {
      document.cookie = "beacon_tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* old browser: UTC it is */ }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    // After a refused submit, start at the errors: the summary of a form refused as a whole
    // (core/forms.py), else the first invalid field, whose error is its description. A
    // screen reader reads it out; a keyboard user is not left at the top of the page.
    var refused = document.querySelector("[data-form-errors]") || document.querySelector("main [aria-invalid='true']");
    if (refused) { refused.focus(); }
    // Console: a canned reply goes into the reply box, where the agent can still edit it.
    document.querySelectorAll("select[data-macro-target]").forEach(function (select) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var box = document.getElementById(select.getAttribute("data-macro-target"));
        if (box && option && option.getAttribute("data-text")) { box.value = option.getAttribute("data-text"); box.focus(); }
      });
    });
  });
  // HTMX: send Django's CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
    // A control with data-send-as="q" also sends its value as `q`: what hx-vals="js:…"
    // did, without the eval the Content-Security-Policy forbids.
    var control = event.detail.elt;
    var name = control.getAttribute && control.getAttribute("data-send-as");
    if (name) { event.detail.parameters[name] = control.value; }
  });
})();
