// The organiser's message in a small, safe Markdown subset: paragraphs, "# " headings (shown as
// h3/h4), "- "/"* " and "1. " lists, **bold**, *italic* / _italic_, `code` and [links](https://…).
// It never produces HTML: `parse` turns the text into a tree of a few allowed tags, and `render`
// builds DOM nodes from it with createElement and textContent only, so markup in the message is
// shown as the characters it is. Links go to http(s), mailto or a path on the site, nothing else.
(function (root) {
  'use strict';
  var SAFE_HREF = /^(https?:\/\/[^\s<>"']+|mailto:[^\s<>"']+|\/(?![\/\\])[^\s<>"']*)$/i;

  /** Inline text → [string | { tag, href?, children }] */
  function inline(text) {
    var out = [];
    var re = /(\*\*([^*]+)\*\*)|(\[([^\]]+)\]\(([^)\s]+)\))|(`([^`]+)`)|(\*([^*\s][^*]*)\*)|((?<![\w])_([^_\s][^_]*)_(?![\w]))/;
    var m;
    while (text && (m = re.exec(text))) {
      if (m.index > 0) out.push(text.slice(0, m.index));
      if (m[1]) out.push({ tag: 'strong', children: inline(m[2]) });
      else if (m[3]) out.push(SAFE_HREF.test(m[5]) ? { tag: 'a', href: m[5], children: inline(m[4]) } : m[3]);
      else if (m[6]) out.push({ tag: 'code', children: [m[7]] });
      else if (m[8]) out.push({ tag: 'em', children: inline(m[9]) });
      else out.push({ tag: 'em', children: inline(m[11]) });
      text = text.slice(m.index + m[0].length);
    }
    if (text) out.push(text);
    return out;
  }

  /** Markdown → [{ tag: 'p'|'h3'|'h4'|'ul'|'ol', children }] (list children are { tag: 'li' }). */
  function parse(md) {
    var blocks = [];
    var para = [];
    var list = null;
    function endPara() { if (para.length) blocks.push({ tag: 'p', children: inline(para.join(' ')) }); para = []; }
    function endList() { if (list) blocks.push(list); list = null; }
    String(md || '').replace(/\r\n?/g, '\n').split('\n').forEach(function (raw) {
      var line = raw.trim();
      var m;
      if (!line) { endPara(); endList(); return; }
      if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) { endPara(); endList(); blocks.push({ tag: m[1].length === 1 ? 'h3' : 'h4', children: inline(m[2]) }); return; }
      if ((m = /^([-*]|\d{1,3}[.)])\s+(.*)$/.exec(line))) {
        var tag = /^\d/.test(m[1]) ? 'ol' : 'ul';
        endPara();
        if (!list || list.tag !== tag) { endList(); list = { tag: tag, children: [] }; }
        list.children.push({ tag: 'li', children: inline(m[2]) });
        return;
      }
      endList();
      para.push(line);
    });
    endPara(); endList();
    return blocks;
  }

  /** The tree as DOM nodes in `doc`, appended to `into` (its old content is removed first). */
  function render(md, into, doc) {
    doc = doc || into.ownerDocument;
    function build(node) {
      if (typeof node === 'string') return doc.createTextNode(node);
      var e = doc.createElement(node.tag);
      if (node.href) { e.setAttribute('href', node.href); e.setAttribute('rel', 'noopener noreferrer nofollow'); if (!/^\//.test(node.href)) e.setAttribute('target', '_blank'); }
      (node.children || []).forEach(function (c) { e.appendChild(build(c)); });
      return e;
    }
    while (into.firstChild) into.removeChild(into.firstChild);
    parse(md).forEach(function (b) { into.appendChild(build(b)); });
  }

  root.UsherMarkdown = { parse: parse, render: render, SAFE_HREF: SAFE_HREF };
})(typeof window !== 'undefined' ? window : globalThis);
