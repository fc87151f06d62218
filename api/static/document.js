// Scroll the cited span of a document page into view.
// A separate file (not inline) so the page's CSP can forbid inline script.
(function () {
  "use strict";
  var hl = document.getElementById("hl");
  if (hl) {
    hl.setAttribute("tabindex", "-1");
    hl.scrollIntoView({ block: "center" });
    hl.focus({ preventScroll: true });
  }
})();
