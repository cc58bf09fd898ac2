// The agent console: plain JavaScript on the JSON API (/api/...) and the push (/api/events).
// docs/handoff.md describes both. No framework, no build step: served as written.
'use strict';

const $ = (id) => document.getElementById(id);
const state = {
  token: sessionStorage.getItem('cf.token'),
  agent: JSON.parse(sessionStorage.getItem('cf.agent') || 'null'),
  queues: [],
  tickets: [],
  open: null,        // the ticket shown (as the API returned it, with transcript, contact, window)
  socket: null,
  retry: 0,
  refreshTimer: 0,
  templates: [],     // GET /api/templates: what may be sent once the 24-hour window has passed
  states: null,      // GET /api/tickets/{id}/states of the ticket shown: where a hand-back may go
};

// ---- the API

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  const response = await fetch('/api/' + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch (e) { /* an empty or non-JSON answer */ }
  if (response.status === 401 && path !== 'login') { loggedOut('Your session has ended: log in again.'); }
  if (!response.ok) {
    const error = new Error(data.error || ('HTTP ' + response.status));
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

// ---- logging in and out

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    const data = await api('POST', 'login', { name: $('login-name').value, password: $('login-password').value });
    state.token = data.token;
    state.agent = data.agent;
    sessionStorage.setItem('cf.token', data.token);
    sessionStorage.setItem('cf.agent', JSON.stringify(data.agent));
    $('login-password').value = '';
    start();
  } catch (error) {
    $('login-error').textContent = error.status === 429
      ? 'Too many failed logins: wait a moment and try again.'
      : (error.status === 401 ? 'Wrong name or password.' : error.message);
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', 'logout'); } catch (e) { /* ended anyway */ }
  loggedOut('');
});

function loggedOut(message) {
  state.token = null;
  sessionStorage.removeItem('cf.token');
  sessionStorage.removeItem('cf.agent');
  if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; }
  $('desk').hidden = true;
  $('logout').hidden = true;
  $('who').hidden = true;
  $('live').textContent = '';
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('login-name').focus();
}

function start() {
  $('login').hidden = true;
  $('desk').hidden = false;
  $('logout').hidden = false;
  $('who').hidden = false;
  $('who').textContent = state.agent ? `${state.agent.name} (${state.agent.role})` : '';
  connect();
  refreshQueues();
  loadTemplates();
}

