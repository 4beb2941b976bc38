import { describe } from 'vitest';
import { jasmineDetector } from '../../../src/analysis/detectors/jasmine.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('jasmine detector', () => {
  describeDetectorContract(jasmineDetector);
  describeFixtureTable(jasmineDetector);
});
