/**
 * Faults that take a component down its error paths rather than slowing it: a database that fails a share of
 * its queries (ERROR 40001, a serialization failure a retry would clear) or resets the connection mid-query
 * (FATAL 57P01 then FIN, as pg_terminate_backend or a failover does), and a service whose handler throws for a
 * share of its requests (a bug in the application: the server must still answer, 500). Each sets a dial on
 * its host that the component reads as it works (Host.dial); `percent` 0 ends it.
 */
import { dialFault } from '../core/host-dials.js';

/** The dials' names, as components read them. */
export const QUERY_ERRORS = 'query-errors';
export const QUERY_RESETS = 'query-resets';
export const HANDLER_ERRORS = 'handler-errors';

export const queryErrorsFault = dialFault(QUERY_ERRORS, 150, 'database', 'the database fails `percent`% of its queries with ERROR 40001 (serialization failure); 0 ends it', 'of queries fail');
export const queryResetsFault = dialFault(QUERY_RESETS, 151, 'database', 'the database ends `percent`% of its sessions mid-query with FATAL 57P01 and closes them (pg_terminate_backend, a failover); 0 ends it', 'of queries reset');
export const handlerErrorsFault = dialFault(HANDLER_ERRORS, 152, 'service', "the service's handler throws for `percent`% of its requests (an application bug; the server answers 500); 0 ends it", 'of handlers throw');
