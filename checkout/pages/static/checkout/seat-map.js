// The fan's seat picker: the sale's seat map (GET /v1/sales/:sale/seat-map, compact rows) drawn as
// SVG, coloured by price and by the live seat states (GET …/seat-states, 2 bits a seat, polled with
// its ETag), with zoom and pan, a legend, click or keyboard selection up to the per-fan limit, and
// "best N together" / "best N in this section". checkout.js owns the hold, payment and countdown;
// this file calls back `opts.hold(body)` and shows what went wrong in plain words.
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var STATE = ['free', 'held', 'sold', 'unavailable'];
  var CLS = ['f', 'h', 's', 'u'];
  var POLL_MS = 1000;

  function create(opts) {
    var $ = function (id) { return document.getElementById(id); };
    var saleId = opts.saleId, money = opts.money;
    var map = null, seats = null, rows = [], elements = [], state = null, version = null;
    var selected = [], mine = {}, heldMode = false, focusIndex = 0, view = null, full = null, pollTimer = null;
    var svg = $('seatmap-svg');
    // words in the fan's language (i18n.js); English where a page runs without it
    var I = window.UsherI18n;
    var T = function (key, vars) { return I ? I.t(key, vars) : key; };
    var P = function (n, key, vars) { return I ? I.plural(n, key, vars) : key; };
    var N = function (n) { return I ? I.number(n) : String(n); };
    // read-only (the organiser console's preview): the same drawing, zoom and pan, no selection;
    // `live: false` (a draft: no seat states yet) draws every seat in its tier's colour
    var readOnly = !!opts.readOnly, live = opts.live !== false;
    function on(id, type, fn) { var el = $(id); if (el) el.addEventListener(type, fn); }

    function say(text, isError) { var m = $('map-msg'); if (!m) return; m.textContent = text || ''; m.className = isError ? 'error' : 'notice'; }

    // ---- decoding the compact map ----------------------------------------------------------
    function decode(m) {
      var n = m.seatCount;
      var s = { id: new Float64Array(n), x: new Float32Array(n), y: new Float32Array(n), num: new Int32Array(n), row: new Int32Array(n), sec: new Int32Array(n) };
      var byId = {};
      m.sections.forEach(function (sec, si) {
        var i = sec.first;
        sec.rows.forEach(function (r) {
          var label = r[0], count = r[1], ids = r[2], nums = r[3], x = r[4], y = r[5], dx = r[6], dy = r[7];
          var rowIndex = rows.length;
          rows.push({ label: label, start: i, count: count, sec: si });
          for (var k = 0; k < count; k++, i++) {
            s.id[i] = typeof ids === 'number' ? ids + k : ids[k];
            s.num[i] = typeof nums === 'number' ? nums + k : nums[k];
            s.x[i] = typeof x === 'number' ? x + k * dx : x[k];
            s.y[i] = typeof y === 'number' ? y + k * dy : y[k];
            s.row[i] = rowIndex; s.sec[i] = si;
            byId[s.id[i]] = i;
          }
        });
      });
      s.byId = byId;
      return s;
    }

    function tierIndex(code) { for (var t = 0; t < map.tiers.length; t++) if (map.tiers[t].code === code) return t; return 0; }
    function seatLabel(i) { var r = rows[seats.row[i]]; return T('seat.label', { section: map.sections[r.sec].name, row: r.label, seat: seats.num[i] }); }
    function seatPrice(i) { var p = map.sections[seats.sec[i]].priceMinor; return p === null ? '' : money(p, map.currency); }
    function stateOf(i) { return state ? state[i] : live ? 3 : 0; }

    // ---- drawing ----------------------------------------------------------------------------
    function render() {
      var parts = [];
      map.sections.forEach(function (sec, si) {
        if (sec.kind === 'ga') {
          var b = sec.box;
          parts.push('<g class="ga t' + tierIndex(sec.tierCode) + '" data-ga="' + si + '"><rect x="' + b[0] + '" y="' + b[1] + '" width="' + b[2] + '" height="' + b[3] + '" rx="0.5"/>' +
            '<text x="' + (b[0] + b[2] / 2) + '" y="' + (b[1] + b[3] / 2 + 0.4) + '" text-anchor="middle">' + esc(sec.name) + '</text></g>');
          return;
        }
        if (!sec.rows.length) return;
        var minX = Infinity, minY = Infinity;
        for (var i = sec.first; i < sec.first + sec.capacity && i < map.seatCount; i++) { if (seats.sec[i] !== si) break; minX = Math.min(minX, seats.x[i]); minY = Math.min(minY, seats.y[i]); }
        parts.push('<g class="sec t' + tierIndex(sec.tierCode) + '"><text class="sec-label" x="' + minX + '" y="' + (minY - 0.9) + '">' + esc(sec.name) + (sec.priceMinor !== null ? ' · ' + esc(money(sec.priceMinor, map.currency)) : '') + '</text>');
        rows.forEach(function (r) {
          if (r.sec !== si) return;
          parts.push('<g role="group" aria-label="' + esc(T('seat.row', { section: sec.name, row: r.label })) + '">');
          for (var k = 0; k < r.count; k++) {
            var j = r.start + k;
            parts.push('<circle cx="' + seats.x[j] + '" cy="' + seats.y[j] + '" r="0.42" class="' + CLS[stateOf(j)] + '" data-i="' + j + '"/>');
          }
          parts.push('</g>');
        });
        parts.push('</g>');
      });
      svg.innerHTML = parts.join('');
      elements = svg.querySelectorAll('circle');
      var bnd = map.bounds;
      full = { x: bnd[0] - 1, y: bnd[1] - 2, w: bnd[2] - bnd[0] + 2, h: bnd[3] - bnd[1] + 3 };
      fitHeight();
      setView(full);
      // a read-only preview is one picture (role img): a focusable seat inside it would be a control
      // nested in an image for assistive technology (describe() is a no-op there too)
      if (elements.length && !readOnly) setFocusable(0);
    }
    // the box takes the map's shape (a wide venue on a phone is not a tall empty box), within limits
    function fitHeight() {
      var w = svg.clientWidth || 600;
      svg.style.height = Math.round(Math.max(220, Math.min(window.innerHeight * 0.6, 560, w * full.h / full.w))) + 'px';
    }
    window.addEventListener('resize', function () { if (full) fitHeight(); });
    function esc(t) { return String(t).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }

    function legend() {
      var ul = $('legend');
      if (!ul) return;
      ul.innerHTML = '';
      var used = {};
      map.sections.forEach(function (s) { if (s.tierCode !== null) used[s.tierCode] = true; });
      map.tiers.forEach(function (t, ti) {
        if (!used[t.code]) return;
        ul.appendChild(item('sw t' + ti, t.name + ' · ' + money(t.priceMinor, map.currency)));
      });
      ul.appendChild(item('sw sel', T('seat.legend.selection')));
      ul.appendChild(item('sw h', T('seat.legend.held')));
      ul.appendChild(item('sw s', T('seat.legend.sold')));
      function item(cls, text) { var li = document.createElement('li'); var i = document.createElement('span'); i.className = cls; i.setAttribute('aria-hidden', 'true'); li.appendChild(i); li.appendChild(document.createTextNode(text)); return li; }
      var sel = $('best-section');
      if (!sel) return;
      sel.innerHTML = '';
      map.sections.forEach(function (s) {
        if (s.kind !== 'reserved' || !s.rows.length) return;
        var o = document.createElement('option'); o.value = s.id;
        o.textContent = s.name + (s.priceMinor !== null ? ' · ' + money(s.priceMinor, map.currency) : '');
        sel.appendChild(o);
      });
      $('best-n').max = String(map.perFanLimit);
      $('limit-note').textContent = T('seat.limitNote', { n: N(map.perFanLimit) });
      bestLabels();
    }

    function paint(i) {
      var el = elements[i];
      var cls = CLS[stateOf(i)];
      if (mine[i]) cls = 'mine';
      else if (selected.indexOf(i) >= 0) cls = 'sel';
      if (el.getAttribute('class') !== cls) el.setAttribute('class', cls);
      if (i === focusIndex) describe(i);
    }

    // ---- zoom and pan -----------------------------------------------------------------------
    function setView(v) {
      var minW = 8, maxW = full.w * 1.5;
      var w = Math.max(minW, Math.min(maxW, v.w)), h = v.h * (w / v.w);
      view = { x: v.x + (v.w - w) / 2, y: v.y + (v.h - h) / 2, w: w, h: h };
      svg.setAttribute('viewBox', view.x + ' ' + view.y + ' ' + view.w + ' ' + view.h);
    }
    function zoom(f, cx, cy) {
      if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
      var w = view.w / f, h = view.h / f;
      setView({ x: cx - (cx - view.x) / f, y: cy - (cy - view.y) / f, w: w, h: h });
    }
    function toMap(ev) {
      var r = svg.getBoundingClientRect();
      var s = Math.max(view.w / r.width, view.h / r.height);
      var ox = (r.width * s - view.w) / 2, oy = (r.height * s - view.h) / 2;
      return { x: view.x - ox + (ev.clientX - r.left) * s, y: view.y - oy + (ev.clientY - r.top) * s, s: s };
    }
    svg.addEventListener('wheel', function (ev) { ev.preventDefault(); var p = toMap(ev); zoom(ev.deltaY < 0 ? 1.25 : 0.8, p.x, p.y); }, { passive: false });
    // one finger or the mouse pans; two fingers pinch to zoom
    var drag = null, moved = false, pointers = {}, pinch = null;
    function spread() { var p = Object.keys(pointers).map(function (k) { return pointers[k]; }); return Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1; }
    svg.addEventListener('pointerdown', function (ev) {
      pointers[ev.pointerId] = { x: ev.clientX, y: ev.clientY };
      if (Object.keys(pointers).length === 2) { pinch = { d: spread(), view: view, at: toMap(ev) }; drag = null; moved = true; return; }
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, s: toMap(ev).s }; moved = false;
    });
    svg.addEventListener('pointermove', function (ev) {
      if (pointers[ev.pointerId]) pointers[ev.pointerId] = { x: ev.clientX, y: ev.clientY };
      if (pinch && Object.keys(pointers).length === 2) {
        var f = spread() / pinch.d, v = pinch.view, c = pinch.at;
        setView({ x: c.x - (c.x - v.x) / f, y: c.y - (c.y - v.y) / f, w: v.w / f, h: v.h / f });
        return;
      }
      if (!drag) return;
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 6) return;
      moved = true;
      setView({ x: drag.vx - dx * drag.s, y: drag.vy - dy * drag.s, w: view.w, h: view.h });
    });
    function lift(ev) { delete pointers[ev.pointerId]; if (Object.keys(pointers).length < 2) pinch = null; drag = null; }
    window.addEventListener('pointerup', lift);
    window.addEventListener('pointercancel', lift);
    on('zoom-in', 'click', function () { zoom(1.5); });
    on('zoom-out', 'click', function () { zoom(1 / 1.5); });
    on('zoom-fit', 'click', function () { setView(full); });

    // ---- selection --------------------------------------------------------------------------
    function toggle(i) {
      if (readOnly) return;
      if (heldMode) { say(T('seat.heldMode')); return; }
      var at = selected.indexOf(i);
      say('');
      if (at >= 0) { selected.splice(at, 1); paint(i); summary(); return; }
      var st = stateOf(i);
      if (st !== 0) { say(T(st === 1 ? 'seat.notFree.held' : 'seat.notFree.sold', { seat: seatLabel(i) }), true); return; }
      if (selected.length >= map.perFanLimit) { say(T('seat.pickLimit', { n: N(map.perFanLimit) }), true); return; }
      selected.push(i); paint(i); summary();
    }
    svg.addEventListener('click', function (ev) {
      if (moved) return;
      var t = ev.target;
      if (t.dataset && t.dataset.i !== undefined) { setFocusable(Number(t.dataset.i)); toggle(Number(t.dataset.i)); return; }
      var g = t.closest && t.closest('[data-ga]');
      if (g && opts.chooseGa) opts.chooseGa(map.sections[Number(g.dataset.ga)].id);
    });

    function adjacent(list) {
      if (list.length < 2) return true;
      var sorted = list.slice().sort(function (a, b) { return a - b; });
      for (var k = 1; k < sorted.length; k++) if (sorted[k] !== sorted[k - 1] + 1 || seats.row[sorted[k]] !== seats.row[sorted[0]]) return false;
      return true;
    }
    function summary() {
      var btn = $('hold-seats-btn');
      if (!btn) return;
      btn.disabled = selected.length === 0 || heldMode;
      btn.textContent = selected.length ? P(selected.length, 'seat.holdN') : T('co.hold');
      var total = 0;
      selected.forEach(function (i) { total += map.sections[seats.sec[i]].priceMinor || 0; });
      $('selection').textContent = selected.length
        ? T(adjacent(selected) ? 'seat.selected' : 'seat.selectedApart', { seats: selected.map(seatLabel).join('; '), total: money(total, map.currency) })
        : T('seat.none');
    }

    // ---- keyboard ---------------------------------------------------------------------------
    // Roving focus: only the seat in focus is in the tab order and is a named checkbox for assistive
    // technology (50,000 labelled elements would cost the page seconds); the arrow keys move it.
    function describe(i) {
      if (readOnly) return;
      var el = elements[i];
      el.setAttribute('role', 'checkbox');
      el.setAttribute('aria-checked', mine[i] || selected.indexOf(i) >= 0 ? 'true' : 'false');
      el.setAttribute('aria-label', seatLabel(i) + ', ' + seatPrice(i) + ', ' + T(mine[i] ? 'seat.is.mine' : selected.indexOf(i) >= 0 ? 'seat.is.selected' : 'seat.is.' + STATE[stateOf(i)]));
    }
    function setFocusable(i) {
      var old = elements[focusIndex];
      if (i !== focusIndex && old) ['tabindex', 'role', 'aria-checked', 'aria-label'].forEach(function (a) { old.removeAttribute(a); });
      focusIndex = i;
      elements[i].setAttribute('tabindex', '0');
      describe(i);
    }
    function moveTo(i) {
      setFocusable(i);
      var x = seats.x[i], y = seats.y[i];
      if (x < view.x || x > view.x + view.w || y < view.y || y > view.y + view.h) setView({ x: x - view.w / 2, y: y - view.h / 2, w: view.w, h: view.h });
      elements[i].focus();
    }
    function nearestInRow(r, x) {
      var row = rows[r], best = row.start, d = Infinity;
      for (var k = 0; k < row.count; k++) { var e = Math.abs(seats.x[row.start + k] - x); if (e < d) { d = e; best = row.start + k; } }
      return best;
    }
    svg.addEventListener('keydown', function (ev) {
      var i = focusIndex, r = seats.row[i], key = ev.key;
      if (key === 'ArrowRight' && i + 1 < elements.length) moveTo(i + 1);
      else if (key === 'ArrowLeft' && i > 0) moveTo(i - 1);
      else if (key === 'ArrowDown' && r + 1 < rows.length) moveTo(nearestInRow(r + 1, seats.x[i]));
      else if (key === 'ArrowUp' && r > 0) moveTo(nearestInRow(r - 1, seats.x[i]));
      else if (key === 'Home') moveTo(rows[r].start);
      else if (key === 'End') moveTo(rows[r].start + rows[r].count - 1);
      else if (key === ' ' || key === 'Enter') { toggle(i); setFocusable(i); }
      else if (key === '+' || key === '=') zoom(1.5);
      else if (key === '-') zoom(1 / 1.5);
      else return;
      ev.preventDefault();
    });

    // ---- live states ------------------------------------------------------------------------
    function decodeStates(body) {
      var bin = atob(body.states), n = map.seatCount, out = new Uint8Array(n);
      for (var i = 0; i < n; i++) out[i] = (bin.charCodeAt(i >> 2) >> ((i & 3) * 2)) & 3;
      return out;
    }
    function applyStates(body) {
      if (body.version === version) return;
      var n = map.seatCount, next = decodeStates(body), lost = [];
      var prev = state;
      state = next; version = body.version;
      for (var j = 0; j < n; j++) if (!prev || prev[j] !== next[j]) paint(j);
      selected = selected.filter(function (s) { if (next[s] !== 0) { lost.push(s); return false; } return true; });
      lost.forEach(paint);
      if (lost.length) { summary(); say(P(lost.length, 'seat.lost', { seats: lost.map(seatLabel).join('; '), best: N(Math.max(1, selected.length + lost.length)) }), true); }
      svg.setAttribute('data-version', version);
    }
    var inFlight = null;
    function poll() {
      if (!live) return Promise.resolve();
      if (inFlight) return inFlight;
      // a stuck request must not stop the live map: give up on it after a few seconds
      var ctl = typeof AbortController === 'function' ? new AbortController() : null;
      var giveUp = setTimeout(function () { if (ctl) ctl.abort(); }, 5000);
      inFlight = fetch('/v1/sales/' + encodeURIComponent(saleId) + '/seat-states', ctl ? { signal: ctl.signal } : {})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (b) { if (b) applyStates(b); })
        .catch(function () { /* the next poll tries again */ })
        .finally(function () { clearTimeout(giveUp); inFlight = null; });
      return inFlight;
    }
    function schedule() { clearInterval(pollTimer); pollTimer = setInterval(function () { if (!document.hidden) poll(); }, POLL_MS); }

    // ---- holding ----------------------------------------------------------------------------
    function sectionName(id) { for (var s = 0; s < map.sections.length; s++) if (map.sections[s].id === id) return map.sections[s].name; return T('seat.thisSection'); }
    /** first run of n free seats side by side, in `sectionId` or anywhere */
    function findTogether(n, sectionId) {
      for (var r = 0; r < rows.length; r++) {
        var row = rows[r];
        if (sectionId && map.sections[row.sec].id !== sectionId) continue;
        var runLen = 0;
        for (var k = 0; k < row.count; k++) {
          var i = row.start + k;
          if (state[i] !== 0) runLen = 0;
          else if (runLen > 0 && seats.num[i] === seats.num[i - 1] + 1) runLen++;
          else runLen = 1;
          if (runLen >= n) return map.sections[row.sec].name;
        }
      }
      return null;
    }
    function explain(e, n, sectionId) {
      var code = e.code || '';
      if (code === 'seat_taken') {
        version = null; // repaint from the next answer even if this process saw it already
        poll();
        return T('seat.taken', { n: N(n) });
      }
      if (code === 'not_together') {
        var other = findTogether(n, null);
        return T('seat.together.none', { n: N(n), section: sectionName(sectionId) }) + ' ' +
          (other && other !== sectionName(sectionId) ? T('seat.together.elsewhere', { other: other, n: N(n) }) : T('seat.together.fewer', { n: N(n) }));
      }
      if (code === 'over_limit') return T('seat.overLimit', { n: N(map.perFanLimit) });
      if (code === 'sold_out') return T('seat.soldOut', { section: sectionName(sectionId) });
      if (code === 'all_held') return T('seat.allHeld', { section: sectionName(sectionId) });
      return e.message;
    }
    function hold(body, n, sectionId) {
      var btns = [$('hold-seats-btn'), $('best-together'), $('best-any')];
      btns.forEach(function (b) { b.disabled = true; });
      say('');
      return opts.hold(body).then(function (h) {
        var was = selected;
        selected = [];
        was.forEach(paint);
        markHeld(h);
      }).catch(function (e) { say(explain(e, n, sectionId), true); })
        .finally(function () { btns.forEach(function (b) { b.disabled = false; }); summary(); });
    }
    on('hold-seats-btn', 'click', function () {
      if (!selected.length) return;
      var ids = selected.map(function (i) { return seats.id[i]; });
      hold({ kind: 'seats', seatIds: ids }, ids.length, map.sections[seats.sec[selected[0]]].id);
    });
    function best(together) {
      var n = Number($('best-n').value), sectionId = $('best-section').value;
      if (!(n >= 1 && n <= map.perFanLimit)) { say(T('seat.between', { n: N(map.perFanLimit) }), true); $('best-n').focus(); return; }
      var body = { kind: 'best', sectionId: sectionId, quantity: n };
      if (together) body.together = true;
      hold(body, n, sectionId);
    }
    on('best-together', 'click', function () { best(true); });
    on('best-any', 'click', function () { best(false); });
    function bestLabels() { var n = N(Number($('best-n').value) || 0); $('best-together').textContent = T('seat.best.together', { n: n }); $('best-any').textContent = T('seat.best.any', { n: n }); }
    on('best-n', 'input', bestLabels);
    // a new language: every word this script wrote is written again
    if (I) I.onChange(function () { if (!map || !map.seatCount) return; var sel = $('best-section'); var v = sel && sel.value; legend(); if (sel) sel.value = v; summary(); if (elements[focusIndex]) describe(focusIndex); say(''); });

    function markHeld(h) {
      heldMode = true;
      (h.items || []).forEach(function (it) { var i = seats.byId[it.seatId]; if (i !== undefined) { mine[i] = true; paint(i); } });
      svg.classList.add('is-held');
      summary();
    }
    function clearHeld() {
      heldMode = false;
      var was = Object.keys(mine); mine = {};
      was.forEach(function (i) { paint(Number(i)); });
      svg.classList.remove('is-held');
      poll(); summary();
    }

    // ---- start ------------------------------------------------------------------------------
    function load() {
      var t0 = performance.now();
      var firstStates = !live ? Promise.resolve(null) : fetch('/v1/sales/' + encodeURIComponent(saleId) + '/seat-states').then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
      // the console reads a draft's map from the admin API (opts.mapUrl, opts.fetch: its signed-in fetch)
      var get = opts.fetch || fetch;
      return get(opts.mapUrl || '/v1/sales/' + encodeURIComponent(saleId) + '/seat-map').then(function (r) { if (!r.ok) throw new Error('no seat map'); return r.json(); }).then(function (m) {
        map = m;
        if (!m.seatCount) return false;
        var t1 = performance.now();
        seats = decode(m);
        var t2 = performance.now();
        // the first states arrive with the map, so the seats are drawn in their colours at once
        return firstStates.then(function (b) {
          if (b) { state = decodeStates(b); version = b.version; svg.setAttribute('data-version', version); }
          var t3 = performance.now();
          render(); legend(); summary();
          var t4 = performance.now();
          schedule();
          // ready once the browser has laid out and painted the seats (two frames later)
          return new Promise(function (done) {
            requestAnimationFrame(function () { requestAnimationFrame(function () {
              var t5 = performance.now();
              window.usherSeatMapRenderMs = Math.round(t5 - t0);
              window.usherSeatMapTimings = { fetchMs: Math.round(t1 - t0), decodeMs: Math.round(t2 - t1), statesWaitMs: Math.round(t3 - t2), domMs: Math.round(t4 - t3), layoutPaintMs: Math.round(t5 - t4) };
              svg.setAttribute('data-ready', '1');
              done(true);
            }); });
          });
        });
      });
    }

    return { load: load, markHeld: markHeld, clearHeld: clearHeld, poll: poll, hasSeats: function () { return !!(map && map.seatCount); } };
  }

  window.UsherSeatMap = { create: create };
})();
