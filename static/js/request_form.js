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

  // A refused form comes back as a whole page (status 400): show its <main>, keep the rest.
  function showPage(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var incoming = page.querySelector("main");
    var main = document.querySelector("main");
    if (!incoming || !main) { document.open(); document.write(html); document.close(); return; }
    main.innerHTML = incoming.innerHTML;
    if (page.title) { document.title = page.title; }
    if (window.htmx) { window.htmx.process(main); }
    var first = main.querySelector("[aria-invalid=true]") || main.querySelector("[role=alert]");
    if (first) {
      if (!first.hasAttribute("tabindex") && !first.matches("input, select, textarea")) {
        first.setAttribute("tabindex", "-1");
      }
      first.focus();
    }
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
      // Success redirects (XHR follows it): go where the server sent us.
      if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== form.action) {
        window.location.assign(xhr.responseURL);
        return;
      }
      showPage(xhr.responseText);
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
