// Värd's small progressive enhancements. Every page works without this file.
"use strict";
// Ask before destructive actions: a form with data-confirm submits only when the person agrees.
// Without JavaScript the server still shows a confirmation step where the action cannot be undone.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    ev.preventDefault();
  }
}, true);
