/* Loupe search widget: <script src="ARCHIVE/widget.js" defer></script><loupe-search endpoint="ARCHIVE"></loupe-search>
   No dependency, no build step. Options, theming and a live preview: ARCHIVE/integrer */
(function () {
  "use strict";
  if (!window.customElements || customElements.get("loupe-search")) return;

  var DEBOUNCE_MS = 250;
  var TIMEOUT_MS = 8000;
  var PROBE_TIMEOUT_MS = 4000;
  var MIN_QUERY = 2;
  var MAX_WINDOW = 10000; // the API's deepest reachable hit
  var FACETS = ["source", "author", "section", "tag", "year"];
  var script = document.currentScript;
  var SCRIPT_BASE = script && script.src ? new URL(".", script.src).href.replace(/\/$/, "") : "";

  var STRINGS = {
    fr: {
      label: "Rechercher dans l’archive", placeholder: "Rechercher dans l’archive…", button: "Rechercher",
      results: "Résultats", one: "1 résultat", many: "{n} résultats", shown: "{shown} sur {n} résultats affichés",
      none: "Aucun article ne correspond à « {q} ».", more: "Plus de résultats", all: "Tous les résultats sur l’archive",
      any: "Tous", untitled: "(sans titre)", didYouMean: "Vouliez-vous dire : ",
      source: "Source", author: "Auteur", section: "Rubrique", tag: "Mot-clé", year: "Année",
      cors: "Ce site n’est pas autorisé à interroger l’archive : l’archive doit ajouter son adresse à CORS_ORIGINS.",
      down: "L’archive ne répond pas ; réessayez plus tard.",
      timeout: "L’archive met trop de temps à répondre ; réessayez plus tard.",
      error: "L’archive a répondu par une erreur : ",
      config: "Widget mal configuré : l’attribut endpoint doit être une adresse http(s).",
      direct: "Chercher sur l’archive"
    },
    en: {
      label: "Search the archive", placeholder: "Search the archive…", button: "Search",
      results: "Results", one: "1 result", many: "{n} results", shown: "{shown} of {n} results shown",
      none: "No article matches “{q}”.", more: "More results", all: "All results on the archive",
      any: "All", untitled: "(untitled)", didYouMean: "Did you mean: ",
      source: "Source", author: "Author", section: "Section", tag: "Tag", year: "Year",
      cors: "This site is not allowed to query the archive: the archive must add its address to CORS_ORIGINS.",
      down: "The archive cannot be reached; try again later.",
      timeout: "The archive is taking too long to answer; try again later.",
      error: "The archive answered with an error: ",
      config: "Widget misconfigured: the endpoint attribute must be an http(s) address.",
      direct: "Search on the archive"
    }
  };

  // Every inherited property is reset on .box (all: initial) and :host's display is !important,
  // which beats even !important rules of the host page: host CSS cannot reach inside.
  var CSS = [
    ":host{display:block!important}",
    ":host([hidden]){display:none!important}",
    ".box{all:initial;display:block;direction:ltr;box-sizing:border-box;font-family:var(--loupe-font,system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif);font-size:var(--loupe-font-size,medium);line-height:1.45;color:var(--loupe-text,#1b1f24);background:var(--loupe-bg,#fff);border:1px solid #d6dae0;border-radius:var(--loupe-radius,6px);padding:.75em}",
    "*,*::before,*::after{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    "form{display:flex;gap:.5em;margin:0}",
    "input,button,select{font:inherit;color:inherit;margin:0}",
    "input{flex:1;min-width:0;padding:.45em .6em;border:1px solid #6b7480;border-radius:var(--loupe-radius,6px);background:#fff;color:#1b1f24}",
    "button{cursor:pointer;padding:.45em .9em;border:1px solid var(--loupe-accent,#1a4f8b);border-radius:var(--loupe-radius,6px);background:var(--loupe-accent,#1a4f8b);color:#fff;font-weight:600}",
    "button.link{background:none;color:var(--loupe-accent,#1a4f8b)}",
    "button.text{padding:0;border:0;background:none;color:var(--loupe-accent,#1a4f8b);text-decoration:underline}",
    ":focus-visible,input:focus{outline:3px solid var(--loupe-focus,#c2410c);outline-offset:1px}",
    "a{color:var(--loupe-accent,#1a4f8b);text-underline-offset:2px}",
    ".vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    ".filters{display:flex;flex-wrap:wrap;gap:.4em 1em;margin-top:.5em;font-size:.875em}",
    ".filters label{display:flex;gap:.4em;align-items:center}",
    "select{max-width:14em;padding:.2em;border:1px solid #6b7480;border-radius:4px;background:#fff;color:#1b1f24}",
    ".status,.alert{margin:.5em 0 0;font-size:.875em}",
    ".status{color:#4a5360}",
    ".status:empty,.alert:empty{display:none}",
    ".alert{padding:.5em .65em;border-radius:var(--loupe-radius,6px);background:#fdecec;color:#8a1c1c}",
    "ul{list-style:none;margin:.5em 0 0;padding:0;max-height:var(--loupe-max-height,30em);overflow:auto}",
    "li{display:block;padding:.5em .6em;border-top:1px solid #e3e6ea;cursor:pointer}",
    "li[aria-selected=true]{background:#eef3fa;outline:2px solid var(--loupe-accent,#1a4f8b);outline-offset:-2px}",
    "li a{font-weight:600}",
    ".meta{display:block;font-size:.8125em;color:#4a5360}",
    ".snip{display:block;font-size:.875em;margin-top:.15em}",
    "mark{background:var(--loupe-mark,#ffe27a);color:#1b1f24;padding:0 .1em;border-radius:2px}",
    ".foot{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center;margin-top:.5em;font-size:.875em}"
  ].join("\n");
  var sharedSheet = null;

  function styleInto(root) {
    // A constructable sheet needs no 'unsafe-inline' in the host page's CSP; <style> is the fallback.
    try {
      if (!sharedSheet) { sharedSheet = new CSSStyleSheet(); sharedSheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sharedSheet];
      return null;
    } catch (e) {
      return el("style", null, CSS);
    }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text != null) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return values[key]; });
  }

  // snippet_html is the one HTML value: keep its text and <mark> elements, rebuilt empty of attributes;
  // any other element is dropped with its content. A <template> parses without running or loading anything.
  function markOnly(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = String(html == null ? "" : html);
    var out = document.createDocumentFragment();
    Array.prototype.forEach.call(parsed.content.childNodes, function (node) {
      if (node.nodeType === 3) out.appendChild(document.createTextNode(node.data));
      else if (node.nodeType === 1 && node.localName === "mark") out.appendChild(el("mark", null, node.textContent));
    });
    return out;
  }

  function httpUrl(value) {
    try {
      var url = new URL(value, document.baseURI);
      return /^https?:$/.test(url.protocol) ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  class LoupeSearch extends HTMLElement {}
  LoupeSearch.observedAttributes = ["endpoint", "placeholder", "lang", "per-page", "facets", "link-target",
    "label"].concat(FACETS.map(function (f) { return "filter-" + f; }));
  LoupeSearch.markOnly = markOnly;

  var proto = LoupeSearch.prototype;

  proto.connectedCallback = function () {
    if (this._root) return;
    // An open root lets tests and assistive tooling see inside; styles are isolated either way.
    // Without a <slot>, the light-DOM fallback form is no longer rendered.
    this._root = this.attachShadow({ mode: "open" });
    this._style = styleInto(this._root);
    var fallback = this.querySelector("input[name=q]");
    this._build(fallback ? fallback.value : "");
  };

  proto.attributeChangedCallback = function () {
    if (this._root) this._build(this._input.value);
  };

  proto._config = function () {
    var lang = (this.getAttribute("lang") || document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
    var form = this.querySelector("form[action]");
    var fallbackBase = form ? form.action.replace(/\/search\/?$/, "") : SCRIPT_BASE;
    var endpoint = httpUrl(this.getAttribute("endpoint") || fallbackBase);
    var perPage = parseInt(this.getAttribute("per-page"), 10);
    var facets = (this.getAttribute("facets") || "").split(",").map(function (f) { return f.trim(); });
    var fixed = [];
    FACETS.forEach(function (name) {
      var value = this.getAttribute("filter-" + name);
      if (value && value.trim()) fixed.push([name, value.trim()]);
    }, this);
    return {
      lang: STRINGS[lang] ? lang : "fr",
      langParam: this.hasAttribute("lang") && STRINGS[lang] ? lang : "",
      endpoint: endpoint ? endpoint.replace(/\/+$/, "") : null,
      perPage: perPage >= 1 && perPage <= 50 ? perPage : 5,
      facets: FACETS.filter(function (f) { return facets.indexOf(f) >= 0; }),
      fixed: fixed,
      original: this.getAttribute("link-target") === "original"
    };
  };

  proto._build = function (value) {
    var cfg = this._cfg = this._config();
    var t = this._t = STRINGS[cfg.lang];
    this._abort();
    var box = el("div", { "class": "box", lang: cfg.lang });
    var form = el("form", { role: "search" });
    var input = this._input = el("input", {
      id: "q", type: "search", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
      "aria-controls": "list", autocomplete: "off", spellcheck: "false", maxlength: "1000",
      placeholder: this.getAttribute("placeholder") || t.placeholder
    });
    input.value = value || "";
    form.append(el("label", { "for": "q", "class": "vh" }, this.getAttribute("label") || t.label), input,
      el("button", { type: "submit" }, t.button));
    this._filters = el("div", { "class": "filters", hidden: "" });
    this._selects = {};
    cfg.facets.forEach(function (name) {
      var select = this._selects[name] = el("select", { name: name });
      select.append(el("option", { value: "" }, t.any));
      select.addEventListener("change", function () { this._searchNow(1); }.bind(this));
      var label = el("label", null, t[name]);
      label.append(select);
      this._filters.append(label);
    }, this);
    this._status = el("div", { "class": "status", role: "status" });
    this._alert = el("div", { "class": "alert", role: "alert" });
    this._panel = el("div", { "class": "panel", hidden: "" });
    this._list = el("ul", { id: "list", role: "listbox", "aria-label": t.results });
    this._more = el("button", { type: "button", "class": "link" }, t.more);
    this._all = el("a", { href: "#" }, t.all);
    var foot = el("div", { "class": "foot" });
    foot.append(this._more, this._all);
    this._panel.append(this._list, foot);
    box.append(form, this._filters, this._status, this._alert, this._panel);
    this._root.replaceChildren(box);
    if (this._style) this._root.prepend(this._style);

    var self = this;
    input.addEventListener("input", function () {
      clearTimeout(self._timer);
      self._timer = setTimeout(function () { self._searchNow(1); }, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", this._onKey.bind(this));
    form.addEventListener("submit", function (event) { event.preventDefault(); self._searchNow(1); });
    this._more.addEventListener("click", function () { self._searchNow(self._page + 1, true); });
    this._list.addEventListener("click", function (event) {
      var option = event.target.closest("li");
      if (option && !event.target.closest("a")) option.querySelector("a").click();
    });
    this._hits = 0;
    this._active = -1;
    if (!cfg.endpoint) this._alert.textContent = t.config;
    else if (input.value.trim().length >= MIN_QUERY) this._searchNow(1);
  };

  proto._params = function (page) {
    var params = new URLSearchParams();
    params.set("q", this._input.value.trim());
    this._cfg.fixed.forEach(function (pair) { params.append(pair[0], pair[1]); });
    for (var name in this._selects) if (this._selects[name].value) params.append(name, this._selects[name].value);
    if (page) { params.set("page", page); params.set("per_page", this._cfg.perPage); }
    return params;
  };

  proto._withLang = function (params) {
    if (this._cfg.langParam) params.set("lang", this._cfg.langParam);
    return params;
  };

  proto._abort = function () {
    clearTimeout(this._timer);
    if (this._request) this._request.abort();
    this._request = null;
  };

  proto._searchNow = function (page, append) {
    var cfg = this._cfg, t = this._t, self = this;
    this._abort();
    if (!cfg.endpoint) return;
    if (this._input.value.trim().length < MIN_QUERY) return this._clear();
    var request = this._request = new AbortController();
    var timedOut = false;
    var timer = setTimeout(function () { timedOut = true; request.abort(); }, TIMEOUT_MS);
    this._all.href = cfg.endpoint + "/search?" + this._withLang(this._params(0));
    fetch(cfg.endpoint + "/api/v1/search?" + this._params(page), {
      signal: request.signal, credentials: "omit", headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.ok && body && Array.isArray(body.hits)) return body;
        var message = body && body.error && body.error.message;
        throw { answer: true, status: response.status, message: message || "HTTP " + response.status };
      });
    }).then(function (body) {
      if (request === self._request) self._render(body, page, append);
    }, function (error) {
      if (request !== self._request) return; // a newer search replaced this one
      if (error && error.name === "AbortError") return timedOut && self._fail(t.timeout);
      if (error && error.answer) return self._fail(t.error + error.message, error.status === 400);
      self._probe(request);
    }).finally(function () { clearTimeout(timer); });
  };

  // fetch() says only "TypeError" both when the archive is down and when CORS refuses this page.
  // An opaque no-cors request tells them apart: it succeeds whenever the server answers.
  proto._probe = function (request) {
    var self = this, probe = new AbortController();
    var timer = setTimeout(function () { probe.abort(); }, PROBE_TIMEOUT_MS);
    fetch(this._cfg.endpoint + "/widget.js", { mode: "no-cors", credentials: "omit", cache: "no-store", signal: probe.signal })
      .then(function () { return self._t.cors; }, function () { return self._t.down; })
      .then(function (message) { if (request === self._request) self._fail(message); })
      .finally(function () { clearTimeout(timer); });
  };

  proto._fail = function (message, mild) {
    this._status.textContent = mild ? message : "";
    this._alert.textContent = mild ? "" : message;
    if (!mild) {
      var link = el("a", { href: this._all.href }, this._t.direct);
      this._alert.append(" ", link);
    }
    this._close();
  };

  proto._clear = function () {
    this._list.textContent = "";
    this._status.textContent = this._alert.textContent = "";
    this._hits = 0;
    this._close();
  };

  proto._render = function (body, page, append) {
    var t = this._t, cfg = this._cfg, q = this._input.value.trim(), self = this;
    this._alert.textContent = "";
    this._page = page;
    if (!append) { this._list.textContent = ""; this._hits = 0; this._setActive(-1); }
    var articleQuery = this._withLang(this._params(0));
    body.hits.forEach(function (hit) {
      var option = el("li", { role: "option", id: "o" + self._hits++, "aria-selected": "false" });
      var original = cfg.original && httpUrl(hit.url);
      var archive = cfg.endpoint + "/articles/" + encodeURIComponent(hit.id) + "?" + articleQuery;
      var meta = [hit.source, hit.published && self._date(hit.published), hit.section].filter(Boolean).join(" · ");
      var lang = hit.language || "fr", link = { href: original || archive, tabindex: "-1" };
      if (hit.title) link.lang = lang;  // the article's language, not the widget's
      var snippet = el("span", { "class": "snip", lang: lang });
      snippet.append(markOnly(hit.snippet_html));
      option.append(el("a", link, hit.title || t.untitled),
        el("span", { "class": "meta" }, meta), snippet);
      self._list.append(option);
    });
    var total = body.total || 0, number = new Intl.NumberFormat(cfg.lang);
    this._status.textContent = !total ? fill(t.none, { q: q })
      : this._hits < total ? fill(t.shown, { shown: number.format(this._hits), n: number.format(total) })
      : total === 1 ? t.one : fill(t.many, { n: number.format(total) });
    if (!total && body.suggestion && body.suggestion.text) {
      var fix = el("button", { type: "button", "class": "text" }, body.suggestion.text);
      fix.addEventListener("click", function () { self._input.value = body.suggestion.text; self._searchNow(1); self._input.focus(); });
      this._status.append(" " + t.didYouMean, fix);
    }
    this._more.hidden = this._hits >= Math.min(total, MAX_WINDOW) || !body.hits.length;
    if (page === 1) this._renderFacets(body.facets || {});
    if (this._hits) this._open(); else this._close();
  };

  proto._renderFacets = function (facets) {
    var shown = false;
    for (var name in this._selects) {
      var select = this._selects[name], chosen = select.value, values = facets[name] || [];
      select.replaceChildren(el("option", { value: "" }, this._t.any));
      values.forEach(function (facet) {
        var option = el("option", { value: facet.value }, facet.value + " (" + facet.count + ")");
        option.selected = facet.value === chosen;
        select.append(option);
      });
      shown = shown || values.length > 0 || !!chosen;
    }
    this._filters.hidden = !shown;
  };

  proto._date = function (published) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(published);
    if (!parts) return published;
    var date = new Date(Date.UTC(+parts[1], parts[2] - 1, +parts[3]));
    return new Intl.DateTimeFormat(this._cfg.lang, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date);
  };

  proto._open = function () {
    this._panel.hidden = false;
    this._input.setAttribute("aria-expanded", "true");
  };

  proto._close = function () {
    this._panel.hidden = true;
    this._input.setAttribute("aria-expanded", "false");
    this._setActive(-1);
  };

  proto._setActive = function (index) {
    var options = this._list.children;
    if (options[this._active]) options[this._active].setAttribute("aria-selected", "false");
    this._active = index;
    if (options[index]) {
      options[index].setAttribute("aria-selected", "true");
      this._input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      this._input.removeAttribute("aria-activedescendant");
    }
  };

  proto._onKey = function (event) {
    var count = this._list.children.length, open = !this._panel.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      event.preventDefault();
      if (!open) this._open();
      var step = event.key === "ArrowDown" ? 1 : -1;
      this._setActive(this._active < 0 ? (step > 0 ? 0 : count - 1) : (this._active + step + count) % count);
    } else if (event.key === "Enter" && open && this._active >= 0) {
      event.preventDefault();
      this._list.children[this._active].querySelector("a").click();
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); this._close(); }
      else if (this._input.value) { event.preventDefault(); this._input.value = ""; this._abort(); this._clear(); }
    }
  };

  customElements.define("loupe-search", LoupeSearch);
})();
