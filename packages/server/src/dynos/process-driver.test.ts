import { runDriverContract } from './driver.case.js';
import { createProcessDriver } from './process-driver.js';

runDriverContract('process', ({ dataDir }) => createProcessDriver({ dataDir }));
