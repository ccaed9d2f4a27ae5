// Post a form with files by XHR, with a progress bar, and show the page that comes back.
// Shared by the ticket forms (request_form.js) and identity verification (kyc_upload.js);
// without JavaScript those forms are plain multipart posts.
(function () {
  "use strict";

  var reloadOnBack = false;

  // Show a page fetched by XHR: its <main> and flash messages; header and footer are the same.
  // (Navigating again instead would fetch the page twice and lose its one-time messages.)
  // `url` is where a success redirected to; null for a refusal, which keeps the address.
  function showPage(html, url) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var incoming = page.querySelector("main");
    var main = document.querySelector("main");
    if (!incoming || !main) {  // not one of our pages (e.g. the CSRF failure page)
      document.open();
      document.write(html);
      document.close();
      return;
    }
    document.querySelectorAll(".messages").forEach(function (old) { old.remove(); });
    page.querySelectorAll(".messages").forEach(function (notes) {
      main.parentNode.insertBefore(document.importNode(notes, true), main);
    });
    main.innerHTML = incoming.innerHTML;
    if (page.title) { document.title = page.title; }
    if (url && url !== window.location.href) {
      window.history.pushState(null, "", url);
      if (!reloadOnBack) {
        reloadOnBack = true;
        window.addEventListener("popstate", function () { window.location.reload(); });
      }
    }
    if (window.htmx) { window.htmx.process(main); }
    focusFirst(main);
  }

  // After a refusal, focus the first invalid control (or the alert); else the heading.
  function focusFirst(main) {
    var target = main.querySelector("[aria-invalid=true]")
      || main.querySelector("[role=alert]:not([hidden])") || main.querySelector("h1");
    if (!target) { return; }
    if (!target.matches("input, select, textarea, button, a[href]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
  }

  // `onNetworkError()` runs when the request never got an answer.
  function send(form, submitter, onNetworkError) {
    var status = form.querySelector("[data-upload-status]");
    var bar = form.querySelector("[data-upload-progress]");
    var text = form.querySelector("[data-upload-text]");
    var xhr = new XMLHttpRequest();
    if (submitter) { submitter.disabled = true; }
    if (status) { status.hidden = false; }
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.round((event.loaded / event.total) * 100);
      if (bar) { bar.value = percent; }
      if (text) { text.textContent = percent + "%"; }
    });
    xhr.addEventListener("load", function () {
      // Success redirects and XHR follows it; a refusal (4xx) is the form page again.
      showPage(xhr.responseText, xhr.status < 400 ? xhr.responseURL : null);
    });
    xhr.addEventListener("error", function () {
      if (submitter) { submitter.disabled = false; }
      if (status) { status.hidden = true; }
      onNetworkError();
    });
    xhr.send(new FormData(form));
  }

  window.BeaconUpload = { send: send, showPage: showPage };
})();
