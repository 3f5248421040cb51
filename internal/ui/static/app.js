// wadesk's own script: live updates (SSE), keyboard navigation, the
// composer, the channel wizard and small helpers. No framework, no build.
// Changes owned by other parts of wadesk go through the public JSON API;
// every text from the server is put in the page with textContent or as
// HTML rendered (and escaped) by the server's templates.
(() => {
  'use strict';

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrf = () => $('meta[name="csrf-token"]').content;

  // api calls the JSON API with the session cookie and CSRF header.
  async function api(method, path, body, headers = {}) {
    const opts = { method, credentials: 'same-origin', headers: { ...headers, 'X-CSRF-Token': csrf(), Accept: 'application/json' } };
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    if (!res.ok) {
      const err = (data && data.error) || {};
      const e = new Error(err.message || `The server answered ${res.status}.`);
      e.status = res.status; e.code = err.code; e.fields = err.fields || {};
      throw e;
    }
    return data;
  }

  // fragment fetches server-rendered HTML; null when the answer is 204.
  async function fragment(path) {
    const res = await fetch(path, { credentials: 'same-origin', headers: { 'HX-Request': 'true' } });
    if (res.status === 204) return null;
    if (!res.ok) throw new Error(`fragment ${path}: ${res.status}`);
    const tpl = document.createElement('template');
    tpl.innerHTML = (await res.text()).trim();
    return tpl.content;
  }

  function errorText(e) {
    const fields = Object.entries(e.fields || {}).map(([k, v]) => `${k}: ${v}`).join('; ');
    return fields ? `${e.message} (${fields})` : e.message;
  }

  function toast(msg, kind = 'ok') {
    const p = document.createElement('p');
    p.className = `flash ${kind}`;
    p.setAttribute('role', kind === 'err' ? 'alert' : 'status');
    p.textContent = msg;
    $('#flash').append(p);
    setTimeout(() => p.remove(), 6000);
  }

  function announce(msg) {
    const live = $('#live');
    if (live) live.textContent = msg;
  }

  // ---- the 24-hour window chips count down in place ----
  function tickWindows() {
    const now = Date.now();
    for (const chip of $$('.chip.window.open[data-expires]')) {
      const left = Date.parse(chip.dataset.expires) - now;
      if (left <= 0) {
        chip.className = 'chip window closed';
        chip.textContent = 'window closed';
        continue;
      }
      const h = Math.floor(left / 3600000), m = Math.floor((left % 3600000) / 60000);
      const span = $('.left', chip);
      if (span) span.textContent = h > 0 ? `${h}h ${m}m left` : `${m}m left`;
      chip.classList.toggle('soon', left < 3600000);
    }
  }

  // ---- live updates from /api/v1/events ----
  const list = () => $('#ticket-list');
  const main = () => $('main[data-live]');
  const currentTicket = () => { const m = main(); return m && m.dataset.ticket ? m.dataset.ticket : ''; };

  const pending = new Map();
  function debounce(key, fn, ms = 120) {
    clearTimeout(pending.get(key));
    pending.set(key, setTimeout(() => { pending.delete(key); fn(); }, ms));
  }

  async function refreshRow(id) {
    const ul = list();
    if (!ul) return;
    const qs = new URLSearchParams(ul.dataset.filter || '');
    qs.set('active', ul.dataset.active || '0');
    let frag;
    try { frag = await fragment(`/inbox/rows/${id}?${qs}`); } catch (_) { return; }
    const old = $(`#row-${id}`);
    if (!frag) { if (old) old.remove(); return; }
    const row = frag.querySelector('li.ticket-row');
    if (!row) return;
    const hadFocus = old && old.contains(document.activeElement);
    if (old) old.remove();
    $$('.empty-list', ul).forEach(e => e.remove());
    const last = Number(row.dataset.last);
    const after = $$('li.ticket-row', ul).find(li => Number(li.dataset.last) < last);
    ul.insertBefore(row, after || $('.more', ul) || null);
    if (!old) row.classList.add('flash-in');
    if (hadFocus) $('a', row).focus();
  }

  async function refreshHead() {
    const id = currentTicket();
    const head = $('#ticket-head');
    if (!id || !head) return;
    try {
      const frag = await fragment(`/tickets/${id}/header`);
      if (frag) { head.replaceWith(frag); htmx.process($('#ticket-head')); syncComposerWindow(); tickWindows(); }
    } catch (_) { /* the next event retries */ }
  }

  async function upsertMessage(mid, isNew) {
    const id = currentTicket();
    const chat = $('#chat');
    if (!id || !chat) return;
    let frag;
    try { frag = await fragment(`/tickets/${id}/messages/${mid}`); } catch (_) { return; }
    if (!frag) return;
    const li = frag.querySelector('li.msg');
    if (!li) return;
    const old = $(`#m-${mid}`);
    if (old) { old.replaceWith(li); return; }
    const nearBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 160;
    $$('#no-messages', chat).forEach(e => e.remove());
    li.classList.add('new');
    chat.append(li);
    if (nearBottom || isNew) chat.scrollTop = chat.scrollHeight;
    if (li.classList.contains('in')) {
      announce('New message from the customer: ' + ($('.text', li) ? $('.text', li).textContent : 'an attachment'));
      markRead();
    }
  }

  function markRead() {
    const id = currentTicket();
    if (!id || document.hidden) return;
    debounce('read', () => api('POST', `/api/v1/tickets/${id}/read`).catch(() => {}), 400);
  }

  function live() {
    if (!main() || !window.EventSource) return;
    const es = new EventSource('/api/v1/events');
    const parse = e => { try { return JSON.parse(e.data); } catch (_) { return null; } };
    const onTicket = id => {
      if (!id) return;
      debounce(`row-${id}`, () => refreshRow(id));
      if (String(id) === currentTicket()) debounce('head', refreshHead);
    };
    es.addEventListener('ticket.created', e => { const d = parse(e); if (d) onTicket(d.id); });
    es.addEventListener('ticket.updated', e => { const d = parse(e); if (d) onTicket(d.id); });
    es.addEventListener('message.created', e => {
      const d = parse(e);
      if (!d) return;
      onTicket(d.ticket_id);
      if (String(d.ticket_id) === currentTicket()) upsertMessage(d.id, false);
    });
    es.addEventListener('message.updated', e => {
      const d = parse(e);
      if (d && String(d.ticket_id) === currentTicket()) debounce(`m-${d.id}`, () => upsertMessage(d.id, false), 60);
    });
    // The browser resumes a broken stream with Last-Event-ID and gets what
    // it missed; "resync" means the server no longer has it (the page was
    // away too long): reload, unless a reply is being written.
    es.addEventListener('resync', () => {
      const draft = $('#composer textarea');
      if (draft && draft.value.trim()) {
        toast('Live updates were interrupted. Reload the page to see the latest changes.', 'err');
        return;
      }
      location.reload();
    });
    document.body.dataset.live = 'connecting';
    es.addEventListener('open', () => { document.body.dataset.live = 'on'; });
    es.addEventListener('error', () => { document.body.dataset.live = 'off'; });
    window.addEventListener('pagehide', () => es.close());
  }

  // ---- keyboard: j/k move through the list, Enter opens, / searches ----
  function keyboard() {
    document.addEventListener('keydown', e => {
      const t = e.target;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (t.closest && t.closest('input, textarea, select, [contenteditable]')) {
        if (e.key === 'Escape') t.blur();
        return;
      }
      const links = $$('#ticket-list li.ticket-row > a');
      if (e.key === '/') { const q = $('#q'); if (q) { e.preventDefault(); q.focus(); q.select(); } return; }
      if (e.key !== 'j' && e.key !== 'k') return;
      if (!links.length) return;
      e.preventDefault();
      let i = links.indexOf(document.activeElement);
      if (i < 0) i = links.findIndex(a => a.getAttribute('aria-current') === 'page');
      i = e.key === 'j' ? Math.min(links.length - 1, i + 1) : Math.max(0, i < 0 ? 0 : i - 1);
      links[i].focus();
      links[i].scrollIntoView({ block: 'nearest' });
    });
  }

  // After htmx swapped the filtered list, live updates use the new filter.
  function filters() {
    document.body.addEventListener('htmx:afterSwap', e => {
      const ul = list(), form = $('#filters');
      if (!ul || !form || e.detail.target !== ul) return;
      const qs = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v) qs.set(k, v);
      ul.dataset.filter = qs.toString();
    });
  }

  // ---- composer ----
  function syncComposerWindow() {
    const head = $('#ticket-head'), form = $('#composer');
    if (!head || !form) return;
    const open = head.dataset.windowOpen === 'true';
    if (String(open) === form.dataset.windowOpen) return;
    form.dataset.windowOpen = String(open);
    form.classList.toggle('window-closed', !open);
    const banner = $('#window-banner'), picker = $('#template-picker');
    if (banner) banner.hidden = open;
    if (picker) picker.hidden = open;
    $('#text', form).placeholder = open ? 'Write a reply' : 'Write an internal note (the window is closed)';
  }

  function composer() {
    const form = $('#composer');
    if (!form) return;
    const text = $('#text', form), file = $('#file', form), note = $('#internal', form);
    const err = $('#compose-error', form), send = $('#send', form);
    const replyBox = $('#reply-to', form), replyID = $('#reply_to_id', form);
    // One Idempotency-Key per composed message: a second click or a retry
    // after a timeout replays the first answer instead of sending twice.
    // A new key once the server answered — a success, or a 4xx that
    // created nothing; after a network error or a 5xx (a proxy may have
    // timed out while the message was stored) the same key is kept.
    const sendKey = $('#idempotency_key', form);
    const newSendKey = () => {
      const b = crypto.getRandomValues(new Uint8Array(16));
      sendKey.value = Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
    };
    const tplSelect = $('#tpl-select', form);
    const showErr = msg => { err.textContent = msg; err.hidden = !msg; };

    const autosize = () => { text.style.height = 'auto'; text.style.height = Math.min(text.scrollHeight, 160) + 'px'; };
    text.addEventListener('input', autosize);
    // The customer sees "typing…" while an agent writes a reply (when the
    // channel has typing_indicator on; the server decides and sends at most
    // one per 20 s, so one request per 20 s of typing is enough).
    let typingAt = 0;
    text.addEventListener('input', () => {
      if (note.checked || form.dataset.windowOpen !== 'true' || !text.value.trim()) return;
      if (Date.now() - typingAt < 20000) return;
      typingAt = Date.now();
      api('POST', `/api/v1/tickets/${form.dataset.ticket}/typing`).catch(() => {});
    });
    text.addEventListener('keydown', e => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    note.addEventListener('change', () => form.classList.toggle('as-note', note.checked));

    const showFile = () => {
      const f = file.files[0];
      $('#attachment', form).hidden = !f;
      $('#attachment-name', form).textContent = f ? `Attached: ${f.name} (${Math.ceil(f.size / 1024)} KB)` : '';
    };
    file.addEventListener('change', showFile);
    $('#attachment-clear', form).addEventListener('click', () => { file.value = ''; showFile(); });
    form.addEventListener('dragover', e => { e.preventDefault(); form.classList.add('dragging'); });
    form.addEventListener('dragleave', () => form.classList.remove('dragging'));
    form.addEventListener('drop', e => {
      e.preventDefault();
      form.classList.remove('dragging');
      if (e.dataTransfer.files.length) {
        const dt = new DataTransfer();
        dt.items.add(e.dataTransfer.files[0]); // one attachment per message
        file.files = dt.files;
        showFile();
      }
    });

    document.addEventListener('click', e => {
      const b = e.target.closest('[data-reply]');
      if (!b) return;
      const msg = b.closest('.msg');
      replyID.value = b.dataset.reply;
      $('#reply-to-text', form).textContent = ($('.text', msg) || msg).textContent.trim().slice(0, 120);
      replyBox.hidden = false;
      text.focus();
    });
    $('#reply-cancel', form).addEventListener('click', () => { replyID.value = ''; replyBox.hidden = true; });

    if (tplSelect) {
      tplSelect.addEventListener('change', () => {
        for (const t of $$('.tpl', form)) t.hidden = t.dataset.key !== tplSelect.value;
      });
    }

    // templateBody is the request for the chosen template: JSON, or a
    // multipart form whose file is the template's media header.
    const templateBody = () => {
      const tpl = $$('.tpl', form).find(t => t.dataset.key === tplSelect.value);
      if (!tpl) return null;
      const named = tpl.dataset.named === 'true';
      const body = named ? {} : [];
      const out = { name: tpl.dataset.name, language: tpl.dataset.language };
      const buttons = [];
      let headerFile = null;
      for (const input of $$('input', tpl)) {
        if (input.dataset.kind === 'header-file') {
          headerFile = input.files[0];
          if (!headerFile) throw new Error('Choose the template’s header file.');
          continue;
        }
        const v = input.value.trim();
        if (!v) throw new Error('Fill in every template field.');
        if (input.dataset.kind === 'body') {
          if (named) body[input.dataset.param] = v; else body.push(v);
        } else if (input.dataset.kind === 'header') {
          out.header = { type: 'text', text: v };
        } else if (input.dataset.kind === 'button') {
          buttons.push({ index: Number(input.dataset.index), type: input.dataset.type, value: v });
        }
      }
      if (named ? Object.keys(body).length : body.length) out.params = body;
      if (buttons.length) out.buttons = buttons;
      if (!headerFile) return { template: out };
      const fd = new FormData();
      fd.set('template', JSON.stringify(out));
      fd.set('file', headerFile);
      return fd;
    };

    form.addEventListener('submit', async e => {
      e.preventDefault();
      showErr('');
      const ticket = form.dataset.ticket;
      const open = form.dataset.windowOpen === 'true';
      const picking = tplSelect && !$('#template-picker', form).hidden && tplSelect.value;
      let body;
      try {
        if (picking && !note.checked) {
          body = templateBody();
        } else {
          const t = text.value;
          const f = file.files[0];
          if (!t.trim() && !f) { showErr(note.checked ? 'Write the note first.' : 'Write a message or attach a file.'); return; }
          if (note.checked) {
            if (f) { showErr('Internal notes are text only.'); return; }
            body = { text: t, internal: true };
          } else if (!open) {
            showErr('The 24-hour window is closed: choose a template, or tick “Note” to write an internal note.');
            return;
          } else if (f) {
            body = new FormData();
            body.set('text', t);
            body.set('file', f);
            if (replyID.value) body.set('reply_to_id', replyID.value);
          } else {
            body = { text: t };
            if (replyID.value) body.reply_to_id = replyID.value;
          }
        }
      } catch (ex) { showErr(ex.message); return; }
      send.disabled = true;
      try {
        const m = await api('POST', `/api/v1/tickets/${ticket}/messages`, body, { 'Idempotency-Key': sendKey.value });
        newSendKey();
        text.value = ''; file.value = ''; showFile(); autosize();
        replyID.value = ''; replyBox.hidden = true;
        if (tplSelect) { tplSelect.value = ''; tplSelect.dispatchEvent(new Event('change')); $$('.tpl input', form).forEach(i => { i.value = ''; }); }
        if (m && m.id) await upsertMessage(m.id, true);
      } catch (ex) {
        if (ex.status >= 400 && ex.status < 500) newSendKey();
        showErr(ex.code === 'window_closed' ? 'The 24-hour window has closed: send a template instead.' : errorText(ex));
        if (ex.code === 'window_closed') refreshHead();
      } finally {
        send.disabled = false;
        text.focus();
      }
    });
    if (Number(main().dataset.unread) > 0) markRead();
    const chat = $('#chat');
    if (chat) chat.scrollTop = chat.scrollHeight;
  }

  // ---- buttons that call the API ----
  function actions() {
    document.addEventListener('click', async e => {
      const b = e.target.closest('[data-retry], [data-copy], [data-verify], [data-sync], [data-delete-channel]');
      if (!b) return;
      if (b.dataset.copy) {
        const text = $(b.dataset.copy).textContent.trim();
        try { await navigator.clipboard.writeText(text); } catch (_) {
          const r = document.createRange(); r.selectNodeContents($(b.dataset.copy));
          const s = getSelection(); s.removeAllRanges(); s.addRange(r); document.execCommand('copy');
        }
        const old = b.textContent; b.textContent = 'Copied ✓'; setTimeout(() => { b.textContent = old; }, 1500);
        return;
      }
      b.disabled = true;
      try {
        if (b.dataset.retry) {
          await api('POST', `/api/v1/messages/${b.dataset.retry}/retry`);
          await upsertMessage(b.dataset.retry, false);
        } else if (b.dataset.verify) {
          await api('POST', `/api/v1/channels/${b.dataset.verify}/verify`);
          toast('Checked with Meta.');
          setTimeout(() => location.reload(), 600);
        } else if (b.dataset.sync) {
          const r = await api('POST', `/api/v1/channels/${b.dataset.sync}/templates/sync`);
          const n = r && Array.isArray(r.data) ? r.data.length : null;
          toast(n === null ? 'Templates synced.' : `${n} templates synced.`);
          setTimeout(() => location.reload(), 600);
        } else if (b.dataset.deleteChannel) {
          if (!confirm(`Delete the channel “${b.dataset.name}”? Its tickets stay.`)) return;
          await api('DELETE', `/api/v1/channels/${b.dataset.deleteChannel}`);
          location.href = '/admin/channels';
        }
      } catch (ex) {
        toast(errorText(ex), 'err');
      } finally {
        b.disabled = false;
      }
    });
  }

  // ---- channel settings (wizard step 3 and the edit page) ----
  function channelSettings(form) {
    const v = name => { const el = form.elements[name]; return el ? el.value.trim() : ''; };
    const out = { name: v('name'), group_id: v('group_id') || null, welcome_message: v('welcome_message') };
    const hours = parseFloat(v('reminder_after_hours')) || 20;
    out.reminder = {
      enabled: form.elements.reminder_enabled.checked,
      after_seconds: Math.max(1, Math.min(86399, Math.round(hours * 3600))),
      message: v('reminder_message'),
    };
    return out;
  }

  function formError(section, msg) {
    const p = $('.form-error', section);
    p.textContent = msg || '';
    p.hidden = !msg;
  }

  function channelEdit() {
    const form = $('#channel-edit');
    if (!form) return;
    form.addEventListener('submit', async e => {
      e.preventDefault();
      const body = channelSettings(form);
      body.active = form.elements.active.checked;
      for (const k of ['access_token', 'app_secret']) if (form.elements[k].value) body[k] = form.elements[k].value;
      try {
        await api('PATCH', `/api/v1/channels/${form.dataset.channel}`, body);
        location.href = `/admin/channels/${form.dataset.channel}`;
      } catch (ex) { formError(form, errorText(ex)); }
    });
  }

  // ---- the channel wizard ----
  function wizard() {
    const form = $('#wizard');
    if (!form) return;
    const sections = $$('section[data-step]', form);
    let numbers = [];
    const go = n => {
      sections.forEach(s => { s.hidden = s.dataset.step !== String(n); });
      $$('#wizard-steps li').forEach(li => {
        const k = Number(li.dataset.step);
        if (k === n) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
        li.classList.toggle('done', k < n);
      });
      const first = $(`section[data-step="${n}"] input, section[data-step="${n}"] select`, form);
      if (first) first.focus();
    };
    const cred = () => ({ access_token: form.elements.access_token.value.trim(), app_secret: form.elements.app_secret.value.trim(), waba_id: form.elements.waba_id.value.trim() });

    const renderNumbers = () => {
      const box = $('#numbers');
      box.replaceChildren();
      numbers.forEach((n, i) => {
        const label = document.createElement('label');
        label.className = 'number-option';
        const input = document.createElement('input');
        input.type = 'radio'; input.name = 'phone_number_id'; input.value = n.id; input.checked = i === 0;
        const text = document.createElement('span');
        const strong = document.createElement('strong'); strong.textContent = n.display || n.id;
        const small = document.createElement('span'); small.className = 'muted small';
        small.textContent = [n.name, n.quality && `quality ${n.quality}`, `id ${n.id}`].filter(Boolean).join(' · ');
        text.append(strong, small);
        label.append(input, text);
        box.append(label);
      });
    };

    form.addEventListener('click', async e => {
      const b = e.target.closest('[data-next], [data-back]');
      if (!b) return;
      if (b.dataset.back) { go(Number(b.dataset.back)); return; }
      const sec = b.closest('section');
      formError(sec, '');
      if (b.dataset.next === 'lookup') {
        const c = cred();
        if (!c.access_token || !c.app_secret || !c.waba_id) { formError(sec, 'All three values are needed.'); return; }
        b.disabled = true;
        try {
          const r = await api('POST', '/api/v1/channels/lookup', { access_token: c.access_token, waba_id: c.waba_id });
          const list = Array.isArray(r) ? r : (r && (r.data || r.phone_numbers)) || [];
          numbers = list.map(n => ({
            id: n.phone_number_id || n.id, display: n.display_phone_number, name: n.verified_name, quality: n.quality_rating,
          })).filter(n => n.id);
          if (!numbers.length) { formError(sec, 'This WhatsApp Business Account has no phone numbers yet. Add one in WhatsApp Manager first.'); return; }
          renderNumbers();
          go(2);
        } catch (ex) {
          formError(sec, ex.status === 422 || ex.code === 'invalid_credentials' ? `Meta refused these credentials: ${ex.message}` : errorText(ex));
        } finally { b.disabled = false; }
      } else if (b.dataset.next === 'settings') {
        const picked = form.elements.phone_number_id;
        const id = picked && (picked.value || (picked.length && Array.from(picked).find(r => r.checked)?.value));
        if (!id) { formError(sec, 'Pick a phone number.'); return; }
        const n = numbers.find(x => x.id === id);
        if (n && !form.elements.name.value) form.elements.name.value = n.name || n.display || '';
        go(3);
      }
    });

    form.addEventListener('submit', async e => {
      e.preventDefault();
      const sec = $('section[data-step="3"]', form);
      formError(sec, '');
      const picked = Array.from(form.querySelectorAll('input[name="phone_number_id"]')).find(r => r.checked);
      const body = Object.assign(cred(), channelSettings(form), { phone_number_id: picked ? picked.value : '' });
      if (!body.welcome_message) delete body.welcome_message;
      if (!body.group_id) delete body.group_id;
      const save = $('#wizard-save');
      save.disabled = true;
      save.textContent = 'Checking with Meta…';
      try {
        const ch = await api('POST', '/api/v1/channels', body);
        location.href = `/admin/channels/${ch.id}?created=1`;
      } catch (ex) {
        formError(sec, ex.code === 'invalid_credentials' ? `Meta refused these credentials: ${ex.message}` : errorText(ex));
        save.disabled = false;
        save.textContent = 'Save and check credentials';
      }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    tickWindows();
    setInterval(tickWindows, 30000);
    keyboard();
    filters();
    actions();
    composer();
    channelEdit();
    wizard();
    live();
  });
})();
