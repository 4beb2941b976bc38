import { describe } from 'vitest';
import { lintrunnerDetector } from '../../../src/analysis/detectors/lintrunner.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('lintrunner detector', () => {
  describeDetectorContract(lintrunnerDetector);
  describeFixtureTable(lintrunnerDetector);
});
