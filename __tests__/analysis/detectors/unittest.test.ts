import { describe } from 'vitest';
import { unittestDetector } from '../../../src/analysis/detectors/unittest.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('unittest detector', () => {
  describeDetectorContract(unittestDetector);
  describeFixtureTable(unittestDetector);
});
