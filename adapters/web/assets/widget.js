/*
 * The advisor's embeddable chat widget. Plain ES2019, no dependencies, no build step.
 *
 * Embed with one tag:
 *   <script src="https://HOST/widget.js" data-advisor-url="wss://HOST/ws"></script>
 * Optional attributes: data-advisor-url (defaults to ws(s)://<origin of this script>/ws),
 * data-advisor-title, data-advisor-framework (a framework id), data-advisor-open="true",
 * data-advisor-theme ("light" or "dark"; default: the reader's prefers-color-scheme).
 *
 * It speaks the JSON protocol of docs/protocol.md over one WebSocket, keeps the session
 * token in localStorage (a reload resumes the conversation) and reconnects with backoff.
 * Text from the server or the user is only ever put into the page through textContent /
 * createElement, never innerHTML.
 */
(function () {
  'use strict';

  var SESSION_KEY = 'advisor-session';
  var OPEN_KEY = 'advisor-open';
  var BACKOFF_START_MS = 500;
  var BACKOFF_MAX_MS = 10000;
  var MAX_QUEUE = 20;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    return all[all.length - 1];
  })();
  if (!script || window.__advisorWidget) return;

  var scriptUrl = new URL(script.src, location.href);
  var wsUrl = script.getAttribute('data-advisor-url') ||
    (scriptUrl.protocol === 'https:' ? 'wss://' : 'ws://') + scriptUrl.host + '/ws';
  var cssUrl = new URL('widget.css', scriptUrl).href;
  var title = script.getAttribute('data-advisor-title') || 'Stack advisor';
  var framework = script.getAttribute('data-advisor-framework') || '';
  var theme = script.getAttribute('data-advisor-theme') || '';
  // Where to ask whether this page's origin may use the WebSocket (see onSocketFailed).
  var checkUrl = (function () {
    try {
      var u = new URL(wsUrl, location.href);
      u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
      return u.href;
    } catch (e) { return null; }
  })();
  var PHONE_QUERY = '(max-width: 520px), (max-height: 520px)';
  var BACK_ONLINE_MS = 4000;

  var ERROR_TEXT = {
    rate_limited: 'Slow down a little: that message was not read. Try again in a moment.',
    stale_option: 'That button is out of date: its question was already answered, or the conversation started over, so nothing was changed. Here is where we are now:',
    unknown_option: 'That choice is not available any more; please pick again.',
    too_large: 'That message is too long to send.',
    invalid_message: 'That message could not be read; please try again.',
    invalid_json: 'That message could not be read; please try again.',
    unknown_type: 'That message could not be read; please try again.',
    unknown_framework: 'That topic is not available here; starting the default one.',
    internal: 'Something went wrong on our side and your last message was not saved. Please try again.'
  };

  // ---------------------------------------------------------------------------------------
  // Small DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* private mode: the session lives as long as the page */ }
  }

  function safeHref(raw) {
    try {
      var url = new URL(raw, location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------
  // The light markdown of the bot's replies: **bold**, _italic_, `code`, [text](http...) and
  // bare http(s) links inline; paragraphs, "- " lists (indented two spaces for sub-items),
  // "1. " lists and "#" headings as blocks. Everything else is text.

  // A backslash before one of \ ` * _ ~ | [ ] ( ) < > @ : # is a character the user typed,
  // quoted back by the advisor: it is shown as that character and starts no markup (a code
  // span or an emphasis cannot end on one either), so the user's words never become a link.
  var INLINE_SOURCE = /(\*\*([^*]+?)\*\*)|(`([^`]*?[^`\\])`)|(\[([^\]\\]+)\]\((https?:\/\/[^\s)\\]+)\))|(https?:\/\/[^\s<>()\\]+[^\s<>().,;:!?'"\\])|((^|[\s(])_([^_\n]*?[^_\n\\])_(?=$|[\s.,;:!?)]))|(\\([\\`*_~|\[\]()<>@:#]))/.source;

  function appendInline(parent, text) {
    var INLINE = new RegExp(INLINE_SOURCE, 'g');  // one per call: appendInline recurses
    var last = 0;
    var m;
    while ((m = INLINE.exec(text)) !== null) {
      var start = m.index;
      var lead = '';
      if (m[9]) { lead = m[10] || ''; start += lead.length; }
      if (start > last || lead) parent.appendChild(document.createTextNode(text.slice(last, start)));
      if (m[1]) {
        var strong = el('strong');
        appendInline(strong, m[2]);
        parent.appendChild(strong);
      } else if (m[3]) {
        parent.appendChild(el('code', 'advisor-code', m[4]));
      } else if (m[5]) {
        appendLink(parent, m[6], m[7]);
      } else if (m[8]) {
        appendLink(parent, m[8], m[8]);
      } else if (m[9]) {
        var em = el('em');
        appendInline(em, m[11]);
        parent.appendChild(em);
      } else if (m[12]) {
        parent.appendChild(document.createTextNode(m[13]));
      }
      last = INLINE.lastIndex;
      if (m[0].length === 0) INLINE.lastIndex++;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function appendLink(parent, label, href) {
    var safe = safeHref(href);
    if (!safe) { parent.appendChild(document.createTextNode(label)); return; }
    var a = el('a', 'advisor-link', label);
    a.href = safe;
    a.target = '_blank';
    a.rel = 'noopener noreferrer nofollow';
    parent.appendChild(a);
  }

  function renderMarkdown(text) {
    var root = el('div', 'advisor-md');
    var lines = String(text).replace(/\r\n?/g, '\n').split('\n');
    var para = null;     // the open <p>
    var lists = [];      // stack of {node, indent, ordered}

    function closeBlocks() { para = null; lists = []; }

    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (/^\s*$/.test(line)) { closeBlocks(); continue; }
      var bullet = /^(\s*)[-*] (.*)$/.exec(line);
      var numbered = /^(\s*)(\d+)\. (.*)$/.exec(line);
      var heading = /^(#{1,3}) (.*)$/.exec(line);
      if (heading) {
        closeBlocks();
        var h = el('p', 'advisor-h advisor-h' + heading[1].length);
        appendInline(h, heading[2]);
        root.appendChild(h);
      } else if (bullet || numbered) {
        para = null;
        var indent = (bullet || numbered)[1].length;
        var ordered = !!numbered;
        while (lists.length && lists[lists.length - 1].indent > indent) lists.pop();
        var top = lists[lists.length - 1];
        if (!top || top.indent < indent || top.ordered !== ordered) {
          if (top && top.indent === indent) lists.pop();
          var list = el(ordered ? 'ol' : 'ul', 'advisor-list');
          if (ordered && numbered[2] !== '1') list.start = parseInt(numbered[2], 10);
          var parentList = lists[lists.length - 1];
          if (parentList && parentList.node.lastChild) parentList.node.lastChild.appendChild(list);
          else root.appendChild(list);
          top = { node: list, indent: indent, ordered: ordered };
          lists.push(top);
        }
        var li = el('li');
        appendInline(li, ordered ? numbered[3] : bullet[2]);
        top.node.appendChild(li);
      } else if (lists.length && /^\s+/.test(line)) {
        // A continuation line of a list item.
        var item = lists[lists.length - 1].node.lastChild;
        item.appendChild(document.createTextNode(' '));
        appendInline(item, line.trim());
      } else {
        lists = [];
        if (!para) { para = el('p'); root.appendChild(para); } else { para.appendChild(el('br')); }
        appendInline(para, line);
      }
    }
    return root;
  }

  // ---------------------------------------------------------------------------------------
  // The widget's DOM, in a shadow root so the host page's styles and ours never meet.

  var host = el('div', 'advisor-host');
  host.setAttribute('data-advisor-widget', '');
  if (theme === 'light' || theme === 'dark') host.setAttribute('data-advisor-theme', theme);
  var shadow = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  var style = el('link');
  style.rel = 'stylesheet';
  style.href = cssUrl;
  // A landmark of its own, so the page's structure stays whole with the widget in it.
  var root = el('aside', 'advisor-root');
  root.setAttribute('aria-label', title);
  root.style.visibility = 'hidden';  // until the stylesheet is in, so nothing flashes unstyled
  function showRoot() { root.style.visibility = ''; }
  style.addEventListener('load', showRoot);
  style.addEventListener('error', showRoot);
  setTimeout(showRoot, 3000);
  shadow.appendChild(style);
  shadow.appendChild(root);

  var launcher = el('button', 'advisor-launcher');
  launcher.type = 'button';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'advisor-panel');
  launcher.setAttribute('aria-label', 'Ask the advisor: open the ' + title + ' chat');
  launcher.appendChild(el('span', 'advisor-launcher-icon', '\u{1F4AC}')).setAttribute('aria-hidden', 'true');
  launcher.appendChild(el('span', 'advisor-launcher-text', 'Ask the advisor'));

  var panel = el('section', 'advisor-panel');
  panel.id = 'advisor-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);

  var header = el('header', 'advisor-header');
  var heading = el('h2', 'advisor-title', title);
  var status = el('span', 'advisor-status', 'Offline');
  status.setAttribute('data-state', 'offline');
  var restartButton = el('button', 'advisor-restart', 'Start over');
  restartButton.type = 'button';
  var closeButton = el('button', 'advisor-close', '\u00D7');
  closeButton.type = 'button';
  closeButton.setAttribute('aria-label', 'Close the chat');
  var headText = el('div', 'advisor-head-text');
  headText.appendChild(heading);
  headText.appendChild(status);
  header.appendChild(headText);
  header.appendChild(restartButton);
  header.appendChild(closeButton);

  var progress = el('div', 'advisor-progress');
  progress.hidden = true;
  var progressText = el('span', 'advisor-progress-text');
  var progressBar = el('div', 'advisor-progress-bar');
  progressBar.setAttribute('role', 'progressbar');
  progressBar.setAttribute('aria-valuemin', '0');
  var progressFill = el('div', 'advisor-progress-fill');
  progressBar.appendChild(progressFill);
  progress.appendChild(progressText);
  progress.appendChild(progressBar);

  var log = el('div', 'advisor-log');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  log.setAttribute('aria-label', 'Conversation');
  log.tabIndex = 0;

  var typing = el('div', 'advisor-typing');
  typing.hidden = true;
  typing.setAttribute('aria-label', 'The advisor is typing');
  typing.appendChild(el('span', 'advisor-dot'));
  typing.appendChild(el('span', 'advisor-dot'));
  typing.appendChild(el('span', 'advisor-dot'));
  typing.appendChild(el('span', 'advisor-sr', 'The advisor is typing'));

  // The connection's state when it is not fine: offline (retrying), back online, or refused.
  var banner = el('div', 'advisor-banner');
  banner.hidden = true;
  banner.setAttribute('role', 'status');
  var bannerText = el('span', 'advisor-banner-text');
  var bannerButton = el('button', 'advisor-banner-button', 'Retry now');
  bannerButton.type = 'button';
  banner.appendChild(bannerText);
  banner.appendChild(bannerButton);

  // "Start over?": asked before a restart throws the answers away.
  var confirmBox = el('div', 'advisor-confirm');
  confirmBox.hidden = true;
  confirmBox.setAttribute('role', 'alertdialog');
  confirmBox.setAttribute('aria-labelledby', 'advisor-confirm-title');
  confirmBox.setAttribute('aria-describedby', 'advisor-confirm-text');
  var confirmTitle = el('p', 'advisor-confirm-title', 'Start over?');
  confirmTitle.id = 'advisor-confirm-title';
  var confirmText = el('p', 'advisor-confirm-text', 'Your answers so far will be cleared and the advisor begins again with the first question.');
  confirmText.id = 'advisor-confirm-text';
  var confirmYes = el('button', 'advisor-confirm-yes', 'Clear my answers');
  confirmYes.type = 'button';
  var confirmNo = el('button', 'advisor-confirm-no', 'Keep going');
  confirmNo.type = 'button';
  var confirmButtons = el('div', 'advisor-confirm-buttons');
  confirmButtons.appendChild(confirmNo);
  confirmButtons.appendChild(confirmYes);
  confirmBox.appendChild(confirmTitle);
  confirmBox.appendChild(confirmText);
  confirmBox.appendChild(confirmButtons);

  var form = el('form', 'advisor-form');
  var input = el('input', 'advisor-input');
  input.type = 'text';
  input.autocomplete = 'off';
  input.maxLength = 2000;
  input.placeholder = 'Type an answer or a question';
  input.setAttribute('aria-label', 'Your message');
  var send = el('button', 'advisor-send', 'Send');
  send.type = 'submit';
  form.appendChild(input);
  form.appendChild(send);

  panel.appendChild(header);
  panel.appendChild(progress);
  panel.appendChild(banner);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(confirmBox);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---------------------------------------------------------------------------------------
  // State

  var ws = null;
  var connected = false;      // the socket is open and the session frame has arrived
  var wantConnection = false; // the panel has been opened at least once
  var attempts = 0;
  var reconnectTimer = null;
  var queue = [];             // frames waiting for a connection
  var inFlight = null;        // the frame whose reply we are waiting for
  var resuming = false;       // the next reply answers a start
  var lastQuestion = null;    // {question, text} of the newest bot turn shown
  var lastRecommendation = ''; // JSON of the last card shown
  var currentOptions = null;  // the newest options row
  var refused = false;        // the server refuses this page's origin: no retrying
  var troubled = false;       // the banner says offline (or refused)
  var engaged = false;        // the user has used the widget: it may move focus
  var typedLast = false;      // the last message was typed: focus stays in the text box
  var afterConfirm = null;    // what "Clear my answers" does
  var bannerTimer = null;

  // ---------------------------------------------------------------------------------------
  // Rendering

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  // A long reply (the card, a breakdown) is read from its top; a short one sits at the end.
  function scrollToShow(node) {
    var offset = node.getBoundingClientRect().top - log.getBoundingClientRect().top;
    if (node.offsetHeight > log.clientHeight) log.scrollTop += offset - 8;
    else scrollToEnd();
  }

  function addUserMessage(text) {
    var bubble = el('div', 'advisor-msg advisor-msg-user');
    bubble.appendChild(el('p', 'advisor-user-text', text));
    log.appendChild(bubble);
    scrollToEnd();
  }

  function addNotice(text, kind) {
    var note = el('div', 'advisor-notice' + (kind ? ' advisor-notice-' + kind : ''), text);
    note.setAttribute('role', 'status');
    log.appendChild(note);
    scrollToEnd();
    return note;
  }

  function removeOptions() {
    if (currentOptions && currentOptions.parentNode) currentOptions.parentNode.removeChild(currentOptions);
    currentOptions = null;
  }

  function renderOptions(options, question) {
    removeOptions();
    if (!options || !options.length) return null;
    var row = el('div', 'advisor-options');
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', 'Answers');
    options.forEach(function (opt) {
      var b = el('button', 'advisor-option', opt.label);
      b.type = 'button';
      b.setAttribute('data-option', opt.id);
      if (opt.id === 'not_sure') b.className += ' advisor-option-quiet';
      b.addEventListener('click', function () {
        if (opt.id === 'restart') askConfirm(function () { choose(opt, question); });
        else choose(opt, question);
      });
      row.appendChild(b);
    });
    currentOptions = row;
    return row;
  }

  function percent(x) {
    var n = Number(x);
    if (!isFinite(n)) return '';
    return Math.round(n <= 1 ? n * 100 : n) + '%';
  }

  // The titles, each a link to its article where the server knows the address (source_urls,
  // index for index; appendLink keeps only an http(s) href).
  function sourcesLine(sources, label, urls) {
    if (!sources || !sources.length) return null;
    var p = el('p', 'advisor-sources');
    p.appendChild(el('span', 'advisor-sources-label', (label || (sources.length > 1 ? 'Sources' : 'Source')) + ': '));
    sources.forEach(function (title, i) {
      if (i) p.appendChild(document.createTextNode('; '));
      var url = urls && typeof urls[i] === 'string' ? urls[i] : '';
      if (url) appendLink(p, String(title), url);
      else p.appendChild(document.createTextNode(String(title)));
    });
    p.title = sources.join('; ');
    return p;
  }

  var TOP_REASONS = 3;

  // A reason's headline: its bold lead and the points it moved ("**team skills: Python**
  // (Python +3)"); the explanation after it is in the full list.
  function reasonHead(text) {
    var m = /^(\*\*[^*]+\*\*(?:\s*\([^)]*\))?)/.exec(text);
    return m ? m[1] : text;
  }

  function reasonItem(r, headOnly) {
    var li = el('li', 'advisor-reason');
    var p = el('p', headOnly ? 'advisor-reason-head' : 'advisor-reason-text');
    appendInline(p, headOnly ? reasonHead(r.text || '') : (r.text || ''));
    li.appendChild(p);
    var s = sourcesLine(r.sources, null, r.source_urls);
    if (s) li.appendChild(s);
    return li;
  }

  // The card reads from the top: the choice, the confidence, the scores and the three
  // strongest reasons; everything else is one click away under "More".
  function renderCard(rec) {
    var card = el('article', 'advisor-card');
    card.setAttribute('data-choice', String(rec.choice || ''));
    card.setAttribute('aria-label', 'Recommendation');
    card.appendChild(el('p', 'advisor-card-kicker', 'My recommendation'));
    card.appendChild(el('h3', 'advisor-card-choice', rec.choice_label || rec.choice));

    var conf = el('div', 'advisor-confidence');
    var confText = el('span', 'advisor-confidence-text', percent(rec.confidence) + ' confidence');
    var meter = el('div', 'advisor-meter');
    meter.setAttribute('aria-hidden', 'true');
    var fill = el('div', 'advisor-meter-fill');
    fill.style.width = percent(rec.confidence);
    meter.appendChild(fill);
    conf.appendChild(confText);
    conf.appendChild(meter);
    card.appendChild(conf);

    if (rec.scores) {
      var scores = el('dl', 'advisor-scores');
      var names = { python: 'Python', nodejs: 'Node.js' };
      Object.keys(rec.scores).forEach(function (k) {
        var pair = el('div', 'advisor-score');
        pair.appendChild(el('dt', null, names[k] || k));
        pair.appendChild(el('dd', 'advisor-score-' + k, String(rec.scores[k])));
        scores.appendChild(pair);
      });
      card.appendChild(scores);
    }

    var reasonsAll = rec.reasons || [];
    if (reasonsAll.length) {
      card.appendChild(el('h4', 'advisor-card-h', 'Why'));
      var reasons = el('ul', 'advisor-reasons');
      reasonsAll.slice(0, TOP_REASONS).forEach(function (r) { reasons.appendChild(reasonItem(r, true)); });
      card.appendChild(reasons);
    }

    var more = el('details', 'advisor-card-more');
    var parts = [];
    if (reasonsAll.length) {
      var rest = reasonsAll.length - Math.min(TOP_REASONS, reasonsAll.length);
      parts.push(rest ? 'all ' + reasonsAll.length + ' reasons explained' : 'the reasons explained');
      more.appendChild(el('h4', 'advisor-card-h', 'Why, in full'));
      var full = el('ul', 'advisor-reasons advisor-reasons-full');
      reasonsAll.forEach(function (r) { full.appendChild(reasonItem(r, false)); });
      more.appendChild(full);
    }

    if (rec.contested && rec.contested.length) {
      parts.push('where the sources disagree');
      more.appendChild(el('h4', 'advisor-card-h', 'Where the sources disagree'));
      rec.contested.forEach(function (c) {
        var box = el('div', 'advisor-contested');
        box.appendChild(el('p', 'advisor-contested-summary', c.summary));
        var sides = el('ul', 'advisor-sides');
        (c.sides || []).forEach(function (side) {
          var li = el('li', 'advisor-side');
          li.appendChild(el('strong', 'advisor-side-position', (side.position === 'nodejs' ? 'Node.js' : side.position === 'python' ? 'Python' : side.position) + ': '));
          li.appendChild(document.createTextNode(side.claim || ''));
          var s = sourcesLine(side.sources, null, side.source_urls);
          if (s) li.appendChild(s);
          sides.appendChild(li);
        });
        box.appendChild(sides);
        more.appendChild(box);
      });
    }

    if (rec.unknowns && rec.unknowns.length) {
      parts.push('what was left open');
      more.appendChild(el('h4', 'advisor-card-h', 'Left open'));
      var unknowns = el('ul', 'advisor-unknowns');
      rec.unknowns.forEach(function (u) { unknowns.appendChild(el('li', null, typeof u === 'string' ? u : JSON.stringify(u))); });
      more.appendChild(unknowns);
    }

    if (rec.next_steps && rec.next_steps.length) {
      parts.push('next steps');
      more.appendChild(el('h4', 'advisor-card-h', 'Next steps'));
      var steps = el('ol', 'advisor-next-steps');
      rec.next_steps.forEach(function (s) {
        var li = el('li');
        appendInline(li, s);
        steps.appendChild(li);
      });
      more.appendChild(steps);
    }
    if (parts.length) {
      var summary = el('summary', 'advisor-card-more-summary', 'More: ' + parts.join(', '));
      more.insertBefore(summary, more.firstChild);
      card.appendChild(more);
    }
    return card;
  }

  // The decision record: the reply's lines from the first "# " heading on, copied verbatim.
  function splitRecord(text) {
    var m = /(^|\n)# /.exec(text);
    if (!m) return null;
    var at = m.index + m[1].length;
    return { intro: text.slice(0, at).trim(), record: text.slice(at).replace(/\s+$/, '') + '\n' };
  }

  function renderRecord(record) {
    var box = el('div', 'advisor-record');
    var pre = el('pre', 'advisor-record-text', record);
    pre.tabIndex = 0;
    var copy = el('button', 'advisor-copy', 'Copy');
    copy.type = 'button';
    copy.addEventListener('click', function () {
      var done = function () { copy.textContent = 'Copied'; setTimeout(function () { copy.textContent = 'Copy'; }, 2000); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(record).then(done, function () { selectText(pre); copy.textContent = 'Press Ctrl+C'; });
      } else {
        selectText(pre);
        copy.textContent = 'Press Ctrl+C';
      }
    });
    var bar = el('div', 'advisor-record-bar');
    bar.appendChild(el('span', 'advisor-record-label', 'Decision record (Markdown)'));
    bar.appendChild(copy);
    box.appendChild(bar);
    box.appendChild(pre);
    return box;
  }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = (shadow.getSelection ? shadow.getSelection() : null) || window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function setProgress(p) {
    if (!p || !p.total) { progress.hidden = true; return; }
    var step = Math.min(p.step, p.total);
    progress.hidden = false;
    progressText.textContent = 'Step ' + step + ' of about ' + p.total;
    progressBar.setAttribute('aria-valuemax', String(p.total));
    progressBar.setAttribute('aria-valuenow', String(step));
    progressBar.setAttribute('aria-label', progressText.textContent);
    progressFill.style.width = Math.round(100 * step / p.total) + '%';
  }

  // Moves focus to what answers the newest message, but only once the user has used the
  // widget (never on page load), never away from the host page's own fields, and never out
  // of the text box when the user types their answers.
  function focusNewest() {
    if (panel.hidden || !engaged || !confirmBox.hidden) return;
    var outside = document.activeElement && document.activeElement !== host &&
      document.activeElement !== document.body && document.activeElement !== document.documentElement;
    if (outside) return;
    if (shadow.activeElement === input && (input.value || typedLast)) return;
    if (typedLast) { input.focus({ preventScroll: true }); return; }
    var first = currentOptions && currentOptions.querySelector('button');
    (first || input).focus({ preventScroll: true });
  }

  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var today = new Date();
    var opts = { hour: '2-digit', minute: '2-digit' };
    if (d.toDateString() !== today.toDateString()) { opts.month = 'short'; opts.day = 'numeric'; }
    try { return d.toLocaleString(undefined, opts); } catch (e) { return d.toISOString(); }
  }

  function addTime(parent, iso) {
    var text = iso ? formatTime(iso) : '';
    if (!text) return;
    var t = el('time', 'advisor-time', text);
    t.dateTime = iso;
    parent.appendChild(t);
  }

  function renderBotText(bubble, text) {
    var rec = splitRecord(text);
    if (rec) {
      bubble.className += ' advisor-msg-wide';
      if (rec.intro) bubble.appendChild(renderMarkdown(rec.intro));
      bubble.appendChild(renderRecord(rec.record));
    } else {
      bubble.appendChild(renderMarkdown(text));
    }
  }

  // The earlier messages a resume brings (after a reload): the advisor's in its own words
  // (its light Markdown), the user's as plain text; then a divider.
  function showHistory(items) {
    var lastAt = '';
    var shown = 0;
    items.forEach(function (m) {
      if (!m || typeof m.text !== 'string') return;
      var bubble;
      if (m.from === 'user') {
        bubble = el('div', 'advisor-msg advisor-msg-user advisor-msg-past');
        bubble.appendChild(el('p', 'advisor-user-text', m.text));
      } else {
        bubble = el('div', 'advisor-msg advisor-msg-bot advisor-msg-past');
        renderBotText(bubble, m.text);
      }
      if (typeof m.at === 'string' && m.at) { addTime(bubble, m.at); lastAt = m.at; }
      log.appendChild(bubble);
      shown++;
    });
    if (!shown) return;
    var divider = el('div', 'advisor-divider');
    var when = lastAt ? formatTime(lastAt) : '';
    divider.appendChild(el('span', 'advisor-divider-text', 'Welcome back' + (when ? ' \u00B7 you left off at ' + when : '')));
    log.appendChild(divider);
  }

  function showReply(r) {
    if (Array.isArray(r.history) && r.history.length && !log.querySelector('.advisor-msg')) showHistory(r.history);
    var sameTurn = resuming && lastQuestion && lastQuestion.question === r.question && lastQuestion.text === r.text;
    resuming = false;
    setProgress(r.progress);
    if (sameTurn) {
      // A reconnect answered with the turn already on screen: refresh its buttons only.
      var bubbles = log.querySelectorAll('.advisor-msg-bot');
      var lastBubble = bubbles[bubbles.length - 1];
      // A choice queued while offline is about to answer it: no buttons to click twice.
      var row = queue.length ? null : renderOptions(r.options, r.question);
      if (row && lastBubble) lastBubble.appendChild(row);
      focusNewest();
      return;
    }
    var bubble = el('div', 'advisor-msg advisor-msg-bot');
    bubble.setAttribute('data-question', r.question || '');
    if (r.notice) bubble.setAttribute('data-notice', r.notice);
    var text = String(r.text || '');
    var recJson = r.recommendation ? JSON.stringify(r.recommendation) : '';
    if (r.recommendation && recJson !== lastRecommendation) {
      lastRecommendation = recJson;
      bubble.className += ' advisor-msg-wide';
      if (!/^\*\*My recommendation/.test(text)) bubble.appendChild(renderMarkdown(text));
      bubble.appendChild(renderCard(r.recommendation));
    } else {
      renderBotText(bubble, text);
    }
    var row2 = renderOptions(r.options, r.question);
    if (row2) bubble.appendChild(row2);
    log.appendChild(bubble);
    lastQuestion = { question: r.question, text: text };
    scrollToShow(bubble);
    focusNewest();
  }

  // The banner over the conversation: `kind` offline, online or refused.
  function showBanner(kind, text, buttonText) {
    clearTimeout(bannerTimer);
    bannerTimer = null;
    banner.hidden = false;
    banner.setAttribute('data-kind', kind);
    bannerText.textContent = text;
    bannerButton.hidden = !buttonText;
    if (buttonText) bannerButton.textContent = buttonText;
    troubled = kind !== 'online';
    if (troubled) root.setAttribute('data-trouble', kind); else root.removeAttribute('data-trouble');
    send.disabled = kind === 'refused';
    input.disabled = kind === 'refused';
  }

  function hideBanner() {
    clearTimeout(bannerTimer);
    bannerTimer = null;
    banner.hidden = true;
    troubled = false;
    root.removeAttribute('data-trouble');
    send.disabled = false;
    input.disabled = false;
  }

  function setStatus(state, text) {
    status.setAttribute('data-state', state);
    status.textContent = text;
    root.setAttribute('data-connection', state);
  }

  function setBusy(busy) {
    typing.hidden = !busy;
    panel.setAttribute('aria-busy', busy ? 'true' : 'false');
    if (busy) scrollToEnd();
  }

  // ---------------------------------------------------------------------------------------
  // The connection

  function connect() {
    if (ws || !wantConnection || refused) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setStatus('connecting', attempts ? 'Reconnecting\u2026' : 'Connecting\u2026');
    var socket;
    try {
      socket = new WebSocket(wsUrl);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    var opened = false;
    socket.onopen = function () {
      opened = true;
      var start = { type: 'start' };
      var token = storageGet(SESSION_KEY);
      if (token) {
        start.session = token;
        // A page that shows nothing yet (a reload) asks for the earlier messages.
        if (!log.querySelector('.advisor-msg')) start.history = true;
      } else if (framework) start.framework = framework;
      resuming = true;
      inFlight = start;
      setBusy(true);
      socket.send(JSON.stringify(start));
    };
    socket.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (!msg || typeof msg !== 'object') return;
      onFrame(msg);
    };
    socket.onclose = function () {
      if (ws !== socket) return;
      ws = null;
      connected = false;
      setBusy(false);
      // A choice is safe to send again (a double gets stale_option); a text message might be
      // answered twice, so it goes back into the box instead.
      if (inFlight) {
        if (inFlight.type === 'choose') queue.unshift(inFlight);
        else if (inFlight.type === 'message' && !input.value) {
          input.value = inFlight.text;
          addNotice('The connection dropped before your message was answered; it is back in the box.', 'warn');
        }
        inFlight = null;
      }
      // A socket that never opened: the server is down, or it refuses this page's origin
      // (a browser shows a script both the same way): ask it which.
      if (!opened && checkUrl && window.fetch) checkOrigin();
      else scheduleReconnect();
    };
    socket.onerror = function () { /* onclose follows and reconnects */ };
  }

  function checkOrigin() {
    window.fetch(checkUrl, { method: 'GET', mode: 'cors', credentials: 'omit', cache: 'no-store' })
      .then(function (res) {
        if (res.status === 403) showRefused();
        else scheduleReconnect();
      }, function () { scheduleReconnect(); });
  }

  function showRefused() {
    refused = true;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setBusy(false);
    setStatus('refused', 'Not available on this site');
    showBanner('refused', 'The advisor does not accept chats from this site (' + location.origin +
      '). Its owner can allow it in the advisor\u2019s settings.', 'Try again');
  }

  function scheduleReconnect() {
    if (!wantConnection || reconnectTimer || refused) return;
    // With the panel closed and nothing to send, reconnect when the user comes back (an
    // idle page need not hold a connection the server has timed out).
    if (panel.hidden && !queue.length) { setStatus('offline', 'Offline'); return; }
    var base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * Math.pow(2, attempts));
    var delay = Math.round(base / 2 + Math.random() * base / 2);
    attempts++;
    setStatus('offline', 'Offline, retrying\u2026');
    showBanner('offline', 'You are offline: the advisor cannot be reached. Retrying\u2026', 'Retry now');
    reconnectTimer = setTimeout(function () { reconnectTimer = null; connect(); }, delay);
  }

  // "Retry now" (offline) or "Try again" (refused): one attempt at once.
  function retryNow() {
    refused = false;
    attempts = 0;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    wantConnection = true;
    if (!ws) connect();
  }

  function flushQueue() {
    if (!connected || inFlight || !queue.length) return;
    var frame = queue.shift();
    inFlight = frame;
    setBusy(true);
    ws.send(JSON.stringify(frame));
  }

  function onFrame(msg) {
    if (msg.type === 'session') {
      if (msg.session) storageSet(SESSION_KEY, String(msg.session));
      connected = true;
      attempts = 0;
      setStatus('online', 'Online');
      if (troubled) {
        showBanner('online', 'Back online.', null);
        bannerTimer = setTimeout(hideBanner, BACK_ONLINE_MS);
      }
      return;
    }
    if (msg.type === 'reply') {
      inFlight = null;
      setBusy(false);
      showReply(msg);
      flushQueue();
      return;
    }
    if (msg.type === 'error') {
      var code = String(msg.code || 'internal');
      if (code === 'bad_session') {
        // The server does not know our token any more: begin a new conversation.
        storageSet(SESSION_KEY, null);
        lastQuestion = null;
        if (ws && ws.readyState === WebSocket.OPEN) {
          var start = { type: 'start' };
          if (framework) start.framework = framework;
          resuming = true;
          ws.send(JSON.stringify(start));
          return;
        }
      }
      if (code === 'unknown_framework' && ws && ws.readyState === WebSocket.OPEN) {
        framework = '';
        resuming = true;
        ws.send(JSON.stringify({ type: 'start' }));
        return;
      }
      if (code === 'stale_option') {
        // The reply with the current question follows.
        // The server's words (the core's presentation module, as on every channel).
        addNotice(String(msg.message || ERROR_TEXT.stale_option), 'info');
        return;
      }
      inFlight = null;
      setBusy(false);
      addNotice(ERROR_TEXT[code] || String(msg.message || 'Something went wrong.'), 'error');
      if (code === 'unknown_option' && lastQuestion) focusNewest();
      flushQueue();
    }
  }

  function sendFrame(frame) {
    if (queue.length >= MAX_QUEUE) {
      addNotice('Still offline: that message was not sent. Please wait for the connection.', 'warn');
      return false;
    }
    queue.push(frame);
    if (!connected) {
      if (attempts > 0) addNotice('Offline: your message will be sent when the connection is back.', 'warn');
      connect();
      return true;
    }
    flushQueue();
    return true;
  }

  function choose(opt, question) {
    if (refused) return;
    typedLast = false;
    removeOptions();
    addUserMessage(opt.label);
    sendFrame({ type: 'choose', option: opt.id, question: question || '' });
    input.focus({ preventScroll: true });
  }

  function sendText(text) {
    addUserMessage(text);
    sendFrame({ type: 'message', text: text });
  }

  // ---------------------------------------------------------------------------------------
  // Events

  function isFullScreen() {
    return !!(window.matchMedia && window.matchMedia(PHONE_QUERY).matches);
  }

  // Full screen (phones), the panel is modal: Tab and Shift+Tab go round inside it.
  function updateModal() {
    if (isFullScreen()) panel.setAttribute('aria-modal', 'true');
    else panel.removeAttribute('aria-modal');
  }

  function focusables() {
    var scope = confirmBox.hidden ? panel : confirmBox;
    return Array.prototype.filter.call(
      scope.querySelectorAll('button, a[href], input, textarea, select, summary, [tabindex]:not([tabindex="-1"])'),
      function (n) { return !n.disabled && n.getClientRects().length > 0; });
  }

  function trapTab(ev) {
    var list = focusables();
    if (!list.length) return;
    var first = list[0];
    var last = list[list.length - 1];
    var active = shadow.activeElement;
    var inside = list.indexOf(active) >= 0;
    if (ev.shiftKey && (active === first || !inside)) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && (active === last || !inside)) { ev.preventDefault(); first.focus(); }
  }

  function askConfirm(then) {
    afterConfirm = then;
    confirmBox.hidden = false;
    confirmNo.focus({ preventScroll: true });
  }

  function closeConfirm(doIt) {
    var then = afterConfirm;
    afterConfirm = null;
    confirmBox.hidden = true;
    if (doIt && then) then();
    else input.focus({ preventScroll: true });
  }

  function openPanel(focus) {
    if (focus !== false) engaged = true;
    updateModal();
    panel.hidden = false;
    root.classList.add('advisor-open');
    launcher.setAttribute('aria-expanded', 'true');
    storageSet(OPEN_KEY, '1');
    wantConnection = true;
    if (!ws) connect();
    if (focus !== false) focusNewest();
  }

  function closePanel() {
    afterConfirm = null;
    confirmBox.hidden = true;
    panel.hidden = true;
    root.classList.remove('advisor-open');
    launcher.setAttribute('aria-expanded', 'false');
    storageSet(OPEN_KEY, null);
    launcher.focus();
  }

  launcher.addEventListener('click', function () {
    if (panel.hidden) openPanel(); else closePanel();
  });
  closeButton.addEventListener('click', closePanel);
  restartButton.addEventListener('click', function () {
    askConfirm(function () {
      removeOptions();
      typedLast = false;
      sendText('restart');
    });
  });
  confirmYes.addEventListener('click', function () { closeConfirm(true); });
  confirmNo.addEventListener('click', function () { closeConfirm(false); });
  bannerButton.addEventListener('click', retryNow);
  panel.addEventListener('keydown', function (ev) {
    engaged = true;
    if (ev.key === 'Escape') {
      ev.preventDefault();
      if (!confirmBox.hidden) closeConfirm(false); else closePanel();
    } else if (ev.key === 'Tab' && (isFullScreen() || !confirmBox.hidden)) {
      trapTab(ev);
    }
  });
  panel.addEventListener('pointerdown', function () { engaged = true; });
  if (window.matchMedia) {
    var phone = window.matchMedia(PHONE_QUERY);
    if (phone.addEventListener) phone.addEventListener('change', updateModal);
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    typedLast = true;
    sendText(text);
  });
  function reconnectNow() {
    if (ws || !wantConnection || panel.hidden || refused) return;
    attempts = 0;
    connect();
  }
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') reconnectNow();
  });

  function mount() {
    document.body.appendChild(host);
    if (storageGet(OPEN_KEY) === '1' || script.getAttribute('data-advisor-open') === 'true') openPanel(false);
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);

  // A small handle for pages (and tests) that want to drive the widget.
  window.__advisorWidget = {
    open: function () { openPanel(); },
    close: closePanel,
    url: wsUrl,
    get connected() { return connected; },
    // True while a reconnection is scheduled (false once the site is refused).
    get retrying() { return reconnectTimer !== null; }
  };
})();
