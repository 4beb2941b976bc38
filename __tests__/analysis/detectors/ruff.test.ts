import { describe } from 'vitest';
import { ruffDetector } from '../../../src/analysis/detectors/ruff.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('ruff detector', () => {
  describeDetectorContract(ruffDetector);
  describeFixtureTable(ruffDetector);
});
