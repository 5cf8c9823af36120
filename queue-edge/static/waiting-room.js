// The waiting-room page: one socket to the edge, protocol v1 (queue-edge/README.md). No framework.
// Words come from the site's catalogs (/assets/brand/i18n-*.js through UsherI18n); the event's
// name, date and venue and the sale's branding from GET /v1/sales/:sale/page.
'use strict';
(() => {
  const saleId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
  const $ = (id) => document.getElementById(id);
  const I = window.UsherI18n;
  const t = (key, vars) => I.t(key, vars);
  const TOKEN_KEY = 'usher.visitorToken';
  // Presale: a code from the link (?code=) or typed in; an organiser's invitation (#enqueue_token=) stays out of server logs.
  const params = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.slice(1));
  let accessCode = params.get('code') || undefined;
  const enqueueToken = hash.get('enqueue_token') || undefined;
  let lastToken = null, lastNonce;
  const PRESALE_CODES = ['presale_access_required', 'access_code_unknown', 'access_code_used', 'enqueue_token_invalid', 'enqueue_token_expired', 'enqueue_token_used'];
  let ticket = null, firstAhead = null, attempt = 0, ws = null, leaving = false, lastPosition = null;
  /** this page's own state: connecting, prequeue, open, draw, offer, admitted, done, rejecting */
  let mine = 'connecting';
  let about = null, wasInPrequeue = false, draw = null;
  // the end states that replace the waiting frame (place, people ahead, wait) with a message and a way on
  const ENDS = ['done', 'closed', 'sold_out', 'paused'];

  // The hashed id this fan is published under in the draw (queue-edge/README.md, "A draw anyone can verify"), computed here from the visitor token.
  let drawId = null;
  async function showDrawId(token) {
    try {
      const sub = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub;
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`usher-draw-v1:visitor:${saleId}:${sub}`));
      drawId = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
      $('draw-id').textContent = drawId;
      $('draw-command').textContent = `npm run verify:draw -- ${saleId} --edge ${location.origin} --me ${drawId}`;
    } catch { $('draw-id').textContent = t('room.draw.unavailable'); }
  }
  let drawAskedAt = 0, drawRevealed = false;
  async function refreshDraw(p) {
    if (drawRevealed || p.at < p.opensAt || Date.now() - drawAskedAt < 2000) return;
    drawAskedAt = Date.now();
    const url = `/v1/sales/${encodeURIComponent(saleId)}/draw`;
    const d = await (await fetch(url)).json();
    if (d.state === 'prequeue') return;
    draw = d;
    if (d.state === 'revealed') { drawRevealed = true; $('draw-link').href = url; }
    renderDraw();
  }
  /** The draw only where there was one: the sale had a pre-queue, and it had fans in it (or this fan was). */
  function renderDraw() {
    $('draw').hidden = !(wasInPrequeue || (about && about.hadPrequeue && draw && draw.count > 0));
    if (!draw) return;
    $('draw-status').hidden = false;
    $('draw-status').textContent = draw.state === 'committed' ? t('room.draw.committed', { fans: I.plural(draw.count, 'room.fans'), commitment: draw.commitment })
      : t('room.draw.revealed', { fans: I.plural(draw.count, 'room.fans'), commitment: draw.commitment, seed: draw.seed });
    $('draw-verify').hidden = draw.state !== 'revealed';
  }

  function setState(state, text) { mine = state; const el = $('state'); el.dataset.state = state; el.textContent = text || t(`room.state.${state}`); }
  function fmt(s) {
    if (s < 60) return t('dur.underMinute');
    const m = Math.round(s / 60);
    return m < 60 ? t('dur.min', { m: I.number(m) }) : t('dur.hm', { h: I.number(Math.floor(m / 60)), m: I.number(m % 60) });
  }

  /** Which end state the page is in, or null while the fan waits. */
  function endState() {
    if (mine === 'done' || mine === 'removed') return mine;
    if (mine === 'offer' || mine === 'admitted') return null;
    const p = lastPosition;
    return p && ENDS.includes(p.state) ? p.state : null;
  }

  function renderFrame() {
    const end = endState();
    const title = end ? `room.end.${end}.title` : 'room.title';
    $('title').setAttribute('data-i18n', title);
    $('title').textContent = t(title);
    $('waiting').hidden = !!end;
    $('end').hidden = !end;
    document.body.dataset.frame = end || 'waiting';
    if (end) {
      $('end-text').textContent = end === 'paused' && ticket !== null ? t('room.end.paused.textNumber', { n: I.number(ticket) }) : t(`room.end.${end}.text`);
    }
  }

  function render() {
    const p = lastPosition;
    if (!p) { renderFrame(); return; }
    if (mine === 'draw' || (mine === 'prequeue' && p.state === 'open' && p.mode === 'random')) {
      setState('draw', p.nextDrawAt ? t('room.state.drawAt', { time: I.time(p.nextDrawAt) }) : t('room.state.draw'));
    } else if (!['offer', 'admitted', 'done', 'removed'].includes(mine)) setState(p.state);
    renderFrame();
    if (p.message) { $('message').hidden = false; $('message').textContent = p.message; }
    refreshDraw(p).catch(() => undefined);
    if (ticket === null) { $('ahead').textContent = '–'; $('place').textContent = '–'; $('eta').textContent = t('room.eta.working'); return; }
    const ahead = Math.max(0, ticket - p.serving - 1);
    if (firstAhead === null || ahead > firstAhead) firstAhead = ahead;
    $('ahead').textContent = I.number(ahead);
    $('place').textContent = I.number(ahead + 1);
    const [lo, hi] = p.measuredPerMin && p.measuredPerMin[1] > 0 ? p.measuredPerMin : [p.ratePerMin * 0.75, p.ratePerMin * 1.25];
    $('eta').textContent = p.state !== 'open' ? t('room.eta.onHold') : ahead === 0 ? t('room.eta.now')
      : lo > 0 ? t('room.eta.range', { lo: fmt((ahead * 60) / hi), hi: fmt((ahead * 60) / lo) }) : t('room.eta.unknown');
    const pct = firstAhead ? Math.round(100 * (1 - ahead / firstAhead)) : 0;
    $('bar').style.width = `${pct}%`;
    $('progress').setAttribute('aria-valuenow', String(pct));
  }

  /** The event's name, date and venue, the way on (links to the site), the branding. */
  async function loadAbout() {
    const res = await fetch(`/v1/sales/${encodeURIComponent(saleId)}/page`);
    if (!res.ok) return;
    about = await res.json();
    $('link-events').href = about.links.events;
    $('home').href = about.links.events;
    $('link-orders').href = about.links.orders;
    if (about.links.event) { $('link-event').href = about.links.event; $('link-event').hidden = false; }
    renderAbout();
    if (window.UsherBranding) window.UsherBranding.apply(about.branding);
    renderDraw();
  }
  function renderAbout() {
    const e = about && about.event;
    if (!e) return;
    $('event-head').hidden = false;
    $('event-title').textContent = e.title;
    $('event-when').textContent = `${I.when(e.startsAt, e.venue.timezone)} · ${e.venue.name}, ${e.venue.city}`;
    document.title = `${e.title} · ${t('room.pageTitle')}`;
  }

  async function visitorToken(fresh) {
    if (!fresh) { const tok = localStorage.getItem(TOKEN_KEY); if (tok) return tok; }
    const res = await fetch('/v1/visitors', { method: 'POST' });
    if (!res.ok) throw new Error(`visitor ${res.status}`);
    const { token } = await res.json();
    localStorage.setItem(TOKEN_KEY, token);
    return token;
  }

  async function work(challenge, difficulty) {
    if (!difficulty) return undefined;
    const enc = new TextEncoder();
    for (let n = 0; ; n++) {
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(`${challenge}:${n}`)));
      let bits = 0;
      for (const b of d) { if (b === 0) { bits += 8; continue; } bits += Math.clz32(b) - 24; break; }
      if (bits >= difficulty) return String(n);
    }
  }

  function sendJoin() {
    send({ type: 'join', token: lastToken, ...(lastNonce ? { nonce: lastNonce } : {}), ...(enqueueToken ? { enqueueToken } : accessCode ? { accessCode } : {}) });
  }
  $('access').addEventListener('submit', (e) => { e.preventDefault(); accessCode = $('access-code').value.trim(); sendJoin(); });

  function send(m) { if (ws && ws.readyState === 1) ws.send(JSON.stringify({ v: 1, ...m })); }

  async function onMessage(m) {
    switch (m.type) {
      case 'hello': { lastToken = await visitorToken(false); showDrawId(lastToken); lastNonce = await work(m.challenge, m.powDifficulty); sendJoin(); break; }
      case 'queued':
        attempt = 0; $('connection').textContent = ''; $('access').hidden = true;
        if (m.state === 'waiting') {
          ticket = m.ticket; $('ticket').textContent = t('room.ticket', { n: I.number(m.ticket) });
          if (mine === 'draw' || mine === 'connecting' || mine === 'prequeue') setState('open');
        } else { wasInPrequeue = true; setState('prequeue'); renderDraw(); }
        render(); break;
      case 'position': lastPosition = m; render(); break;
      case 'offer': setState('offer'); render(); send({ type: 'take' }); break;
      case 'admitted': setState('admitted'); leaving = true; location.assign(m.checkoutUrl); break;
      case 'done': setState('done'); leaving = true; render(); break;
      case 'message': $('message').hidden = false; $('message').textContent = m.text; break;
      case 'paused': case 'resumed': case 'sold_out': case 'all_held': case 'closed': case 'opened': case 'rejecting': break; // the next position carries the state
      case 'removed': leaving = true; setState('removed'); render(); break; // an operator ended this fan's place: no reconnect
      case 'reconnect': $('connection').textContent = t('room.state.reconnecting'); setTimeout(() => ws && ws.close(), Math.random() * 300); break;
      case 'error':
        if (String(m.code).startsWith('visitor_token_')) { localStorage.removeItem(TOKEN_KEY); await visitorToken(true); }
        else if (m.code === 'room_closed') setState('rejecting');
        else if (PRESALE_CODES.includes(m.code)) { $('access').hidden = false; $('connection').textContent = m.detail; } // the unjoined socket is closed after 15 s; the reconnect tries again
        else $('connection').textContent = m.detail;
        break;
    }
  }

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(`${proto}//${location.host}/v1/sales/${encodeURIComponent(saleId)}/ws`);
    ws.onmessage = (e) => { let m; try { m = JSON.parse(e.data); } catch { return; } onMessage(m).catch((err) => { $('connection').textContent = String(err); }); };
    ws.onclose = () => {
      if (leaving) return;
      // Exponential backoff with full jitter: a restarted edge is not hit by every fan at once.
      const delay = Math.random() * Math.min(30_000, 500 * 2 ** attempt++);
      $('connection').textContent = t('room.state.reconnecting');
      setTimeout(connect, delay);
    };
  }

  // a new language: every word this script wrote is written again
  I.onChange(() => {
    const el = $('state');
    el.textContent = t(`room.state.${el.dataset.state}`);
    if (ticket !== null) $('ticket').textContent = t('room.ticket', { n: I.number(ticket) });
    renderAbout(); renderDraw(); render();
  });

  if (!saleId) { setState('closed', t('room.noSale')); return; }
  setState('connecting');
  render();
  loadAbout().catch(() => undefined);
  connect();
})();
