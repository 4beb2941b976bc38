import { describe } from 'vitest';
import { pylintDetector } from '../../../src/analysis/detectors/pylint.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('pylint detector', () => {
  describeDetectorContract(pylintDetector);
  describeFixtureTable(pylintDetector);
});
