import { describe } from 'vitest';
import { cmakeDetector } from '../../../src/analysis/detectors/cmake.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('cmake detector', () => {
  describeDetectorContract(cmakeDetector);
  describeFixtureTable(cmakeDetector);
});
