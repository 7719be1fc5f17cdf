/**
 * Socket errors as values with Node's codes and messages ("connect ECONNREFUSED 10.0.0.2:80"), so code
 * written against Node's `net` checks `err.code` the same way here.
 */
export type NetErrorCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EPIPE'
  | 'EADDRNOTAVAIL'
  | 'EADDRINUSE'
  | 'ENOTFOUND'
  | 'EHOSTUNREACH'
  | 'ENOBUFS'
  | 'EMSGSIZE'
  | 'ERR_STREAM_WRITE_AFTER_END'
  | 'ERR_STREAM_DESTROYED'
  | 'ERR_SERVER_NOT_RUNNING'
  | 'ERR_SOCKET_CLOSED'
  | 'ERR_SERVER_ALREADY_LISTEN';

export class NetError extends Error {
  override name = 'Error';
  constructor(
    readonly code: NetErrorCode,
    /** The call that failed, as Node names it: 'connect', 'read', 'write', 'listen', 'getaddrinfo'. */
    readonly syscall: string,
    readonly address?: string,
    readonly port?: number,
  ) {
    super(`${syscall} ${code}${address !== undefined ? ` ${address}${port !== undefined ? `:${port}` : ''}` : ''}`);
  }
}
