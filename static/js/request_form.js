// Upload progress for ticket forms with attachments (form[data-upload-form]).
// Progressive enhancement only: without this file the form is a plain multipart post.
(function () {
  "use strict";

  function chosenFiles(form) {
    var count = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      count += input.files ? input.files.length : 0;
    });
    return count;
  }

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
    var target = main.querySelector("[aria-invalid=true]") || main.querySelector("[role=alert]")
      || main.querySelector("h1");
    if (!target) { return; }
    if (!target.matches("input, select, textarea, button, a[href]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
  }

  function upload(form, submitter) {
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
      // Success redirects and XHR follows it; a refusal (400) is the form page again.
      showPage(xhr.responseText, xhr.status < 400 ? xhr.responseURL : null);
    });
    xhr.addEventListener("error", function () {
      // Network trouble: fall back to an ordinary post, which the browser reports itself.
      if (submitter) { submitter.disabled = false; }
      HTMLFormElement.prototype.submit.call(form);
    });
    xhr.send(new FormData(form));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload-form]")) { return; }
    if (!window.FormData || !window.DOMParser || chosenFiles(form) === 0) { return; }
    // Buttons with a name (e.g. "Continue") do something else than sending the form.
    if (event.submitter && event.submitter.name) { return; }
    event.preventDefault();
    upload(form, event.submitter);
  });
})();
