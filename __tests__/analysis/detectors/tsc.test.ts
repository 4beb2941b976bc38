import { describe } from 'vitest';
import { tscDetector } from '../../../src/analysis/detectors/tsc.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('tsc detector', () => {
  describeDetectorContract(tscDetector);
  describeFixtureTable(tscDetector);
});
