import { describe } from 'vitest';
import { rCheckDetector } from '../../../src/analysis/detectors/r-check.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('r-check detector', () => {
  describeDetectorContract(rCheckDetector);
  describeFixtureTable(rCheckDetector);
});
