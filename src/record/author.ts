import { CASSETTE_VERSION, type Cassette, type Interaction } from './cassette.ts';
import {
  anthropicMessage,
  anthropicStream,
  openaiChatCompletion,
  openaiChatStream,
  type WireStreamReply,
} from './wire-formats.ts';

export interface AuthoredReply extends WireStreamReply {
  /** Serve it as SSE (for `model.stream`) rather than one JSON body (for `model.generate`). */
  stream?: boolean;
  /** The request body to match (normalised); omit to match any body on this route. */
  request?: unknown;
}

/** An interaction answering `POST /v1/chat/completions` the way OpenAI would. */
export function openaiInteraction(reply: AuthoredReply): Interaction {
  return {
    request: {
      method: 'POST',
      path: '/v1/chat/completions',
      ...(reply.request !== undefined ? { body: reply.request } : {}),
    },
    response: reply.stream
      ? {
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          stream: openaiChatStream(reply),
        }
      : {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: openaiChatCompletion(reply),
        },
  };
}

/** An interaction answering `POST /v1/messages` the way Anthropic would. */
export function anthropicInteraction(reply: AuthoredReply): Interaction {
  return {
    request: {
      method: 'POST',
      path: '/v1/messages',
      ...(reply.request !== undefined ? { body: reply.request } : {}),
    },
    response: reply.stream
      ? {
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          stream: anthropicStream(reply),
        }
      : {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: anthropicMessage(reply),
        },
  };
}

export function createCassette(interactions: Interaction[], note?: string): Cassette {
  return { version: CASSETTE_VERSION, ...(note ? { note } : {}), interactions };
}
