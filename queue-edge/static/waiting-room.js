// The waiting-room page: one socket to the edge, protocol v1 (queue-edge/README.md). No framework.
'use strict';
(() => {
  const saleId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'usher.visitorToken';
  const labels = {
    connecting: 'Connecting…', prequeue: "You're in the pre-queue. When the sale opens, everyone here gets a random place in line.",
    open: "You're in line.", paused: 'The sale is paused. You keep your place.', all_held: 'All seats are held right now; some may come back. You keep your place.',
    sold_out: 'Sold out. Sorry — every seat has been sold.', closed: 'This sale is closed.', offer: "It's your turn! Taking you to checkout…",
    admitted: "It's your turn! Taking you to checkout…", done: 'You have had your turn in this sale.', reconnecting: 'Reconnecting — you keep your place…',
    rejecting: "The waiting room isn't letting anyone new in right now. Keep this page open: it will try again.",
    removed: 'You have been removed from this queue.',
    draw: "You're in the next draw: everyone who arrives before it gets a random place in line.",
  };
  // Presale: a code from the link (?code=) or typed in; an organiser's invitation (#enqueue_token=) stays out of server logs.
  const params = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.slice(1));
  let accessCode = params.get('code') || undefined;
  const enqueueToken = hash.get('enqueue_token') || undefined;
  let lastToken = null, lastNonce;
  const PRESALE_CODES = ['presale_access_required', 'access_code_unknown', 'access_code_used', 'enqueue_token_invalid', 'enqueue_token_expired', 'enqueue_token_used'];
  let ticket = null, serving = 0, firstAhead = null, attempt = 0, ws = null, leaving = false, lastPosition = null;

  // The hashed id this fan is published under in the draw (queue-edge/README.md, "A draw anyone can verify"), computed here from the visitor token.
  async function showDrawId(token) {
    try {
      const sub = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub;
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`usher-draw-v1:visitor:${saleId}:${sub}`));
      const id = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
      $('draw-id').textContent = id;
      $('draw-command').textContent = `npm run verify:draw -- ${saleId} --edge ${location.origin} --me ${id}`;
    } catch { $('draw-id').textContent = 'unavailable'; }
  }
  let drawAskedAt = 0, drawRevealed = false;
  async function refreshDraw(p) {
    if (drawRevealed || p.at < p.opensAt || Date.now() - drawAskedAt < 2000) return;
    drawAskedAt = Date.now();
    const url = `/v1/sales/${encodeURIComponent(saleId)}/draw`;
    const d = await (await fetch(url)).json();
    if (d.state === 'prequeue') return;
    $('draw-status').hidden = false;
    $('draw-status').textContent = d.state === 'committed'
      ? `The pre-queue closed with ${d.count} fans. Commitment: ${d.commitment}. Waiting for the public beacon…`
      : `Drawn: ${d.count} fans, commitment ${d.commitment}, seed ${d.seed}.`;
    if (d.state === 'revealed') { drawRevealed = true; $('draw-verify').hidden = false; $('draw-link').href = url; }
  }

  function setState(state, text) { const el = $('state'); el.dataset.state = state; el.textContent = text || labels[state] || state; }
  function fmt(s) { if (s < 60) return 'under a minute'; const m = Math.round(s / 60); return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`; }

  function render() {
    const p = lastPosition;
    if (!p) return;
    const mine = $('state').dataset.state;
    if (mine === 'draw' || (mine === 'prequeue' && p.state === 'open' && p.mode === 'random')) {
      setState('draw', p.nextDrawAt ? `${labels.draw} Next draw at ${new Date(p.nextDrawAt).toLocaleTimeString()}.` : labels.draw);
    } else if (!['offer', 'admitted', 'done', 'removed'].includes(mine)) setState(p.state);
    if (p.message) { $('message').hidden = false; $('message').textContent = p.message; }
    refreshDraw(p).catch(() => undefined);
    if (ticket === null) { $('ahead').textContent = '–'; return; }
    const ahead = Math.max(0, ticket - p.serving - 1);
    if (firstAhead === null || ahead > firstAhead) firstAhead = ahead;
    $('ahead').textContent = ahead.toLocaleString();
    $('ahead-label').textContent = ahead === 1 ? 'person ahead of you' : 'people ahead of you';
    const [lo, hi] = p.measuredPerMin && p.measuredPerMin[1] > 0 ? p.measuredPerMin : [p.ratePerMin * 0.75, p.ratePerMin * 1.25];
    $('eta').textContent = p.state !== 'open' ? 'Estimated wait: on hold' : ahead === 0 ? 'Estimated wait: any moment now'
      : lo > 0 ? `Estimated wait: ${fmt((ahead * 60) / hi)} – ${fmt((ahead * 60) / lo)}` : 'Estimated wait: unknown';
    const pct = firstAhead ? Math.round(100 * (1 - ahead / firstAhead)) : 0;
    $('bar').style.width = `${pct}%`;
    $('progress').setAttribute('aria-valuenow', String(pct));
  }

  async function visitorToken(fresh) {
    if (!fresh) { const t = localStorage.getItem(TOKEN_KEY); if (t) return t; }
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
      case 'queued': attempt = 0; $('connection').textContent = ''; $('access').hidden = true; if (m.state === 'waiting') { ticket = m.ticket; $('ticket').textContent = `Your number: ${m.ticket}`; if ($('state').dataset.state === 'draw') setState('open'); } else setState('prequeue'); render(); break;
      case 'position': lastPosition = m; serving = m.serving; render(); break;
      case 'offer': setState('offer'); send({ type: 'take' }); break;
      case 'admitted': setState('admitted'); leaving = true; location.assign(m.checkoutUrl); break;
      case 'done': setState('done'); leaving = true; break;
      case 'message': $('message').hidden = false; $('message').textContent = m.text; break;
      case 'paused': case 'resumed': case 'sold_out': case 'all_held': case 'closed': case 'opened': case 'rejecting': break; // the next position carries the state
      case 'removed': leaving = true; setState('removed', m.detail); break; // an operator ended this fan's place: no reconnect
      case 'reconnect': $('connection').textContent = labels.reconnecting; setTimeout(() => ws && ws.close(), Math.random() * 300); break;
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
      $('connection').textContent = labels.reconnecting;
      setTimeout(connect, delay);
    };
  }

  if (!saleId) { setState('closed', 'No sale in this address.'); return; }
  connect();
})();
