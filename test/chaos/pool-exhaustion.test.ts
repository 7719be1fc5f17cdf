import { chaosSuite } from './chaos-suite.js';

chaosSuite('pool-exhaustion');
