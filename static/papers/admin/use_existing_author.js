// The "+" popup beside a paper's authors proposes a stored author with a similar name:
// "Use …" hands that author to the paper form exactly as saving a new one would (Django's
// own dismissAddRelatedObjectPopup: the option is added, selected, and the popup closes).
"use strict";
document.addEventListener("click", function (event) {
  const button = event.target.closest(".use-existing-author");
  if (!button || !window.opener || !window.opener.dismissAddRelatedObjectPopup) {
    return;
  }
  event.preventDefault();
  window.opener.dismissAddRelatedObjectPopup(window, button.dataset.pk, button.dataset.name);
});
