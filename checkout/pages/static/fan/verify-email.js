// The page the verification e-mail links to: posts the token from the link's #fragment (which
// never reaches a server log) to the API and says what happened.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var messages = {
    400: 'This link is not valid. Open the whole link from the most recent e-mail, or ask for a new one on "My orders".',
    404: 'The account this link was for no longer exists.',
    409: 'Your e-mail address is already verified. Nothing more to do.',
    410: 'This link has expired. Log in on "My orders" and ask for a new one.',
    422: 'This link was sent to an address your account no longer uses. Ask for a new link on "My orders".',
    429: 'Too many attempts. Wait a minute, then reload this page.',
  };

  function show(outcome, heading, text) {
    $('heading').textContent = heading;
    $('result').textContent = text;
    $('result').className = outcome === 'verified' || outcome === 'already_verified' ? 'card' : 'error';
    $('result').setAttribute('data-outcome', outcome);
    $('next').hidden = false;
    $('heading').focus();
  }

  // a definitive answer takes the token out of the address bar (history, shared screens)
  function forgetToken() { history.replaceState(null, '', location.pathname); }

  // the link confirming a new address (a change of e-mail) carries #change=…
  function confirmChange(token) {
    $('result').setAttribute('data-outcome', 'pending');
    fetch('/v1/auth/confirm-email-change', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token }) })
      .then(async function (res) {
        var body = await res.json().catch(function () { return {}; });
        if (res.status < 500) forgetToken();
        if (res.ok) show('verified', 'New e-mail address confirmed', 'Your account now uses ' + body.email + '. Log in with it from now on.');
        else if (res.status === 409) show(body.code || 'error', 'Could not change your address', 'Another account uses this address now.');
        else if (res.status === 422) show(body.code || 'error', 'Could not change your address', 'Your account no longer waits for this address. Ask for a new link on your account page.');
        else show(body.code || 'error', 'Could not change your address', messages[res.status] || body.detail || ('Something went wrong (' + res.status + '). Reload this page to try again.'));
      })
      .catch(function () { show('offline', 'Could not change your address', 'Usher could not be reached. Check your connection, then reload this page.'); });
  }

  function confirm() {
    var change = new URLSearchParams(location.hash.slice(1)).get('change');
    if (change) { confirmChange(change); return; }
    var token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (!token) {
      show('invalid', 'Link incomplete', messages[400]);
      return;
    }
    $('result').setAttribute('data-outcome', 'pending');
    fetch('/v1/auth/verify-email', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token }) })
      .then(async function (res) {
        var body = await res.json().catch(function () { return {}; });
        if (res.status !== 429 && res.status < 500) forgetToken();
        if (res.ok) {
          show('verified', 'E-mail address confirmed', 'Thank you: ' + body.email + ' is verified. Tickets you bought as a guest with this address now appear under "My orders".');
        } else if (res.status === 409) {
          show('already_verified', 'Already confirmed', messages[409]);
        } else {
          show(body.code || 'error', 'Could not confirm your address', messages[res.status] || body.detail || ('Something went wrong (' + res.status + '). Reload this page to try again.'));
        }
      })
      .catch(function () {
        show('offline', 'Could not confirm your address', 'Usher could not be reached. Check your connection, then reload this page.');
      });
  }

  // another link opened in the same tab only changes the fragment: no reload, so listen for it
  window.addEventListener('hashchange', function () { if (location.hash) confirm(); });
  confirm();
})();
