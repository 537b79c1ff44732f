export {
  collectSecrets,
  REDACTED,
  SECRET_ENV_VARIABLES,
  scrubSecrets,
} from '../secrets/secret-values.ts';
export {
  type AuthoredReply,
  anthropicInteraction,
  createCassette,
  openaiInteraction,
} from './author.ts';
export {
  CASSETTE_VERSION,
  type Cassette,
  type CassetteRequest,
  type CassetteResponse,
  canonicalBody,
  type Interaction,
  normalizeBody,
  readCassette,
  SECRET_HEADERS,
  scrubChunks,
  serializeCassette,
  writeCassette,
} from './cassette.ts';
export { type CassetteMissDetails, CassetteMissError } from './cassette-miss-error.ts';
export {
  COMPATIBLE_SHAPES,
  type CompatibleShape,
  compatibleChatStream,
  shapeModel,
} from './compatible-shapes.ts';
export {
  createRecordingFetch,
  type RecordingFetch,
  type RecordingFetchOptions,
} from './recording-fetch.ts';
export {
  createReplayFetch,
  type ReplayFetch,
  type ReplayFetchOptions,
  type StreamTiming,
} from './replay-fetch.ts';
export {
  anthropicError,
  anthropicMessage,
  anthropicStream,
  anthropicStreamError,
  openaiChatCompletion,
  openaiChatStream,
  openaiError,
  splitText,
  type WireReply,
  type WireStreamReply,
  type WireToolCall,
  type WireUsage,
} from './wire-formats.ts';
export {
  handlerFromFetch,
  type ReceivedRequest,
  startWireServer,
  type WireHandler,
  type WireResponse,
  type WireServer,
  type WireServerOptions,
} from './wire-server.ts';
