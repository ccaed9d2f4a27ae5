// The appeal form: show the chosen selfie before it is sent (nothing is uploaded here).
// A data: URL, since the content security policy allows data: images but not blob:.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector(".appeal-form input[type=file]");
    var figure = document.querySelector("[data-selfie-preview]");
    var image = document.querySelector("[data-selfie-preview-image]");
    if (!input || !figure || !image) return;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      figure.hidden = true;
      if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type)) return;
      var reader = new FileReader();
      reader.addEventListener("load", function () {
        image.src = reader.result;
        figure.hidden = false;
      });
      reader.readAsDataURL(file);
    });
  });
})();
