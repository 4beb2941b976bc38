import { describe } from 'vitest';
import { vitestDetector } from '../../../src/analysis/detectors/vitest.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('vitest detector', () => {
  describeDetectorContract(vitestDetector);
  describeFixtureTable(vitestDetector);
});
