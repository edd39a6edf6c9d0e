/* Hearth: the small-screen menu button, and each embed's own shape. Without
   JavaScript the menu simply stays open and embeds are 16:9, so nothing
   depends on this file. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  // Set through the DOM: the Content-Security-Policy refuses style attributes in the HTML.
  document.querySelectorAll("[data-embed-ratio]").forEach(function (embed) {
    embed.style.paddingBottom = embed.dataset.embedRatio;
  });

  var toggle = document.querySelector("[data-nav-toggle]");
  if (!toggle) return;
  var menu = document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();
