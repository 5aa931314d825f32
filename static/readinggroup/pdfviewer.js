// The session page offers the slides twice: in a PDF viewer frame and as a picture of the
// first slide that links to the file. A browser that says whether it can show PDFs gets
// only the one that works for it (phones have no viewer: the frame would stay empty).
// Without JavaScript, or in a browser that does not say, both stay.
(function () {
  "use strict";
  function choose() {
    var canShow = navigator.pdfViewerEnabled;
    if (typeof canShow !== "boolean") {
      return;
    }
    document.querySelectorAll(".session-slides").forEach(function (section) {
      var viewer = section.querySelector(".pdf-viewer");
      var fallback = section.querySelector(".pdf-fallback");
      if (viewer && fallback) {
        (canShow ? fallback : viewer).hidden = true;
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", choose);
  } else {
    choose();
  }
})();
