import { chaosSuite } from './chaos-suite.js';

chaosSuite('connection-storm');
