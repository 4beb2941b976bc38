import { describe } from 'vitest';
import { prettierDetector } from '../../../src/analysis/detectors/prettier.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('prettier detector', () => {
  describeDetectorContract(prettierDetector);
  describeFixtureTable(prettierDetector);
});
