import { chaosSuite } from './chaos-suite.js';

chaosSuite('keepalive-race');
