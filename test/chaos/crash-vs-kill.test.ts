import { chaosSuite } from './chaos-suite.js';

chaosSuite('crash-vs-kill');
