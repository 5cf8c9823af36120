// Small helpers shared by the fan pages: formatting and safe DOM building (textContent only).
(function () {
  'use strict';
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function when(iso) { return new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }); }
  // amounts are in the currency's minor unit: cents, but none for yen and three decimals for dinars
  function price(minor, currency) {
    var f = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency });
    return f.format(minor / Math.pow(10, f.resolvedOptions().maximumFractionDigits));
  }
  async function problem(res) { try { var p = await res.json(); return p.detail || p.title || ('Error ' + res.status); } catch (e) { return 'Error ' + res.status; } }
  window.Usher = { el: el, when: when, price: price, problem: problem };
})();
