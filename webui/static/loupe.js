/* Loupe: progressive enhancement only. Every feature below already works without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Ticking a facet or changing the sort submits the GET form: the URL stays the state.
  function autoSubmit(event) {
    var control = event.target;
    if (!control.classList || !control.classList.contains("auto-submit")) return;
    var form = control.form;
    if (!form) return;
    document.body.classList.add("is-loading");
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  }

  // On an article reached from a search, bring the first highlighted word into view.
  function revealFirstMark() {
    var body = document.querySelector(".page-article .article");
    if (!body) return;
    // Coming back through history: the browser restores its own scroll position.
    var nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (nav && nav.type === "back_forward") return;
    var mark = body.querySelector(".article-summary mark, .article-body mark") || body.querySelector("mark");
    if (!mark) return;
    mark.classList.add("is-first");
    var box = mark.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) mark.scrollIntoView({ block: "center" });
  }

  // A link to #help (from the zero-result proposals) opens the help panel.
  function openTargetDetails() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") target.open = true;
  }

  function init() {
    document.addEventListener("change", autoSubmit);
    window.addEventListener("hashchange", openTargetDetails);
    openTargetDetails();
    revealFirstMark();
  }

  // The page may come back from the back/forward cache with a stale spinner.
  window.addEventListener("pageshow", function () {
    document.body.classList.remove("is-loading");
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
