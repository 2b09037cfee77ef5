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

/* While a request is written: the similar past cases for its subject and description, asked for a moment after
 * the person stops typing (knowledge:similar returns the list as HTML from the portal's own templates). */
(function () {
  "use strict";
  var panel = document.querySelector("[data-similar-url]");
  var form = document.querySelector("form[enctype]");
  if (!panel || !form || !window.fetch) {
    return;
  }
  var subject = form.querySelector("[name=title]");
  var description = form.querySelector("[name=description]");
  var results = panel.querySelector("[data-similar-results]");
  var timer = null;
  var asked = "";
  function ask() {
    var text = (subject ? subject.value : "") + "\n" + (description ? description.value : "");
    if (text.trim().length < 4 || text === asked) {
      return;
    }
    asked = text;
    var params = new URLSearchParams();
    params.set("subject", subject ? subject.value : "");
    params.set("description", description ? description.value.slice(0, 4000) : "");
    fetch(panel.getAttribute("data-similar-url") + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && text === asked) {
          results.innerHTML = html;
        }
      })
      .catch(function () {});
  }
  [subject, description].forEach(function (field) {
    if (field) {
      field.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(ask, 700);
      });
    }
  });
})();
