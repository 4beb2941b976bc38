import { describe } from 'vitest';
import { sanitizerDetector } from '../../../src/analysis/detectors/sanitizer.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('sanitizer detector', () => {
  describeDetectorContract(sanitizerDetector);
  describeFixtureTable(sanitizerDetector);
});
