import { describe } from 'vitest';
import { diffCheckDetector } from '../../../src/analysis/detectors/diff-check.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('diff-check detector', () => {
  describeDetectorContract(diffCheckDetector);
  describeFixtureTable(diffCheckDetector);
});
