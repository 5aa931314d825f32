// Show why an image dropped into the report editor was refused (markdownx itself only
// inserts "Invalid response" into the text, which we take out again).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".markdownx").forEach(function (box) {
    var editor = box.querySelector("textarea");
    var note = document.createElement("p");
    note.className = "errornote markdownx-upload-error";
    note.setAttribute("role", "alert");
    note.hidden = true;
    box.parentNode.insertBefore(note, box);

    box.addEventListener("markdownx.fileUploadEnd", function () {
      note.hidden = true;
    });
    box.addEventListener("markdownx.fileUploadError", function (event) {
      var response = event.detail && event.detail[0];
      var messages = (response && response.image) || ["The image could not be uploaded."];
      note.textContent = "Image not added: " + messages.join(" ");
      note.hidden = false;
      var start = editor.selectionStart;
      var marker = "Invalid response";
      // markdownx inserts its marker at the cursor right after this event.
      window.setTimeout(function () {
        if (editor.value.substr(start, marker.length) === marker) {
          editor.value = editor.value.slice(0, start) + editor.value.slice(start + marker.length);
          editor.selectionStart = editor.selectionEnd = start;
        }
      }, 0);
    });
  });
});
