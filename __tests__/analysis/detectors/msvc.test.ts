import { describe } from 'vitest';
import { msvcDetector } from '../../../src/analysis/detectors/msvc.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('msvc detector', () => {
  describeDetectorContract(msvcDetector);
  describeFixtureTable(msvcDetector);
});
