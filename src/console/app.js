// The toolplan console: plain DOM, no framework, no build step. Every string from the API is
// put in the page with textContent; only the server-rendered SVG (the report's renderer,
// which escapes everything) goes in as markup.
(() => {
  const main = document.getElementById('main');
  const statusLine = document.getElementById('status');
  let page = new AbortController();

  const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fromHash) {
    sessionStorage.setItem('toolplan.token', decodeURIComponent(fromHash[1]));
    history.replaceState(null, '', `${location.pathname}#/`);
  }
  const token = () => sessionStorage.getItem('toolplan.token') || '';

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    }
    for (const c of children)
      if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const json = (v) => JSON.stringify(v, null, 2);
  const say = (text) => {
    statusLine.textContent = text;
  };

  async function api(path, init) {
    const res = await fetch(path, {
      ...init,
      signal: init?.signal ?? page.signal,
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
    });
    if (res.status === 401) {
      sessionStorage.removeItem('toolplan.token');
      showToken();
      throw new Error('the token was refused');
    }
    const body = await res.json();
    if (!res.ok && res.status !== 400)
      throw new Error(body?.error?.message || `HTTP ${res.status}`);
    return { status: res.status, body };
  }

  /** Server-Sent Events over fetch (EventSource cannot send the token), resumed by Last-Event-ID. */
  async function follow(path, onEvent, signal, onConnect) {
    let last = -1;
    while (!signal.aborted) {
      try {
        const headers = { authorization: `Bearer ${token()}` };
        if (last >= 0) headers['last-event-id'] = String(last);
        const res = await fetch(path, { headers, signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        say('');
        onConnect?.();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += value;
          let cut = buf.indexOf('\n\n');
          while (cut >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            let id;
            let type = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('id:')) id = Number(line.slice(3).trim());
              else if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (id !== undefined) last = id;
            if (data) onEvent(type, JSON.parse(data));
            cut = buf.indexOf('\n\n');
          }
        }
      } catch {
        if (signal.aborted) return;
        say('reconnecting…');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  function showToken() {
    main.replaceChildren(document.getElementById('token-form').content.cloneNode(true));
    document.getElementById('token').addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem('toolplan.token', document.getElementById('token-value').value);
      route();
    });
  }

  function statusCell(s) {
    return el('span', { class: `st ${s}` }, s);
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
    const signal = page.signal;
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
            el(
              'td',
              {},
              s.startedAt ? `${Math.round((Date.now() - s.startedAt) / 1000)} s ago` : '',
            ),
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
  async function detailPage(kind, id) {
    const signal = page.signal;
    const head = el('h2', {}, `${kind} ${id}`);
    const summaryLine = el('p', { id: 'summary', 'aria-live': 'polite' });
    const approvals = el('div', { id: 'approvals', 'aria-live': 'assertive' });
    const plans = el('div', { id: 'plans' });
    const detail = el(
      'div',
      { id: 'detail', class: 'detail' },
      el('p', { class: 'none' }, 'Click a node for its arguments, output or error.'),
    );
    const events = el('ol', { class: 'events', id: 'events', 'aria-label': 'events' });
    const chat = el('div', { class: 'chat', id: 'chat' });
    const sections = [el('section', { class: 'card' }, head, summaryLine, approvals)];
    if (kind === 'task')
      sections.push(el('section', { class: 'card' }, el('h3', {}, 'Chat'), chat));
    sections.push(
      el('section', { class: 'card' }, el('h3', {}, 'Plan'), el('div', { id: 'legend' }), plans),
      el('section', { class: 'card' }, el('h3', {}, 'Node'), detail),
      el('section', { class: 'card' }, el('h3', {}, 'Events'), events),
    );
    main.replaceChildren(...sections);
    let nodes = new Map();
    let summary;
    // The answer as the LLM writes it (`llm.text` events), until the task's answer is in.
    let liveText = '';
    plans.addEventListener('click', (e) => {
      const g = e.target.closest('[data-node]');
      if (!g) return;
      const found = [...nodes.values()].filter((n) => n.node === g.getAttribute('data-node'));
      detail.replaceChildren(
        ...found.map((n) =>
          el(
            'div',
            {},
            el(
              'h4',
              {},
              `${n.key} · ${n.kind || ''} ${n.tool || ''} · ${n.status} · ${n.attempts} attempt(s) · ${n.startMs ?? '?'}–${n.endMs ?? '?'} ms`,
            ),
            n.args !== undefined
              ? el('div', {}, el('b', {}, 'arguments'), el('pre', {}, json(n.args)))
              : null,
            n.output !== undefined
              ? el('div', {}, el('b', {}, 'output'), el('pre', {}, json(n.output)))
              : null,
            n.error
              ? el(
                  'div',
                  {},
                  el('b', {}, 'error'),
                  el('pre', { class: 'err' }, `${n.error.name}: ${n.error.message}`),
                )
              : null,
          ),
        ),
      );
    });
    const decide = async (node, approved) => {
      await api(`/v1/${kind}s/${id}/approvals`, {
        method: 'POST',
        body: JSON.stringify({ node, approved }),
      });
      approvals.replaceChildren(
        el('p', {}, `${approved ? 'approved' : 'denied'} ${node}; continuing…`),
      );
    };
    const drawApprovals = () => {
      const waiting = summary?.waiting || [];
      approvals.replaceChildren(
        ...waiting.map((w) =>
          el(
            'div',
            { class: 'approval', 'data-approval': w.key },
            el('p', {}, el('b', {}, w.key), ` wants to call `, el('code', {}, w.tool), ' with:'),
            el('pre', {}, json(w.args)),
            el('button', { type: 'button', onclick: () => decide(w.key, true) }, 'Approve'),
            ' ',
            el(
              'button',
              { type: 'button', class: 'deny', onclick: () => decide(w.key, false) },
              'Deny',
            ),
          ),
        ),
      );
    };
    const drawChat = async (conversation) => {
      if (kind !== 'task') return;
      const msgs = [...(conversation || [])];
      const last = msgs.at(-2);
      if (!last || last.content !== summary.message) {
        msgs.push({ role: 'user', content: summary.message });
        if (summary.answer !== undefined) msgs.push({ role: 'assistant', content: summary.answer });
        else if (liveText) msgs.push({ role: 'assistant writing', content: liveText });
      }
      const form = el(
        'form',
        { class: 'inline', 'aria-label': 'reply' },
        el('label', { for: 'reply', class: 'sr' }, 'Reply '),
        el('input', { id: 'reply', type: 'text', name: 'message', required: '' }),
        el('button', { type: 'submit' }, 'Send'),
      );
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const body = {
          message: form.elements.message.value,
          ...(summary.conversationId ? { conversation_id: summary.conversationId } : {}),
        };
        const r = await api('/v1/tasks', { method: 'POST', body: JSON.stringify(body) });
        location.hash = `#/task/${r.body.id}`;
      });
      chat.replaceChildren(
        ...msgs.map((m) => el('div', { class: `msg ${m.role}` }, m.content)),
        form,
      );
    };
    let pending = false;
    const redraw = async () => {
      if (pending) return;
      pending = true;
      await new Promise((r) => setTimeout(r, 60));
      pending = false;
      const { body } = await api(`/v1/${kind}s/${id}/view`);
      summary = body.summary;
      summaryLine.replaceChildren(
        'status ',
        statusCell(summary.status),
        summary.usage
          ? ` · ${summary.usage.llmCalls} LLM call(s), ${summary.usage.inputTokens} in / ${summary.usage.outputTokens} out, $${summary.usage.costUsd.toFixed(4)}`
          : '',
        summary.error ? ` · ${summary.error.message}` : '',
      );
      nodes = new Map();
      const legendBox = document.getElementById('legend');
      if (legendBox && !legendBox.firstChild)
        legendBox.insertAdjacentHTML('beforeend', body.legend);
      plans.replaceChildren(
        ...body.plans.map((p) => {
          for (const n of p.nodes) nodes.set(n.key, n);
          const fig = el('div', { class: 'pics', 'data-plan': p.index });
          const g = el(
            'figure',
            {},
            el(
              'figcaption',
              {},
              `plan ${p.index + 1} · ${p.status} · ${p.makespanMs} ms · critical path ${p.critical.join(' → ') || '-'}`,
            ),
          );
          g.insertAdjacentHTML('beforeend', p.graph);
          const t = el('figure', {}, el('figcaption', {}, 'timeline'));
          t.insertAdjacentHTML('beforeend', p.timeline);
          fig.append(g, t);
          return fig;
        }),
      );
      drawApprovals();
      await drawChat(body.conversation);
      document.body.setAttribute('data-status', summary.status);
    };
    await redraw().catch((e) => say(String(e.message || e)));
    await follow(
      `/v1/${kind}s/${id}/events`,
      (type, data) => {
        if (type === 'llm.started') liveText = '';
        if (type === 'llm.text') liveText += data.text;
        const inner = type === 'exec' && data.event ? data.event : data;
        const label = type === 'exec' ? `exec ${inner.type}` : type;
        const where = inner.key ? ` ${inner.key}` : inner.nodeId ? ` ${inner.nodeId}` : '';
        events.append(el('li', {}, `${label}${where}`));
        redraw().catch(() => {});
      },
      signal,
    );
    await redraw().catch(() => {});
    say(`${kind} ${id}: stream ended`);
  }

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
    page.abort();
    page = new AbortController();
    document.body.removeAttribute('data-status');
    say('');
    if (!token()) return showToken();
    const [, kind, id] = location.hash.split('/');
    if (kind === 'plan') return planPage();
    if ((kind === 'run' || kind === 'task') && id)
      return detailPage(kind, decodeURIComponent(id)).catch((e) => say(String(e.message || e)));
    return listPage().catch((e) => say(String(e.message || e)));
  }
  window.addEventListener('hashchange', route);
  route();
})();
