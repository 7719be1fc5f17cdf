import { chaosSuite } from './chaos-suite.js';

chaosSuite('http2-hol');
