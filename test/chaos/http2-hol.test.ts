import { chaosSuite } from './chaos-suite.js';

chaosSuite('http2-hol', 'HTTP/2 requests never complete after ~100 streams open at once (test/corpus/http2-hol/seed-2147483634-quiescence.json)');
