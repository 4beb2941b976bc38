import { describe } from 'vitest';
import { perlDetector } from '../../../src/analysis/detectors/perl.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('perl detector', () => {
  describeDetectorContract(perlDetector);
  describeFixtureTable(perlDetector);
});
