import { describe } from 'vitest';
import { toxDetector } from '../../../src/analysis/detectors/tox.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('tox detector', () => {
  describeDetectorContract(toxDetector);
  describeFixtureTable(toxDetector);
});
