import { describe } from 'vitest';
import { sassDetector } from '../../../src/analysis/detectors/sass.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('sass detector', () => {
  describeDetectorContract(sassDetector);
  describeFixtureTable(sassDetector);
});
