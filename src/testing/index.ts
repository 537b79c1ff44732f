/**
 * `toolplan/testing`: what a program built on toolplan needs to test itself without a live
 * LLM. A scripted model answers from a list of responses; the wire helpers serve real
 * provider wire formats (OpenAI's and Anthropic's, streaming or not) from a local HTTP
 * server, so the real SDKs can be pointed at it; cassettes record and replay that traffic.
 */

export {
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptStep,
  textResponse,
  toolCallsResponse,
} from '../model/scripted-model.ts';
export {
  type AuthoredReply,
  anthropicError,
  anthropicInteraction,
  anthropicMessage,
  anthropicStream,
  anthropicStreamError,
  type Cassette,
  createCassette,
  createRecordingFetch,
  createReplayFetch,
  handlerFromFetch,
  type Interaction,
  openaiChatCompletion,
  openaiChatStream,
  openaiError,
  openaiInteraction,
  type ReceivedRequest,
  readCassette,
  splitText,
  startWireServer,
  type WireHandler,
  type WireReply,
  type WireResponse,
  type WireServer,
  type WireServerOptions,
  type WireStreamReply,
  type WireToolCall,
  type WireUsage,
  writeCassette,
} from '../record/index.ts';
export { type JournalConformanceOptions, journalConformance } from './journal-conformance.ts';
