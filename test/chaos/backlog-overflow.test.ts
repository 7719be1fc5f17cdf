import { chaosSuite } from './chaos-suite.js';

chaosSuite('backlog-overflow');
