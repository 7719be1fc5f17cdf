import { chaosSuite } from './chaos-suite.js';

chaosSuite('retry-storm');
