import { describe } from 'vitest';
import { phpDetector } from '../../../src/analysis/detectors/php.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('php detector', () => {
  describeDetectorContract(phpDetector);
  describeFixtureTable(phpDetector);
});
