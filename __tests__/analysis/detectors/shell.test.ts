import { describe } from 'vitest';
import { shellDetector } from '../../../src/analysis/detectors/shell.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('shell detector', () => {
  describeDetectorContract(shellDetector);
  describeFixtureTable(shellDetector);
});
