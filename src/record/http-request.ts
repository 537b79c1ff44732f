export interface SeenRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: Headers;
  bodyText: string;
}

/** What a fetch call asks for, read without consuming anything the real fetch still needs. */
export async function readRequest(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<SeenRequest> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  const headers = new Headers(input instanceof Request ? input.headers : undefined);
  new Headers(init?.headers).forEach((value, name) => {
    headers.set(name, value);
  });
  let bodyText = '';
  if (typeof init?.body === 'string') bodyText = init.body;
  else if (init?.body != null)
    bodyText = await new Response(init.body as ConstructorParameters<typeof Response>[0]).text();
  else if (input instanceof Request) bodyText = await input.clone().text();
  return { method, path: url.pathname + url.search, headers, bodyText };
}
