// The filters of a list are folded on narrow screens, so the results come first; where the
// page has room for them beside the results they are unfolded. Without this script they
// stay folded everywhere and open with one click.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 50rem)");
  function follow() {
    document.querySelectorAll("details.filters-disclosure").forEach(function (details) {
      if (wide.matches) {
        details.open = true;
      } else if (!details.hasAttribute("data-keep-open")) {
        details.open = false;
      }
    });
  }
  follow();
  wide.addEventListener("change", follow);
})();
