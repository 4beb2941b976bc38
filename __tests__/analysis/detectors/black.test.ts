import { describe } from 'vitest';
import { blackDetector } from '../../../src/analysis/detectors/black.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('black detector', () => {
  describeDetectorContract(blackDetector);
  describeFixtureTable(blackDetector);
});
