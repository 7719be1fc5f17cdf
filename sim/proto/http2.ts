/**
 * HTTP/2 over the simulated TCP: the binary frame layer, one connection's session (SETTINGS, flow control),
 * the client (streams multiplexed on one connection, the HTTP/1.1 agent's request and response types) and
 * the server (the HTTP/1.1 server's handler type).
 */
export { createHttp2Server, Http2Server, nodeHttp2ServerDefaults, resolveHttp2ServerOptions, type Http2ServerOptions } from './http2-server.js';
export { Http2Client, Http2GoawayError, Http2StreamError, type Http2ClientOptions } from './http2-client.js';
export { Http2Session, Http2SessionError, http2SettingsDefaults, resolveHttp2Settings, type Http2LocalSettings, type Http2Stats } from './http2-session.js';
export {
  CONNECTION_PREFACE,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WINDOW_BYTES,
  FrameDecoder,
  FrameType,
  H2ErrorCode,
  Http2FrameError,
  UNLIMITED_STREAMS,
  decodeHeaderBlock,
  encodeHeaderBlock,
  type Frame,
  type FrameTypeName,
  type H2ErrorName,
} from './http2-frames.js';
