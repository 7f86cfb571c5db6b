/* "Intégrer / Embed" page: copy buttons and a live preview. Without it, the options form reloads the page. */
(function () {
  "use strict";
  var REFRESH_MS = 300;

  function applyAccent(preview) {
    var widget = preview.querySelector("loupe-search");
    var accent = preview.getAttribute("data-accent");
    if (widget && accent) widget.style.setProperty("--loupe-accent", accent);
  }

  function setUpCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".copy-button").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var code = document.getElementById(button.getAttribute("data-copy"));
        var done = button.parentNode.querySelector(".copy-done");
        navigator.clipboard.writeText(code.textContent).then(function () {
          done.textContent = done.getAttribute("data-copied");
        });
      });
    });
  }

  // The server renders the snippet and the preview for the chosen options (one source of truth):
  // fetch that page and swap the parts that changed.
  function setUpLivePreview() {
    var form = document.getElementById("widget-options");
    var preview = document.getElementById("widget-preview");
    if (!form || !preview || !window.fetch) return;
    var timer = null, pending = null;
    var shown = new URLSearchParams(new FormData(form)).toString();
    function refresh() {
      var query = new URLSearchParams(new FormData(form)).toString();
      // "change" also fires when a field loses focus: keep the preview (and what was typed in it) then.
      if (query === shown) return;
      shown = query;
      var url = form.action + (query ? "?" + query : "");
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(url, { signal: pending.signal }).then(function (response) {
        return response.text();
      }).then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["widget-code", "iframe-code"].forEach(function (id) {
          var next = fresh.getElementById(id);
          if (next) document.getElementById(id).textContent = next.textContent;
        });
        var nextPreview = fresh.getElementById("widget-preview");
        if (nextPreview) {
          preview.replaceChildren.apply(preview, Array.prototype.map.call(nextPreview.childNodes, function (node) {
            return document.importNode(node, true);
          }));
          var accent = nextPreview.getAttribute("data-accent");
          if (accent) preview.setAttribute("data-accent", accent); else preview.removeAttribute("data-accent");
          applyAccent(preview);
        }
        history.replaceState(null, "", url);
      }).catch(function () { /* the submit button still reloads the page */ });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, REFRESH_MS);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    applyAccent(preview);
  }

  function start() {
    setUpCopyButtons();
    setUpLivePreview();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
