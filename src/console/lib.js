// The toolplan console: plain DOM, no framework, no build step. Every string from the API is
// put in the page with textContent; only the server-rendered SVG (the report's renderer,
// which escapes everything) goes in as markup.

const statusLine = document.getElementById('status');

/** The current page's lifetime: leaving it aborts its requests and streams. */
export const state = { page: new AbortController(), onUnauthorized: () => {} };

const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
if (fromHash) {
  sessionStorage.setItem('toolplan.token', decodeURIComponent(fromHash[1]));
  history.replaceState(null, '', `${location.pathname}#/`);
}
export const token = () => sessionStorage.getItem('toolplan.token') || '';

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  for (const c of children)
    if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  return e;
}
export const json = (v) => JSON.stringify(v, null, 2);
export const say = (text) => {
  statusLine.textContent = text;
};

export async function api(path, init) {
  const res = await fetch(path, {
    ...init,
    signal: init?.signal ?? state.page.signal,
    headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
  });
  if (res.status === 401) {
    sessionStorage.removeItem('toolplan.token');
    showToken();
    throw new Error('the token was refused');
  }
  const body = await res.json();
  if (!res.ok && res.status !== 400) throw new Error(body?.error?.message || `HTTP ${res.status}`);
  return { status: res.status, body };
}

/** Server-Sent Events over fetch (EventSource cannot send the token), resumed by Last-Event-ID. */
export async function follow(path, onEvent, signal, onConnect) {
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

export function statusCell(s) {
  return el('span', { class: `st ${s}` }, s);
}
