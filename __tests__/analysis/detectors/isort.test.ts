import { describe } from 'vitest';
import { isortDetector } from '../../../src/analysis/detectors/isort.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('isort detector', () => {
  describeDetectorContract(isortDetector);
  describeFixtureTable(isortDetector);
});
