import { describe } from 'vitest';
import { eslintDetector } from '../../../src/analysis/detectors/eslint.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('eslint detector', () => {
  describeDetectorContract(eslintDetector);
  describeFixtureTable(eslintDetector);
});