// ---- the push

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/api/events`);
  state.socket = socket;
  socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', token: state.token }));
  socket.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === 'ready') {
      state.retry = 0;
      setLive(true);
      refreshQueues();  // whatever happened while the socket was down
      if (state.open) openTicket(state.open.ticket.id, { quiet: true });
      return;
    }
    onEvent(event);
  };
  socket.onclose = (close) => {
    setLive(false);
    if (state.socket !== socket) return;
    state.socket = null;
    if (close.code === 4401) return loggedOut('Your session has ended: log in again.');
    // Reconnect with backoff (the server closes slow readers and stops with 1001).
    const delay = Math.min(30000, 500 * 2 ** state.retry++);
    setTimeout(() => { if (state.token && !state.socket) connect(); }, delay);
  };
}

function setLive(on) {
  $('live').textContent = on ? 'Live' : 'Reconnecting…';
  $('live').className = 'live ' + (on ? 'on' : 'off');
}

function onEvent(event) {
  scheduleRefresh();
  const open = state.open && state.open.ticket;
  if (open && event.contact === open.contact) openTicket(open.id, { quiet: true });
}

// Many events can arrive together (a customer typing fast): one refresh for them.
function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(() => { state.refreshTimer = 0; refreshQueues(); }, 150);
}

// ---- queues

async function refreshQueues() {
  try {
    const [queues, tickets] = await Promise.all([api('GET', 'queues'), api('GET', 'tickets')]);
    state.queues = queues.queues;
    state.tickets = tickets.tickets;
    renderQueues();
  } catch (error) {
    if (error.status !== 401) $('live').textContent = 'Could not load the queues: ' + error.message;
  }
}

function waited(since) {
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 60000));
  if (minutes < 1) return 'waiting under a minute';
  if (minutes < 120) return `waiting ${minutes} min`;
  return `waiting ${Math.round(minutes / 60)} h`;
}

function renderQueues() {
  const box = $('queues');
  box.replaceChildren();
  for (const queue of state.queues) {
    const section = document.createElement('section');
    section.className = 'queue';
    const heading = document.createElement('h3');
    heading.textContent = `${queue.title || queue.name} — ${queue.waiting} waiting, ${queue.claimed} claimed`;
    section.append(heading);
    const list = document.createElement('ul');
    for (const ticket of state.tickets.filter((t) => t.queue === queue.name)) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'plain ticket';
      button.dataset.ticket = ticket.id;
      if (state.open && state.open.ticket.id === ticket.id) button.setAttribute('aria-current', 'true');
      const prio = document.createElement('span');
      prio.className = 'prio prio-' + ticket.priority;
      prio.textContent = ticket.priority;
      const note = document.createElement('span');
      note.className = 'note';
      note.textContent = ticket.note || '(no note)';
      const meta = document.createElement('span');
      meta.className = 'meta';
      meta.textContent = `+${ticket.contact} · ${waited(ticket.since)} · ` +
        (ticket.state === 'claimed' ? `claimed by ${ticket.agent}` : 'waiting');
      button.append(prio, note, meta);
      button.addEventListener('click', () => openTicket(ticket.id));
      item.append(button);
      list.append(item);
    }
    if (!list.children.length) {
      const empty = document.createElement('li');
      empty.className = 'hint';
      empty.textContent = 'No chats waiting.';
      list.append(empty);
    }
    section.append(list);
    box.append(section);
  }
  const select = $('transfer-queue');
  const chosen = select.value;
  select.replaceChildren(new Option('—', ''), ...state.queues.map((q) => new Option(q.title || q.name, q.name)));
  select.value = chosen;
}
setInterval(() => { if (state.token && !$('desk').hidden) renderQueues(); }, 30000);  // waiting times

// ---- one chat

async function openTicket(id, { quiet = false } = {}) {
  try {
    const data = await api('GET', `tickets/${id}`);
    const first = !state.open || state.open.ticket.id !== id;
    state.open = data;
    if (first) loadStates(id);
    renderTicket(first);
    if (first) renderQueues();
    if (first && !quiet) $('chat').focus();
  } catch (error) {
    if (!quiet) $('action-error').textContent = error.message;
  }
}

function renderTicket(first) {
  const { ticket, transcript, contact, window: win } = state.open;
  const mine = ticket.state === 'claimed' && state.agent && ticket.agent === state.agent.name;
  const closed = ticket.state === 'closed';
  $('chat-hint').hidden = true;
  $('chat-body').hidden = false;
  $('chat-title').textContent = `Chat with +${ticket.contact}`;
  $('chat-state').textContent = closed
    ? `Closed (${ticket.outcome || 'closed'}).`
    : (ticket.state === 'claimed' ? `Claimed by ${ticket.agent}.` : `Waiting in ${ticket.queue}, ${waited(ticket.since)}.`) +
      ` Priority ${ticket.priority}. ${ticket.note || ''}`;
  $('claim').disabled = closed || ticket.state !== 'waiting';
  $('release').disabled = closed || ticket.state !== 'claimed';
  $('close').disabled = closed;
  for (const form of ['transfer-form', 'handback-form']) {
    for (const control of $(form).elements) control.disabled = closed;
  }
  if (first) $('action-error').textContent = '';

  // The transcript: append what is new (so aria-live announces only new messages), update
  // delivery states in place.
  const list = $('transcript');
  if (first) list.replaceChildren();
  for (const entry of transcript) {
    let item = list.querySelector(`[data-entry="${entry.id}"]`);
    if (!item) {
      item = document.createElement('li');
      item.dataset.entry = entry.id;
      item.className = 'msg ' + entry.author + (entry.kind === 'template' ? ' template' : '');
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = entry.text || `(${entry.kind})`;
      const meta = document.createElement('span');
      meta.className = 'meta';
      item.append(text, meta);
      list.append(item);
      list.scrollTop = list.scrollHeight;
    }
    const who = entry.author === 'agent' ? (entry.agent || 'agent') : 'customer';
    const time = new Date(entry.time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    item.querySelector('.meta').textContent =
      `${who} · ${time}` + (entry.author === 'agent' ? ` · ${entry.delivery || 'pending'}` : '');
    if (entry.author === 'agent') item.dataset.delivery = entry.delivery || 'pending';
  }

  // The customer's captured fields and consents, beside the transcript.
  const fields = $('fields');
  fields.replaceChildren();
  for (const [name, field] of Object.entries(contact.fields || {})) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = `${field.value} (for ${field.purpose})`;
    fields.append(dt, dd);
  }
  if (!fields.children.length) fields.append(Object.assign(document.createElement('dd'), { textContent: 'No fields captured.' }));
  const consents = $('consents');
  consents.replaceChildren();
  for (const consent of contact.consents || []) {
    const li = document.createElement('li');
    li.textContent = `${consent.notice} v${consent.version}: granted ${consent.purposes.join(', ')} on ` +
      new Date(consent.granted).toLocaleString();
    consents.append(li);
  }
  if (!consents.children.length) consents.append(Object.assign(document.createElement('li'), { textContent: 'No consent given.' }));

  // The 24-hour window: free text only while it is open.
  const open = win && win.open;
  $('window').textContent = open
    ? `Free-text replies allowed until ${new Date(win.closes_at).toLocaleString()}.`
    : 'The 24-hour window has passed.';
  $('reply-form').hidden = !open || closed;
  for (const control of $('reply-form').elements) control.disabled = !mine;
  $('template-form').hidden = open || closed;
  $('window-note').textContent = open ? '' :
    'The customer last wrote more than 24 hours ago: WhatsApp allows only approved template messages now, until they write again.' +
    (mine ? '' : ' Claim the chat to send one.');
  const usable = mine && state.templates.length > 0;
  for (const control of $('template-form').elements) control.disabled = !usable;
}

async function act(action, body) {
  $('action-error').textContent = '';
  const id = state.open.ticket.id;
  try {
    await api('POST', `tickets/${id}/${action}`, body);
    await openTicket(id, { quiet: true });
    refreshQueues();
    return true;
  } catch (error) {
    $('action-error').textContent = error.status === 409 && error.data && error.data.window_open === false
      ? 'The 24-hour window has passed: only template messages can be sent.'
      : error.message;
    if (state.open) openTicket(id, { quiet: true });
    return false;
  }
}

$('claim').addEventListener('click', () => act('claim'));
$('release').addEventListener('click', () => act('release'));
$('close').addEventListener('click', () => {
  if (confirm('Close this chat? The conversation ends.')) act('close');
});
$('transfer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const agent = $('transfer-agent').value.trim();
  const queue = $('transfer-queue').value;
  if (!agent && !queue) { $('action-error').textContent = 'Pick a queue or name an agent.'; return; }
  act('transfer', agent ? { agent } : { queue });
});
$('handback-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const chosen = $('handback-state').value;
  if (!chosen) { $('action-error').textContent = 'Pick the state the bot continues from.'; return; }
  act('handback', { state: chosen });
});
$('reply-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('reply-text').value;
  if (!text.trim()) return;
  if (await act('reply', { text })) $('reply-text').value = '';
});
$('reply-text').addEventListener('keydown', (event) => {
  // Ctrl+Enter sends; Enter alone makes a new line.
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('reply-form').requestSubmit();
});

// ---- hand-back states: the ticket's flow's states, from the API

async function loadStates(id) {
  const select = $('handback-state');
  select.replaceChildren(new Option('Loading states…', ''));
  try {
    const data = await api('GET', `tickets/${id}/states`);
    if (!state.open || state.open.ticket.id !== id) return;  // another chat was opened meanwhile
    state.states = data;
    select.replaceChildren(new Option('— pick a state —', ''),
      ...data.states.map((name) => new Option(name === data.start ? `${name} (start)` : name, name)));
  } catch (error) {
    state.states = null;
    select.replaceChildren(new Option('States unavailable: ' + error.message, ''));
  }
}

// ---- templates: after the 24-hour window

async function loadTemplates() {
  try {
    state.templates = (await api('GET', 'templates')).templates;
  } catch (error) {
    state.templates = [];
  }
  const select = $('template-name');
  if (!state.templates.length) {
    select.replaceChildren(new Option('No templates are set up on this server', ''));
  } else {
    select.replaceChildren(...state.templates.map((t, i) => new Option(`${t.name} (${t.language})`, String(i))));
  }
  renderTemplateParams();
  if (state.open) renderTicket(false);
}

function chosenTemplate() {
  return state.templates[Number($('template-name').value)] || null;
}

// One labelled input per {{n}} of the chosen template, and a preview of what the customer reads.
function renderTemplateParams() {
  const box = $('template-params');
  const t = chosenTemplate();
  for (const old of box.querySelectorAll('.param')) old.remove();
  box.hidden = !t || t.params === 0;
  for (let i = 1; t && i <= t.params; i++) {
    const label = document.createElement('label');
    label.className = 'param';
    label.htmlFor = `template-param-${i}`;
    label.textContent = `{{${i}}}`;
    const input = document.createElement('input');
    input.className = 'param';
    input.id = `template-param-${i}`;
    input.required = true;
    input.maxLength = 1024;
    input.disabled = $('template-name').disabled;
    input.addEventListener('input', renderTemplatePreview);
    box.append(label, input);
  }
  renderTemplatePreview();
}

function templateValues() {
  return [...$('template-params').querySelectorAll('input.param')].map((input) => input.value);
}

function renderTemplatePreview() {
  const t = chosenTemplate();
  const values = templateValues();
  $('template-preview').textContent = t
    ? t.body.replace(/\{\{(\d+)\}\}/g, (match, n) => values[n - 1] || match)
    : '';
}

$('template-name').addEventListener('change', renderTemplateParams);
$('template-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const t = chosenTemplate();
  if (!t) return;
  if (await act('template', { name: t.name, language: t.language, params: templateValues() })) {
    for (const input of $('template-params').querySelectorAll('input.param')) input.value = '';
    renderTemplatePreview();
  }
});

if (state.token) start(); else $('login-name').focus();
