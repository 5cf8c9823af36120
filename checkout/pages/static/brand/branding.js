// A sale's branding on the fan's pages (the admin API's sale PATCH sets it; admission/sale-page.ts
// validates it): the accent and banner colours as CSS custom properties (through the CSSOM, which
// the pages' CSP allows), the logo, the headline as text, and the organiser's message through the
// safe Markdown subset (markdown.js: DOM nodes only, never HTML).
(function () {
  'use strict';
  var HEX = /^#[0-9a-fA-F]{6}$/;
  var LOGO = /^(https:\/\/[^\s"'<>]+|\/[^\s"'<>/\\][^\s"'<>]*)$/;
  function apply(b) {
    b = b || {};
    var root = document.documentElement.style;
    if (HEX.test(b.accentColor || '')) root.setProperty('--accent', b.accentColor);
    if (HEX.test(b.bannerColor || '')) root.setProperty('--banner', b.bannerColor);
    Array.prototype.forEach.call(document.querySelectorAll('[data-brand-logo]'), function (img) {
      if (LOGO.test(b.logoUrl || '')) { img.src = b.logoUrl; img.hidden = false; } else img.hidden = true;
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-brand-headline]'), function (e) {
      e.textContent = b.headline || '';
      e.hidden = !b.headline;
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-brand-message]'), function (e) {
      if (b.messageMarkdown && window.UsherMarkdown) { window.UsherMarkdown.render(b.messageMarkdown, e); e.hidden = false; } else e.hidden = true;
    });
    document.documentElement.toggleAttribute('data-branded', !!(b.accentColor || b.bannerColor || b.logoUrl));
  }
  window.UsherBranding = { apply: apply };
})();
