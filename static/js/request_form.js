// Upload progress for ticket forms with attachments (form[data-upload-form]), through
// upload_progress.js.
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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload-form]")) { return; }
    if (!window.FormData || !window.DOMParser || chosenFiles(form) === 0) { return; }
    // Buttons with a name (e.g. "Continue") do something else than sending the form.
    if (event.submitter && event.submitter.name) { return; }
    event.preventDefault();
    // Network trouble: fall back to an ordinary post, which the browser reports itself.
    window.BeaconUpload.send(form, event.submitter, function () {
      HTMLFormElement.prototype.submit.call(form);
    });
  });
})();
