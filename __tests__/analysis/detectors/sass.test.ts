import { describe } from 'vitest';
import { sassDetector } from '../../../src/analysis/detectors/sass.js';
import { describeDetectorContract, describeFixtureTable } from './compiled-languages-support.js';

describe('sass detector', () => {
  describeDetectorContract(sassDetector);
  describeFixtureTable(sassDetector);
});
