/* dxshare: the little the pages need from JavaScript. Everything works without it (CSP: script-src 'self').
 * - The phone menu: on a narrow screen the menu and the account folds away behind a "Menu" button.
 * - The error summary: focus moves to it when a form comes back with errors, so that a screen reader reads it
 *   first and a keyboard user starts from its links. */
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.querySelector("[data-menu-button]");
  if (button) {
    root.classList.add("has-menu-button");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = root.classList.toggle("menu-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && root.classList.contains("menu-open")) {
        root.classList.remove("menu-open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();

/* The queue's filters are open on a wide screen and fold away on a phone. */
(function () {
  "use strict";
  if (window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = true;
    });
  }
})();
