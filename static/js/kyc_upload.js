// The identity verification form (form[data-kyc-form]): a preview of each chosen file,
// size and type checks before sending, and a progress bar while it uploads.
// Progressive enhancement only: without this file the form is a plain multipart post,
// and the server checks every file from its bytes either way.
(function () {
  "use strict";

  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
  var DOCUMENT_TYPES = PHOTO_TYPES.concat(["application/pdf"]);
  var previews = new WeakMap();  // input -> object URL shown now

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  // The browser's type comes from the name; the server reads the bytes. This is only for speed.
  function problem(form, input, file) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var photoOnly = input.getAttribute("data-photo-only") === "1";
    if (max && file.size > max) {
      return format(form.getAttribute("data-text-too-big"), {
        name: file.name, mb: String(Math.round(max / 1024 / 1024))
      });
    }
    var allowed = photoOnly ? PHOTO_TYPES : DOCUMENT_TYPES;
    if (allowed.indexOf(file.type) === -1) {
      var key = photoOnly ? "data-text-not-photo" : "data-text-wrong-type";
      return format(form.getAttribute(key), { name: file.name });
    }
    return "";
  }

  function fieldOf(input) { return input.closest(".kyc-file"); }

  function showProblem(input, message) {
    var field = fieldOf(input);
    if (!field) { return; }
    var note = field.querySelector("[data-kyc-file-error]");
    if (note) {
      note.textContent = message;
      note.hidden = !message;
      if (!note.id) { note.id = input.id + "_client_error"; }
    }
    field.classList.toggle("kyc-invalid", Boolean(message));
    if (message) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  function showPreview(form, input, file) {
    var field = fieldOf(input);
    var box = field && field.querySelector("[data-kyc-preview]");
    if (!box) { return; }
    var old = previews.get(input);
    if (old) { URL.revokeObjectURL(old); previews.delete(input); }
    box.textContent = "";
    if (!file) { box.hidden = true; return; }
    if (file.type.indexOf("image/") === 0) {
      var url = URL.createObjectURL(file);
      previews.set(input, url);
      var image = document.createElement("img");
      image.src = url;
      image.alt = form.getAttribute("data-text-preview") + ": " + file.name;
      image.setAttribute("data-kyc-preview-image", "");
      box.appendChild(image);
    }
    var name = document.createElement("p");
    name.className = "kyc-preview-name";
    name.textContent = file.type === "application/pdf"
      ? form.getAttribute("data-text-pdf") + ": " + file.name
      : file.name;
    box.appendChild(name);
    box.hidden = false;
  }

  function check(input) {
    var form = input.form;
    var file = input.files && input.files[0];
    var message = file ? problem(form, input, file) : "";
    showProblem(input, message);
    showPreview(form, input, message ? null : file);
    return !message;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("form[data-kyc-form] input[data-kyc-file]")) {
      check(input);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-kyc-form]")) { return; }
    var inputs = form.querySelectorAll("input[data-kyc-file]");
    var ok = true;
    inputs.forEach(function (input) {
      if (input.files && input.files.length && !check(input)) { ok = false; }
    });
    var note = form.querySelector("[data-kyc-form-error]");
    if (!ok) {
      event.preventDefault();
      if (note) { note.textContent = form.getAttribute("data-text-fix"); note.hidden = false; }
      var first = form.querySelector("[aria-invalid=true]");
      if (first) { first.focus(); }
      return;
    }
    if (note) { note.hidden = true; }
    if (!window.FormData || !window.DOMParser || !window.XMLHttpRequest) { return; }
    event.preventDefault();
    window.BeaconUpload.send(form, event.submitter, function () {
      if (note) { note.textContent = form.getAttribute("data-text-failed"); note.hidden = false; }
    });
  });
})();
