// The simulator's customer phone: everything goes through the JSON
// control API; every text is shown with textContent.
(() => {
  'use strict';
  const $ = s => document.querySelector(s);
  let state = { numbers: [], customers: [] };
  let lastRender = '';
  const sel = { number: '', customer: '' };

  async function call(method, path, body) {
    const res = await fetch(path, {
      method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
    return data;
  }

  function option(value, text) { const o = document.createElement('option'); o.value = value; o.textContent = text; return o; }

  async function loadState() {
    state = await call('GET', '/_sim/state');
    const numbers = state.numbers || [], customers = (state.customers || []).filter(c => c.wa_id);
    $('#number').replaceChildren(...numbers.map(n => option(n.id, `${n.verified_name || 'Business'} · ${n.display_phone_number}`)));
    $('#customer').replaceChildren(...customers.map(c => option(c.wa_id, `${c.name || 'Customer'} · +${c.wa_id}`)));
    const params = new URLSearchParams(location.search);
    sel.number = pick($('#number'), sel.number || params.get('number'));
    sel.customer = pick($('#customer'), sel.customer || params.get('customer'));
    header();
  }

  function pick(select, want) {
    if (want && Array.from(select.options).some(o => o.value === want)) select.value = want;
    return select.value;
  }

  function header() {
    const n = (state.numbers || []).find(x => x.id === sel.number);
    $('#biz-name').textContent = n ? (n.verified_name || 'Business') : 'No business number';
    $('#biz-phone').textContent = n ? n.display_phone_number : '';
  }

  // describe turns a stored message into what a phone would show.
  function describe(m) {
    const p = m.payload || {};
    const out = { kind: '', body: '', buttons: [], image: false };
    switch (m.type) {
      case 'text': out.body = (p.text && p.text.body) || ''; break;
      case 'image': case 'sticker': case 'video': case 'document': case 'audio': {
        const media = p[m.type] || {};
        out.kind = { image: '🖼 Photo', sticker: '🙂 Sticker', video: '🎬 Video', document: '📄 ' + (media.filename || 'Document'), audio: '🎤 Audio' }[m.type];
        out.image = m.type === 'image';
        out.body = media.caption || '';
        break;
      }
      case 'location': {
        const l = p.location || {};
        out.kind = '📍 Location';
        out.body = [l.name, l.address, `${l.latitude}, ${l.longitude}`].filter(Boolean).join('\n');
        break;
      }
      case 'template': {
        const t = p.template || {};
        out.kind = `Template · ${t.name || m.template || ''}`;
        const params = [];
        for (const c of t.components || []) for (const x of c.parameters || []) params.push(x.text || x.parameter_name || '');
        out.body = params.length ? params.join(' · ') : '';
        break;
      }
      case 'interactive': {
        const i = p.interactive || {};
        out.body = (i.body && i.body.text) || '';
        const btns = (i.action && i.action.buttons) || [];
        out.buttons = btns.map(b => (b.reply && b.reply.title) || b.title || '');
        break;
      }
      case 'contacts': out.kind = '👤 Contact'; out.body = ((p.contacts || [])[0] || {}).name?.formatted_name || ''; break;
      case 'button': out.body = (p.button && p.button.text) || ''; break;
      default: out.kind = m.type;
    }
    return out;
  }

  function ticks(m) {
    const map = { accepted: ['✓', ''], sent: ['✓', ''], delivered: ['✓✓', ''], read: ['✓✓', 'tick-read'], played: ['✓✓', 'tick-read'], failed: ['!', 'tick-failed'], received: ['✓✓', ''] };
    return map[m.status] || ['', ''];
  }

  function render(list) {
    const reactions = {};
    const shown = list.filter(m => {
      if (m.type === 'reaction') { const r = (m.payload || {}).reaction || {}; if (r.message_id) reactions[r.message_id] = r.emoji; return false; }
      return m.type !== 'typing_indicator';
    });
    const key = JSON.stringify(shown.map(m => [m.id, m.status])) + JSON.stringify(reactions);
    if (key === lastRender) return;
    lastRender = key;
    const chat = $('#chat');
    const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
    const items = shown.map(m => {
      const d = describe(m);
      const li = document.createElement('li');
      li.className = `msg ${m.direction}${m.status === 'failed' ? ' failed' : ''}`;
      li.dataset.id = m.id;
      li.dataset.status = m.status;
      if (d.image) { const t = document.createElement('div'); t.className = 'thumb'; t.textContent = '🖼'; li.append(t); }
      if (d.kind) { const k = document.createElement('div'); k.className = 'kind'; k.textContent = d.kind; li.append(k); }
      if (d.body) { const b = document.createElement('div'); b.className = 'body'; b.textContent = d.body; li.append(b); }
      if (d.buttons.length) {
        const bs = document.createElement('div'); bs.className = 'buttons';
        for (const t of d.buttons) { const s = document.createElement('span'); s.textContent = t; bs.append(s); }
        li.append(bs);
      }
      const meta = document.createElement('div'); meta.className = 'meta';
      const time = document.createElement('time'); time.textContent = new Date(m.time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      meta.append(time);
      const [mark, cls] = ticks(m);
      if (mark) { const s = document.createElement('span'); s.className = `tick ${cls}`; s.textContent = mark; s.title = m.status; meta.append(s); }
      li.append(meta);
      if (m.error) { const e = document.createElement('div'); e.className = 'kind'; e.textContent = `Failed: ${m.error.title || m.error.message || m.error.code}`; li.append(e); }
      if (reactions[m.id]) { const r = document.createElement('span'); r.className = 'react'; r.textContent = reactions[m.id]; li.append(r); }
      return li;
    });
    chat.replaceChildren(...items);
    if (atBottom) chat.scrollTop = chat.scrollHeight;
  }

  async function poll() {
    if (sel.number && sel.customer) {
      try {
        const q = new URLSearchParams({ phone_number_id: sel.number, customer: sel.customer });
        const r = await call('GET', `/_sim/messages?${q}`);
        render(r.data || []);
      } catch (_) { /* the simulator may be restarting */ }
    }
    setTimeout(poll, 800);
  }

  function showErr(msg) { const e = $('#send-err'); e.textContent = msg || ''; e.hidden = !msg; }

  async function send(body) {
    showErr('');
    if (!sel.number || !sel.customer) { showErr('Pick a business number and a customer first.'); return; }
    const c = (state.customers || []).find(x => x.wa_id === sel.customer) || {};
    try {
      await call('POST', '/_sim/inbound', Object.assign({ phone_number_id: sel.number, from: sel.customer, name: c.name || '' }, body));
      lastRender = '';
    } catch (e) { showErr(e.message); }
  }

  function toBase64(file) {
    return new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result).split(',')[1]);
      r.onerror = () => reject(r.error);
      r.readAsDataURL(file);
    });
  }

  document.addEventListener('DOMContentLoaded', async () => {
    try { await loadState(); } catch (e) { showErr(`Cannot reach the simulator: ${e.message}`); }
    $('#number').addEventListener('change', e => { sel.number = e.target.value; lastRender = ''; header(); });
    $('#customer').addEventListener('change', e => { sel.customer = e.target.value; lastRender = ''; });
    $('#send').addEventListener('submit', async e => {
      e.preventDefault();
      const t = $('#text').value;
      if (!t.trim()) return;
      $('#text').value = '';
      await send({ type: 'text', text: t });
    });
    const menu = $('#menu'), more = $('#more');
    more.addEventListener('click', () => { menu.hidden = !menu.hidden; more.setAttribute('aria-expanded', String(!menu.hidden)); });
    const close = () => { menu.hidden = true; more.setAttribute('aria-expanded', 'false'); };
    $('#sample').addEventListener('click', async () => { close(); await send({ type: 'image', media: { mime_type: 'image/jpeg', caption: $('#text').value } }); $('#text').value = ''; });
    $('#location').addEventListener('click', async () => {
      close();
      await send({ type: 'location', location: { latitude: 52.52186, longitude: 13.41311, name: 'Alexanderplatz', address: '10178 Berlin, Germany' } });
    });
    $('#picture').addEventListener('change', async e => {
      close();
      const f = e.target.files[0];
      if (!f) return;
      if (f.size > 5 * 1024 * 1024) { showErr('Pictures up to 5 MB.'); return; }
      await send({ type: 'image', media: { data: await toBase64(f), mime_type: f.type || 'image/jpeg', caption: $('#text').value } });
      $('#text').value = '';
      e.target.value = '';
    });
    $('#new-customer-form').addEventListener('submit', async e => {
      e.preventDefault();
      const err = $('#nc-err');
      err.hidden = true;
      const wa = $('#nc-phone').value.replace(/\D/g, '');
      try {
        await call('POST', '/_sim/customers', { wa_id: wa, name: $('#nc-name').value.trim() });
        sel.customer = wa;
        await loadState();
        lastRender = '';
        $('#new-customer').open = false;
      } catch (ex) { err.textContent = ex.message; err.hidden = false; }
    });
    poll();
  });
})();
