// The live controls of one sale (static/admin/sale-controls.html), shared by the dashboard and the
// console's sale page: rate, maximum shoppers, queue mode, proof-of-work difficulty, a message to
// the queue, pause, resume and close. Each is one /v1/admin/... call; the page is told what changed.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var nf = new Intl.NumberFormat();

  /**
   * opts.saleId; opts.onSettings(settings) after a control is applied (the controls' answer);
   * opts.onSale(sale) after the sale itself was changed (PATCH: proof of work).
   * Returns { show(settings, powDifficulty) } to fill the inputs from the live settings.
   */
  function mount(opts) {
    var base = '/v1/admin/sales/' + encodeURIComponent(opts.saleId);
    function say(text) { $('control-result').textContent = text || ''; }
    async function send(path, method, body) {
      var res = await UsherSession.api(path, { method: method, body: body === undefined ? undefined : JSON.stringify(body) });
      return { res: res, data: await Usher.readProblem(res) };
    }
    // an input the operator is typing in is not overwritten by the next poll
    function fill(id, value) { var el = $(id); if (value !== undefined && value !== null && document.activeElement !== el) el.value = value; }
    function show(s, powDifficulty) {
      if (s) { fill('rate', s.ratePerMin); fill('max-active', s.maxActive); fill('mode', s.mode); }
      fill('pow', powDifficulty);
    }
    async function run(path, method, body, label, after) {
      say('Sending…');
      try {
        var r = await send(path, method, body);
        if (!r.res.ok) { say(Usher.problemText(r.data, r.res.status)); return; }
        say(label + ' — done.');
        await after(r.data);
      } catch (e) { say('Could not reach the server.'); }
    }
    function control(body, label) {
      return run(base + '/controls', 'POST', body, label, async function (settings) {
        show(settings);
        if (opts.onSettings) await opts.onSettings(settings);
      });
    }
    function whole(id, label) {
      var el = $(id), v = Number(el.value);
      if (el.value === '' || !Number.isInteger(v) || v < Number(el.min)) { say(label + ': enter a whole number of at least ' + el.min + '.'); el.focus(); return null; }
      return v;
    }
    function onSubmit(id, fn) { $(id).addEventListener('submit', function (ev) { ev.preventDefault(); fn(); }); }
    onSubmit('rate-form', function () { var v = whole('rate', 'Admission rate'); if (v !== null) control({ action: 'set_rate', ratePerMin: v }, 'Rate set to ' + nf.format(v) + ' a minute'); });
    onSubmit('max-form', function () { var v = whole('max-active', 'Maximum shoppers'); if (v !== null) control({ action: 'set_max_shoppers', maxActive: v }, 'Maximum set to ' + nf.format(v)); });
    onSubmit('mode-form', function () { control({ action: 'set_mode', mode: $('mode').value }, 'Queue mode set to ' + $('mode').selectedOptions[0].textContent.toLowerCase()); });
    onSubmit('message-form', function () {
      var text = $('message').value.trim();
      if (!text) { say('Write a message first.'); $('message').focus(); return; }
      control({ action: 'message', text: text }, 'Message sent');
    });
    onSubmit('pow-form', function () {
      var v = whole('pow', 'Proof-of-work difficulty');
      if (v === null) return;
      run(base, 'PATCH', { powDifficulty: v }, 'Proof of work set to ' + (v ? Usher.plural(v, 'bit') : 'off'), async function (sale) {
        if (opts.onSale) await opts.onSale(sale);
      });
    });
    $('pause').addEventListener('click', function () { control({ action: 'pause' }, 'Admissions paused'); });
    $('resume').addEventListener('click', function () { control({ action: 'resume' }, 'Admissions resumed'); });
    $('close').addEventListener('click', function () { if (confirm('Close the sale for good? Nobody more will be admitted.')) control({ action: 'close' }, 'Sale closed'); });
    return { show: show, say: say };
  }
  window.UsherSaleControls = { mount: mount };
})();
