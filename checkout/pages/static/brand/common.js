// Helpers every Usher page shares: formatting, plurals, safe DOM building (textContent only), and
// API problems turned into plain words (field by field for a validation failure).
(function () {
  'use strict';
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  // the language the fan chose (i18n.js), where the page has one; else the browser's
  function loc() { return window.UsherI18n ? window.UsherI18n.lang : undefined; }
  function when(iso) { return new Date(iso).toLocaleString(loc(), { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }); }
  // amounts are in the currency's minor unit: cents, but none for yen and three decimals for dinars
  function price(minor, currency) {
    var f = new Intl.NumberFormat(loc(), { style: 'currency', currency: currency });
    return f.format(minor / Math.pow(10, f.resolvedOptions().maximumFractionDigits));
  }
  /** Digits of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD): common/money.ts's rule. */
  function minorDigits(currency) { return new Intl.NumberFormat('en', { style: 'currency', currency: currency }).resolvedOptions().maximumFractionDigits; }
  /** An amount a person typed (80, or 8000 yen) in the currency's minor unit, as the API takes it. */
  function toMinor(amount, currency) { return Math.round(Number(amount) * Math.pow(10, minorDigits(currency))); }
  // The price breakdown fixed at checkout, line by line: the same keys, labels and order as the
  // e-mail (checkout/pricing/price-breakdown.ts breakdownLines); discounts negative.
  // Labels in the fan's language where the page has one (i18n.js, bd.* keys), else in English.
  var BD = { tickets: 'Tickets ({n})', promo: 'Promo code {code}', points: 'Points ({n})', fee: 'Service fee', tax: 'Tax {rate}%', taxIncluded: 'Tax {rate}% (included)', total: 'Total' };
  function label(key, vars) {
    var text = window.UsherI18n ? window.UsherI18n.t('bd.' + key, vars) : BD[key].replace(/\{(\w+)\}/g, function (all, k) { return vars && vars[k] !== undefined ? String(vars[k]) : all; });
    return text.trim();
  }
  function count(n) { return window.UsherI18n ? window.UsherI18n.number(n) : String(n); }
  function breakdown(b) {
    var rows = [{ key: 'tickets', label: label('tickets', { n: count(b.ticketCount) }), minor: b.ticketsMinor }];
    if (b.promoDiscountMinor > 0) rows.push({ key: 'promo', label: label('promo', { code: b.promoCode || '' }), minor: -b.promoDiscountMinor });
    if (b.pointsDiscountMinor > 0) rows.push({ key: 'points', label: label('points', { n: count(b.pointsSpent) }), minor: -b.pointsDiscountMinor });
    if (b.serviceFeeMinor > 0) rows.push({ key: 'fee', label: label('fee'), minor: b.serviceFeeMinor });
    if (b.taxRateBps > 0) rows.push({ key: 'tax', label: label(b.taxInclusive ? 'taxIncluded' : 'tax', { rate: count(b.taxRateBps / 100) }), minor: b.taxMinor });
    rows.push({ key: 'total', label: label('total'), minor: b.totalMinor });
    rows.forEach(function (r) { r.text = r.minor < 0 ? '\u2212' + price(-r.minor, b.currency) : price(r.minor, b.currency); });
    return rows;
  }
  /** Fills a <tbody> with the breakdown's rows (data-key on each: promo, points, fee, tax, total…). */
  function renderBreakdown(tbody, b) {
    tbody.innerHTML = '';
    breakdown(b).forEach(function (r) {
      tbody.appendChild(el('tr', { 'data-key': r.key, class: r.key === 'total' ? 'total' : '' }, [el('th', { scope: 'row', text: r.label }), el('td', { class: 'num', text: r.text })]));
    });
  }
  var rules = new Intl.PluralRules('en');
  var nf = new Intl.NumberFormat();
  function num(n) { return window.UsherI18n ? window.UsherI18n.number(n) : nf.format(n); }
  /** "1 ticket", "2 tickets", "1,200 seats"; `many` only where the plural is not singular + s. */
  function plural(n, one, many) { return nf.format(n) + ' ' + (rules.select(n) === 'one' ? one : (many || one + 's')); }

  // Field names as the pages label them, for messages that are not shown beside their field.
  var LABELS = { email: 'E-mail', password: 'Password', quantity: 'Quantity', sectionId: 'Section', ratePerMin: 'Admission rate', maxActive: 'Maximum shoppers', text: 'Message', token: 'Link' };
  /** A message in the page's language (i18n.js catalogs, err.* keys) where it has one, else the English given. */
  function T(key, english, vars) {
    var text = window.UsherI18n ? window.UsherI18n.t(key, vars) : english;
    return String(text === key ? english : text).replace(/\{(\w+)\}/g, function (all, k) { return vars && vars[k] !== undefined ? String(vars[k]) : all; });
  }
  /** One API validation message in words a person would use; `field` is the last part of its path. */
  function friendly(field, message) {
    var m = String(message || '');
    var n;
    if (/received undefined/.test(m)) return T('err.fill', 'Fill this in.');
    if ((n = /(?:at least |>=)(\d+) character/i.exec(m))) return Number(n[1]) <= 1 ? T('err.fill', 'Fill this in.') : T('err.minChars', 'Use at least {n} characters.', { n: n[1] });
    if ((n = /(?:at most |<=)(\d+) character/i.exec(m))) return T('err.maxChars', 'Use at most {n} characters.', { n: n[1] });
    if (field === 'email' || /email/i.test(m)) return T('err.email', 'Enter an e-mail address like name@example.com.');
    if ((n = /(?:at least |>=)(\d+)/.exec(m))) return T('err.min', 'Use {n} or more.', { n: num(Number(n[1])) });
    if ((n = /(?:at most |<=)(\d+)/.exec(m))) return T('err.max', 'Use {n} or fewer.', { n: num(Number(n[1])) });
    if (/expected (int|number), received/.test(m)) return T('err.whole', 'Enter a whole number.');
    if (/^Invalid option/.test(m)) return T('err.option', 'Choose one of the options.');
    m = m.replace(/^Invalid input: /, '');
    return m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? '' : '.');
  }
  /** A validation problem's errors as [{ field, message }] in plain words; [] for any other problem. */
  function fieldErrors(p) {
    if (!p || !Array.isArray(p.errors)) return [];
    return p.errors.filter(function (e) { return !/^Unrecognized key/.test(e.message || ''); }).map(function (e) {
      var field = String(e.path || '').split('.').pop();
      return { field: field, message: friendly(field, e.message) };
    });
  }
  /** One sentence for a problem body: field by field for a validation failure, else its detail. */
  function problemText(p, status) {
    var fields = fieldErrors(p);
    if (fields.length) return fields.map(function (f) { return (LABELS[f.field] || f.field) + ': ' + f.message; }).join(' ');
    var text = (p && (p.detail || p.title)) || T('err.generic', 'Something went wrong (error {status}). Try again.', { status: status });
    return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?)]$/.test(text) ? '' : '.');
  }
  async function readProblem(res) { try { return await res.json(); } catch (e) { return {}; } }
  async function problem(res) { return problemText(await readProblem(res), res.status); }

  /**
   * Shows a problem on a form: each field's message under its input (aria-invalid, described by
   * the message), and whatever fits no field is returned as one sentence for the form's own line.
   */
  function showErrors(form, p, status) {
    clearErrors(form);
    var rest = [];
    fieldErrors(p).forEach(function (f) {
      var input = form.elements.namedItem(f.field);
      var slot = input && input.id ? document.getElementById(input.id + '-error') : null;
      if (!slot) { rest.push((LABELS[f.field] || f.field) + ': ' + f.message); return; }
      slot.textContent = f.message;
      input.setAttribute('aria-invalid', 'true');
    });
    var first = form.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
    if (fieldErrors(p).length) return rest.join(' ');
    return problemText(p, status);
  }
  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (i) { i.removeAttribute('aria-invalid'); });
    Array.prototype.forEach.call(form.querySelectorAll('.field-error'), function (s) { s.textContent = ''; });
  }

  window.Usher = { el: el, when: when, price: price, minorDigits: minorDigits, toMinor: toMinor, breakdown: breakdown, renderBreakdown: renderBreakdown, plural: plural, friendly: friendly, fieldErrors: fieldErrors, problemText: problemText, readProblem: readProblem, problem: problem, showErrors: showErrors, clearErrors: clearErrors };
})();
