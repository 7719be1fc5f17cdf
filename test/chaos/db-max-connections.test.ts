import { chaosSuite } from './chaos-suite.js';

chaosSuite('db-max-connections');
