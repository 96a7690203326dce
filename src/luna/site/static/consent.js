// Cookie consent for Luna's site: necessary cookies only until the visitor chooses.
// The choice lives in the first-party cookie `luna_consent` and, for signed-in users, on
// their account (PUT /api/v1/me/consent), so it follows them to other browsers.
// Optional scripts wait for consent: <meta name="luna-analytics-src" content="/path.js">
// is loaded only once analytics is allowed.
(function () {
  "use strict";
  var COOKIE = "luna_consent";
  var VERSION = "v1";
  var MAX_AGE = 60 * 60 * 24 * 365;
  var API = "/api/v1/me/consent";
  var listeners = [];
  var current = null;
  var signedIn = false;

  function parse(value) {
    var match = /^v1\.a([01])\.m([01])$/.exec(value || "");
    return match ? { analytics: match[1] === "1", marketing: match[2] === "1" } : null;
  }

  function readCookie() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === COOKIE) return parse(decodeURIComponent(parts[i].slice(eq + 1)));
    }
    return null;
  }

  function writeCookie(choice) {
    var value = VERSION + ".a" + (choice.analytics ? 1 : 0) + ".m" + (choice.marketing ? 1 : 0);
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + value + "; Max-Age=" + MAX_AGE + "; Path=/; SameSite=Lax" + secure;
  }

  function apply(choice) {
    current = choice;
    document.documentElement.setAttribute("data-consent", (choice.analytics ? "analytics " : "") + (choice.marketing ? "marketing" : ""));
    var waiting = listeners;
    listeners = [];
    waiting.forEach(function (entry) {
      if (choice[entry.category]) entry.run(); else listeners.push(entry);
    });
  }

  function whenGranted(category, run) {
    if (current && current[category]) run(); else listeners.push({ category: category, run: run });
  }

  function save(choice) {
    writeCookie(choice);
    apply(choice);
    hide();
    if (!signedIn) return;
    fetch(API, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ analytics: choice.analytics, marketing: choice.marketing })
    })
      // Read the answer: a fetch whose body is never read stays open in some browsers.
      .then(function (response) { return response.text(); })
      .catch(function () { /* offline: the cookie holds the choice */ });
  }

  function banner() { return document.getElementById("consent"); }

  function show() {
    var element = banner();
    if (!element) return;
    var form = document.getElementById("consent-form");
    form.elements.analytics.checked = !!(current && current.analytics);
    form.elements.marketing.checked = !!(current && current.marketing);
    element.hidden = false;
    var first = element.querySelector("input:not([disabled]), button");
    if (first) first.focus();
  }

  function hide() { var element = banner(); if (element) element.hidden = true; }

  function wire() {
    var form = document.getElementById("consent-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save({ analytics: form.elements.analytics.checked, marketing: form.elements.marketing.checked });
    });
    form.querySelector("[data-consent=accept]").addEventListener("click", function () {
      save({ analytics: true, marketing: true });
    });
    form.querySelector("[data-consent=reject]").addEventListener("click", function () {
      save({ analytics: false, marketing: false });
    });
    banner().addEventListener("keydown", function (event) {
      if (event.key === "Escape" && current) hide();
    });
    document.querySelectorAll("[data-consent-open]").forEach(function (button) {
      button.addEventListener("click", show);
    });
  }

  function loadAnalytics() {
    var meta = document.querySelector('meta[name="luna-analytics-src"]');
    if (!meta || !meta.content) return;
    whenGranted("analytics", function () {
      var script = document.createElement("script");
      script.src = meta.content;
      script.defer = true;
      document.head.appendChild(script);
    });
  }

  function start() {
    wire();
    loadAnalytics();
    var stored = readCookie();
    if (stored) apply(stored);
    // Signed-in users keep their choice on their account: a new browser applies it, and a
    // choice made in this browser before signing in is saved there.
    fetch(API, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        signedIn = !!(body && body.signed_in);
        if (body && body.choice) {
          writeCookie(body.choice);
          apply(body.choice);
        } else if (stored && signedIn) {
          save(stored);
        } else if (!stored) {
          show();
        }
      })
      .catch(function () { if (!stored) show(); });
  }

  window.lunaConsent = { whenGranted: whenGranted, open: show, get: function () { return current; } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
