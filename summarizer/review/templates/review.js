// Clicking an item scrolls the source to its first quote and flashes all its quotes;
// clicking a quote in the source scrolls the summary to its item and flashes it.
(function () {
  "use strict";
  function flash(elements) {
    elements.forEach(function (el) {
      el.classList.remove("flash");
      void el.offsetWidth; // restart the animation
      el.classList.add("flash");
      setTimeout(function () { el.classList.remove("flash"); }, 1300);
    });
  }
  function show(selector) {
    var marks = Array.prototype.slice.call(document.querySelectorAll(selector));
    if (marks.length) {
      marks[0].scrollIntoView({ block: "center" });
      flash(marks);
    }
    return marks.length;
  }
  function reveal(id) {  // a summary entry, brought into view and flashed
    var entry = document.getElementById(id);
    if (entry) {
      entry.scrollIntoView({ block: "nearest" });
      flash([entry]);
    }
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    var item = target.closest("[data-show]");
    if (item) {
      show(item.getAttribute("data-show"));
      return;
    }
    var mark = target.closest("mark[data-section]");
    if (mark) {
      reveal("item-" + mark.getAttribute("data-section") + "-" + mark.getAttribute("data-item"));
      return;
    }
    var gold = target.closest("mark[data-gold]");
    if (gold) {
      reveal("gold-" + gold.getAttribute("data-gold") + "-" + gold.getAttribute("data-gold-item"));
    }
  });
})();
