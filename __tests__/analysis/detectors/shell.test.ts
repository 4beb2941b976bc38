import { describe } from 'vitest';
import { shellDetector } from '../../../src/analysis/detectors/shell.js';
import { describeDetectorContract, describeFixtureTable } from './node-support.js';

describe('shell detector', () => {
  describeDetectorContract(shellDetector);
  describeFixtureTable(shellDetector);
});
