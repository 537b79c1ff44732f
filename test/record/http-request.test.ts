import { describe, expect, it } from 'vitest';
import { readRequest } from '../../src/record/http-request.ts';

describe('readRequest', () => {
  it('reads a URL string with init: upper-cased method, path and query, headers, text body', async () => {
    const seen = await readRequest('https://api.example.com/v1/x?b=2&a=1#frag', {
      method: 'patch',
      headers: [['X-One', '1']],
      body: 'text body',
    });
    expect(seen.method).toBe('PATCH');
    expect(seen.path).toBe('/v1/x?b=2&a=1');
    expect(seen.headers.get('x-one')).toBe('1');
    expect(seen.bodyText).toBe('text body');
  });

  it('defaults to GET with no body', async () => {
    const seen = await readRequest(new URL('http://h/'));
    expect([seen.method, seen.path, seen.bodyText]).toEqual(['GET', '/', '']);
  });

  it('reads a Request without consuming it, init headers and method overriding its own', async () => {
    const request = new Request('http://h/r', {
      method: 'POST',
      headers: { 'x-a': 'request', 'x-b': 'request' },
      body: '{"r":1}',
    });
    const seen = await readRequest(request, { headers: { 'x-b': 'init' } });
    expect(seen.method).toBe('POST');
    expect(seen.headers.get('x-a')).toBe('request');
    expect(seen.headers.get('x-b')).toBe('init');
    expect(seen.bodyText).toBe('{"r":1}');
    expect((await readRequest(request, { method: 'put' })).method).toBe('PUT');
    // The original is still readable by the real fetch.
    expect(await request.text()).toBe('{"r":1}');
  });

  it('reads byte, blob, form and stream bodies as text', async () => {
    const bytes = new TextEncoder().encode('bytes');
    expect((await readRequest('http://h', { method: 'POST', body: bytes })).bodyText).toBe('bytes');
    expect(
      (await readRequest('http://h', { method: 'POST', body: new Blob(['blob']) })).bodyText,
    ).toBe('blob');
    expect(
      (
        await readRequest('http://h', {
          method: 'POST',
          body: new URLSearchParams({ a: '1', b: 'x y' }),
        })
      ).bodyText,
    ).toBe('a=1&b=x+y');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('str'));
        controller.enqueue(new TextEncoder().encode('eam'));
        controller.close();
      },
    });
    expect((await readRequest('http://h', { method: 'POST', body: stream })).bodyText).toBe(
      'stream',
    );
  });
});
