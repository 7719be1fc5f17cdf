/** The http.request trace record's field names, shared by the HTTP/1.1 and HTTP/2 clients and servers (the hottest record of a light trace). */
import { FieldShape } from '../core/trace.js';

export const HTTP_REQUEST_FIELDS = new FieldShape(['side', 'protocol', 'stream', 'method', 'path', 'status', 'bodyBytes', 'error', 'durationUs', 'requestId']);
