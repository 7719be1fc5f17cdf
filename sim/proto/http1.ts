/**
 * HTTP/1.1 with keep-alive over the simulated TCP: the server (Node's http.Server semantics), the client
 * agent (undici's Pool semantics) and the wire format they share.
 */
export {
  createHttpServer,
  HttpServer,
  nodeHttpServerDefaults,
  resolveHttpServerOptions,
  type HttpHandler,
  type HttpRequest,
  type HttpResponseInit,
  type HttpServerOptions,
  type HttpServerResponse,
  type HttpSocketInfo,
} from './http1-server.js';
export { AgentConnection, expectOk, HttpAgent, HttpClientError, HttpStatusError, type HttpAgentOptions, type HttpClientErrorCode, type HttpRequestOptions, type HttpResponse } from './http1-client.js';
export {
  encodeRequestHead,
  encodeResponseHead,
  HttpEncodeError,
  HttpParseError,
  MAX_HEAD_BYTES_DEFAULT,
  MessageDecoder,
  parseRequestHead,
  parseResponseHead,
  STATUS_TEXT,
  type BodyFraming,
  type DecodedMessage,
  type HttpHeaders,
  type HttpParseErrorCode,
  type RequestHead,
  type ResponseHead,
} from './http1-codec.js';
