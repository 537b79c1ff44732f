// The toolplan console: plain DOM, no framework, no build step. Every string from the API is
// put in the page with textContent; only the server-rendered SVG (the report's renderer,
// which escapes everything) goes in as markup.
import { detailPage } from './detail.js';
import { api, el, follow, say, state, statusCell, token } from './lib.js';

const main = document.getElementById('main');

function showToken() {
  main.replaceChildren(document.getElementById('token-form').content.cloneNode(true));
  document.getElementById('token').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('toolplan.token', document.getElementById('token-value').value);
    route();
  });
}

async function listPage() {
  const table = el('tbody');
  const form = el(
    'form',
    { class: 'inline', 'aria-label': 'new task' },
    el('label', { for: 'new-task', class: 'sr' }, 'New task '),
    el('input', {
      id: 'new-task',
      type: 'text',
      name: 'message',
      required: '',
      placeholder: 'what should be done?',
    }),
    el('button', { type: 'submit' }, 'Start task'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const message = form.elements.message.value;
    const { body } = await api('/v1/tasks', {
      method: 'POST',
      body: JSON.stringify({ message, conversation_id: `c-${Date.now()}` }),
    });
    location.hash = `#/task/${body.id}`;
  });
  main.replaceChildren(
    el('section', { class: 'card' }, el('h2', {}, 'New task'), form),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, 'Runs and tasks'),
      el(
        'table',
        { class: 'list', id: 'runs' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['id', 'kind', 'status', 'title', 'started', 'cost'].map((h) =>
              el('th', { scope: 'col' }, h),
            ),
          ),
        ),
        table,
      ),
    ),
  );
  const signal = state.page.signal;
  const refresh = async () => {
    const { body } = await api('/v1/runs?limit=200');
    table.replaceChildren(
      ...body.map((s) =>
        el(
          'tr',
          { 'data-id': s.id },
          el('td', {}, el('a', { href: `#/${s.kind}/${s.id}` }, s.id)),
          el('td', {}, s.kind),
          el('td', {}, statusCell(s.status)),
          el('td', {}, s.title || ''),
          el('td', {}, s.startedAt ? `${Math.round((Date.now() - s.startedAt) / 1000)} s ago` : ''),
          el('td', {}, s.costUsd !== undefined ? `$${s.costUsd.toFixed(4)}` : ''),
        ),
      ),
    );
  };
  // Live without a reload: every change the server announces asks for the list again
  // (at most every 200 ms); a reconnect asks again too, so a missed change heals.
  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      refresh().catch(() => {});
    }, 200);
  };
  await refresh().catch(() => {});
  await follow('/v1/events', soon, signal, soon);
}

/** A run's or a task's page: graph, timeline, node details, approvals; a task adds the chat. */
function planPage() {
  const area = el(
    'textarea',
    { id: 'plan-text', 'aria-label': 'plan JSON', spellcheck: 'false' },
    '{\n  "version": 1,\n  "nodes": []\n}',
  );
  const file = el('input', {
    type: 'file',
    id: 'plan-file',
    accept: '.json,application/json',
    'aria-label': 'upload a plan',
  });
  const input = el('input', {
    type: 'text',
    id: 'plan-input',
    'aria-label': 'input JSON',
    placeholder: 'input as JSON (optional)',
  });
  const issues = el('ul', { class: 'issues', id: 'issues', 'aria-live': 'polite' });
  const validate = async () => {
    const { body } = await api('/v1/plans/validate', {
      method: 'POST',
      body: JSON.stringify({ plan: area.value }),
    });
    issues.replaceChildren(
      body.valid && !body.issues.length ? el('li', {}, 'valid') : '',
      ...body.issues.map((i) =>
        el('li', { class: i.severity }, `${i.severity} ${i.path || '/'} ${i.code}: ${i.message}`),
      ),
    );
    return body.valid;
  };
  const run = async () => {
    let plan;
    try {
      plan = JSON.parse(area.value);
    } catch (e) {
      issues.replaceChildren(el('li', { class: 'error' }, `not JSON: ${e.message}`));
      return;
    }
    const body = { plan, ...(input.value ? { input: JSON.parse(input.value) } : {}) };
    const r = await api('/v1/runs', { method: 'POST', body: JSON.stringify(body) });
    if (r.status === 400) {
      issues.replaceChildren(
        ...(r.body.issues || []).map((i) =>
          el('li', { class: i.severity || 'error' }, `${i.path || '/'} ${i.code}: ${i.message}`),
        ),
      );
      return;
    }
    location.hash = `#/run/${r.body.id}`;
  };
  file.addEventListener('change', async () => {
    if (file.files[0]) area.value = await file.files[0].text();
  });
  main.replaceChildren(
    el(
      'section',
      { class: 'card' },
      el('h2', {}, 'Plan'),
      area,
      file,
      input,
      el(
        'p',
        {},
        el('button', { type: 'button', id: 'validate', onclick: () => validate() }, 'Validate'),
        ' ',
        el('button', { type: 'button', id: 'run', onclick: () => run() }, 'Run'),
      ),
      issues,
    ),
  );
}

function route() {
  state.page.abort();
  state.page = new AbortController();
  document.body.removeAttribute('data-status');
  say('');
  if (!token()) return showToken();
  const [, kind, id] = location.hash.split('/');
  if (kind === 'plan') return planPage();
  if ((kind === 'run' || kind === 'task') && id)
    return detailPage(kind, decodeURIComponent(id)).catch((e) => say(String(e.message || e)));
  return listPage().catch((e) => say(String(e.message || e)));
}
state.onUnauthorized = showToken;
window.addEventListener('hashchange', route);
route();
