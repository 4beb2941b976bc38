import { describe } from 'vitest';
import { unittestDetector } from '../../../src/analysis/detectors/unittest.js';
import { describeDetectorContract, describeFixtureTable } from './node-support.js';

describe('unittest detector', () => {
  describeDetectorContract(unittestDetector);
  describeFixtureTable(unittestDetector);
});
