// The toolplan console: plain DOM, no framework, no build step. Every string from the API is
// put in the page with textContent; only the server-rendered SVG (the report's renderer,
// which escapes everything) goes in as markup.
import { api, el, follow, json, say, state, statusCell } from './lib.js';

const main = document.getElementById('main');

export async function detailPage(kind, id) {
  const signal = state.page.signal;
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
  if (kind === 'task') sections.push(el('section', { class: 'card' }, el('h3', {}, 'Chat'), chat));
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
    if (legendBox && !legendBox.firstChild) legendBox.insertAdjacentHTML('beforeend', body.legend);
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
