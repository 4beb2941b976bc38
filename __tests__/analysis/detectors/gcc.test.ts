import { describe } from 'vitest';
import { gccDetector } from '../../../src/analysis/detectors/gcc.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('gcc detector', () => {
  describeDetectorContract(gccDetector);
  describeFixtureTable(gccDetector);
});
