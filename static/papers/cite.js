// The Cite box's "Copy" buttons. Without JavaScript (or without a clipboard) the buttons
// stay hidden and the citations are plain selectable text. No inline script: the site's
// Content-Security-Policy allows only files like this one.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Copy failed: select the text"; }
      ).then(function () {
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
