// The fan pages in the fan's language. Catalogs (i18n-<lang>.js) register their messages in
// window.UsherCatalogs; this script picks the language (the fan's choice, kept in a cookie so both
// ports see it, else the browser's Accept-Language list, navigator.languages, else English), sets
// <html lang dir>, fills every [data-i18n] element (and [data-i18n-attr]="attr:key;…"), offers a
// switcher in every [data-lang-switch], and formats dates, numbers, money and plurals through Intl
// in that language. A key missing from a catalog falls back to English (a unit test keeps every
// catalog complete).
(function () {
  'use strict';
  var LANGS = [
    { code: 'en', name: 'English' }, { code: 'es', name: 'Español' }, { code: 'fr', name: 'Français' },
    { code: 'de', name: 'Deutsch' }, { code: 'ja', name: '日本語' },
  ];
  var RTL = /^(ar|he|fa|ur|ps|yi|dv|ku|sd|ug)(-|$)/;
  var COOKIE = 'usher_lang';
  var catalogs = window.UsherCatalogs || (window.UsherCatalogs = {});
  var listeners = [];
  var supported = LANGS.map(function (l) { return l.code; });

  function pick(list) {
    for (var i = 0; i < list.length; i++) {
      var base = String(list[i] || '').toLowerCase().split('-')[0];
      if (supported.indexOf(base) >= 0) return base;
    }
    return 'en';
  }
  function saved() {
    var m = /(?:^|;\s*)usher_lang=([a-z]{2})/.exec(document.cookie);
    var s = m ? m[1] : null;
    try { s = s || localStorage.getItem('usher.lang'); } catch (e) { /* storage off */ }
    return s && supported.indexOf(s) >= 0 ? s : null;
  }
  var lang = saved() || pick(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);

  function fill(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (all, k) { return vars && vars[k] !== undefined ? String(vars[k]) : all; });
  }
  function lookup(key) {
    var c = catalogs[lang] || {};
    if (Object.prototype.hasOwnProperty.call(c, key)) return c[key];
    var en = catalogs.en || {};
    return Object.prototype.hasOwnProperty.call(en, key) ? en[key] : key;
  }
  function t(key, vars) { return fill(lookup(key), vars); }
  function number(n) { return new Intl.NumberFormat(lang).format(n); }
  /** `key.one` / `key.other` (by Intl.PluralRules of the language), with {n} as a formatted number. */
  function plural(n, key, vars) {
    var form = new Intl.PluralRules(lang).select(n);
    var k = key + '.' + (form === 'one' ? 'one' : 'other');
    return fill(lookup(k), Object.assign({ n: number(n) }, vars || {}));
  }
  function when(iso, timeZone) {
    var o = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };
    if (timeZone) { o.timeZone = timeZone; o.timeZoneName = 'short'; }
    try { return new Intl.DateTimeFormat(lang, o).format(new Date(iso)); } catch (e) { delete o.timeZone; return new Intl.DateTimeFormat(lang, o).format(new Date(iso)); }
  }
  function time(ms) { return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(new Date(ms)); }
  function price(minor, currency) {
    var f = new Intl.NumberFormat(lang, { style: 'currency', currency: currency });
    return f.format(minor / Math.pow(10, f.resolvedOptions().maximumFractionDigits));
  }

  function apply(root) {
    root = root || document;
    var html = document.documentElement;
    html.lang = lang;
    html.dir = RTL.test(lang) ? 'rtl' : 'ltr';
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n]'), function (e) { e.textContent = t(e.getAttribute('data-i18n')); });
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-attr]'), function (e) {
      e.getAttribute('data-i18n-attr').split(';').forEach(function (pair) {
        var kv = pair.split(':');
        if (kv.length === 2) e.setAttribute(kv[0].trim(), t(kv[1].trim()));
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('select[data-lang-select]'), function (s) { s.value = lang; });
    var title = document.querySelector('title[data-i18n-title]');
    if (title) document.title = t(title.getAttribute('data-i18n-title'));
  }

  function set(next) {
    if (supported.indexOf(next) < 0 || next === lang) return;
    lang = next;
    document.cookie = COOKIE + '=' + lang + '; path=/; max-age=31536000; samesite=lax';
    try { localStorage.setItem('usher.lang', lang); } catch (e) { /* storage off */ }
    apply();
    listeners.forEach(function (f) { f(lang); });
  }

  function switchers() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-lang-switch]'), function (slot, i) {
      if (slot.querySelector('select')) return;
      var id = 'usher-lang-' + i;
      var label = document.createElement('label');
      label.setAttribute('for', id);
      label.className = 'visually-hidden';
      label.setAttribute('data-i18n', 'lang.label');
      var select = document.createElement('select');
      select.id = id;
      select.setAttribute('data-lang-select', '');
      LANGS.forEach(function (l) {
        var o = document.createElement('option');
        o.value = l.code;
        o.lang = l.code;
        o.textContent = l.name;
        select.appendChild(o);
      });
      select.addEventListener('change', function () { set(select.value); });
      slot.appendChild(label);
      slot.appendChild(select);
    });
  }

  window.UsherI18n = {
    langs: LANGS, get lang() { return lang; }, t: t, plural: plural, number: number, when: when, time: time, price: price,
    set: set, apply: apply, pick: pick, onChange: function (f) { listeners.push(f); },
  };
  switchers();
  apply();
})();
