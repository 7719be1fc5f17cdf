/**
 * A fault of HTTP servers: a share of responses is aborted after the head, as when a handler's body stream
 * fails midway (a database cursor that errors while the rows stream out) and the framework destroys the
 * response: HTTP/1.1 closes the connection with the body cut short (Express's finalhandler destroys the
 * socket once headers are sent), HTTP/2 resets the stream with INTERNAL_ERROR (Node's Http2Stream.destroy).
 * Every HTTP server says it is one (role 'http-server'), so chaos can aim it at any host that serves HTTP.
 */
import type { ActorContext } from '../core/context.js';
import { DialDraws, dialFault } from '../core/host-dials.js';

/** The dial's name, as the servers read it. */
export const RESPONSE_ABORTS = 'response-aborts';
/** The role an HTTP server's host gets. */
export const HTTP_SERVER_ROLE = 'http-server';

export const responseAbortsFault = dialFault(
  RESPONSE_ABORTS,
  153,
  HTTP_SERVER_ROLE,
  "the host's HTTP servers abort `percent`% of their responses after the head (HTTP/1.1: the body cut short and the connection closed; HTTP/2: RST_STREAM INTERNAL_ERROR); 0 ends it",
  'of responses aborted',
);

/** An HTTP server's draws for the fault; making one says the server's host serves HTTP. */
export class ResponseAborts {
  private readonly draws: DialDraws;

  constructor(ctx: ActorContext) {
    ctx.simulation.host(ctx.host).addRole(HTTP_SERVER_ROLE);
    // A stream of its own: a service's handler-errors draws on the same actor stay as they were.
    this.draws = new DialDraws(ctx, RESPONSE_ABORTS);
  }

  /** Whether this response is to be aborted after its head. */
  hits(): boolean {
    return this.draws.hits(RESPONSE_ABORTS);
  }
}
