// The demo phone (docs/demo.md): a customer's WhatsApp in a page. Everything it sends goes
// through /demo/api (the server turns it into a signed webhook POST); what the business sends
// arrives on the WebSocket /demo/events.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { phone: '', socket: null, retry: 0, shown: new Map(), unread: new Set() };

function randomPhone() {
  let digits = '49151';
  for (let i = 0; i < 8; i++) digits += Math.floor(Math.random() * 10);
  return digits;
}

function status(text) { $('status').textContent = text; }

async function post(path, body) {
  const response = await fetch('/demo/api/' + path, { method: 'POST', body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || ('HTTP ' + response.status));
  return data;
}

async function send(message) {
  try {
    status('');
    await post('send', { phone: state.phone, ...message });
  } catch (error) {
    status('Not sent: ' + error.message);
  }
}

// ---- the chat

const ticks = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠' };
const tickNames = { pending: 'sending', sent: 'sent', delivered: 'delivered', read: 'read', failed: 'not sent' };

function time(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function choiceButtons(items, onPick) {
  const box = document.createElement('div');
  box.className = 'choices';
  for (const item of items) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = item.title;
    if (item.description) button.title = item.description;
    button.addEventListener('click', () => onPick(item));
    box.append(button);
  }
  return box;
}

// A business message: the Cloud API request body the engine sent.
function renderBusiness(bubble, message) {
  const payload = message.payload || {};
  const text = document.createElement('span');
  text.className = 'text';
  bubble.append(text);
  if (payload.type === 'text') {
    text.textContent = payload.text.body;
    return;
  }
  if (payload.type === 'template') {
    // A real phone shows the approved template's text; the demo has only its name and values.
    const t = payload.template || {};
    const values = ((t.components || []).find((c) => c.type === 'body') || { parameters: [] })
      .parameters.map((p) => p.text);
    text.textContent = `[template ${t.name}] ` + values.join(' · ');
    return;
  }
  if (payload.type !== 'interactive') {
    text.textContent = `(${payload.type} message)`;
    return;
  }
  const interactive = payload.interactive;
  text.textContent = interactive.body ? interactive.body.text : '';
  if (interactive.type === 'button') {
    const buttons = interactive.action.buttons.map((b) => b.reply);
    bubble.append(choiceButtons(buttons, (b) =>
      send({ type: 'button_reply', id: b.id, title: b.title, context: message.id })));
  } else if (interactive.type === 'list') {
    const rows = interactive.action.sections.flatMap((s) => s.rows);
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = '☰ ' + (interactive.action.button || 'Choose');
    open.setAttribute('aria-expanded', 'false');
    const list = choiceButtons(rows, (row) => {
      list.hidden = true;  // as WhatsApp closes the list once a row is picked
      open.setAttribute('aria-expanded', 'false');
      send({ type: 'list_reply', id: row.id, title: row.title, context: message.id });
    });
    list.hidden = true;
    list.setAttribute('role', 'group');
    list.setAttribute('aria-label', interactive.action.button || 'Choose');
    open.addEventListener('click', () => {
      list.hidden = !list.hidden;
      open.setAttribute('aria-expanded', String(!list.hidden));
      if (!list.hidden) list.querySelector('button').focus();
    });
    const box = document.createElement('div');
    box.className = 'choices';
    box.append(open);
    bubble.append(box, list);
  } else if (interactive.type === 'location_request_message') {
    bubble.append(choiceButtons([{ title: '📍 Send location' }], () =>
      send({ type: 'location', latitude: 46.4983, longitude: 11.3548 })));
  }
}

function show(message) {
  let bubble = state.shown.get(message.id);
  if (!bubble) {
    bubble = document.createElement('li');
    bubble.className = 'bubble ' + message.from;
    bubble.dataset.id = message.id;
    if (message.from === 'business') {
      renderBusiness(bubble, message);
      if (message.status !== 'read') state.unread.add(message.id);
    } else {
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = message.text;
      bubble.append(text);
    }
    const meta = document.createElement('span');
    meta.className = 'meta';
    bubble.append(meta);
    $('chat').append(bubble);
    state.shown.set(message.id, bubble);
    $('chat').scrollTop = $('chat').scrollHeight;
  }
  setStatus(message.id, message.status, message.time);
}

function setStatus(id, value, at) {
  const bubble = state.shown.get(id);
  if (!bubble) return;
  const meta = bubble.querySelector('.meta');
  if (at) meta.dataset.time = time(at);
  meta.replaceChildren(meta.dataset.time || '');
  if (bubble.classList.contains('customer') && value) {
    bubble.dataset.status = value;
    const tick = document.createElement('span');
    tick.className = 'tick ' + value;
    tick.textContent = ' ' + (ticks[value] || '');
    tick.setAttribute('aria-label', tickNames[value] || value);
    tick.setAttribute('role', 'img');
    meta.append(tick);
  }
}

// Tell the business what the person has seen (blue ticks on their side).
async function markRead() {
  if (document.visibilityState !== 'visible' || !state.unread.size) return;
  const ids = [...state.unread];
  state.unread.clear();
  try { await post('read', { phone: state.phone, ids }); } catch (e) { /* shown as unread */ }
}
document.addEventListener('visibilitychange', markRead);

// ---- the connection

function connect() {
  if (state.socket) { state.socket.onclose = null; state.socket.close(); }
  $('chat').replaceChildren();
  state.shown.clear();
  state.unread.clear();
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/demo/events?phone=${encodeURIComponent(state.phone)}`);
  state.socket = socket;
  socket.onopen = () => { state.retry = 0; status(`Connected as +${state.phone}.`); };
  socket.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === 'history') data.messages.forEach(show);
    else if (data.type === 'message') show(data.message);
    else if (data.type === 'status') setStatus(data.id, data.status);
    markRead();
  };
  socket.onclose = () => {
    if (state.socket !== socket) return;
    status('Disconnected; reconnecting…');
    setTimeout(connect, Math.min(10000, 500 * 2 ** state.retry++));
  };
}

function usePhone(phone) {
  state.phone = phone;
  $('phone').value = phone;
  sessionStorage.setItem('cf.demo.phone', phone);
  connect();
}

$('phone-form').addEventListener('submit', (event) => {
  event.preventDefault();
  usePhone($('phone').value.replace(/\D/g, ''));
});

$('compose').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('message').value;
  if (!text.trim()) return;
  $('message').value = '';
  send({ type: 'text', text });
});

// A click-to-chat link (https://wa.me/NUMBER?text=...) or just its code: like WhatsApp, opening
// it puts the prefilled text in the message box, ready to send (docs/links.md).
$('link-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = $('link').value.trim();
  if (!value) return;
  let text = value;
  try {
    const url = new URL(value);
    text = url.searchParams.get('text') || '';
  } catch (e) { /* a code, not a URL */ }
  $('message').value = text;
  $('message').focus();
  status('The link filled in the message: press Send.');
});

fetch('/demo/api/info').then((r) => r.json()).then((info) => { $('business').textContent = info.business; });
const params = new URLSearchParams(location.search);
usePhone(params.get('phone') || sessionStorage.getItem('cf.demo.phone') || randomPhone());
