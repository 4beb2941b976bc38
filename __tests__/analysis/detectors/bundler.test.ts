import { describe } from 'vitest';
import { bundlerDetector } from '../../../src/analysis/detectors/bundler.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('bundler detector', () => {
  describeDetectorContract(bundlerDetector);
  describeFixtureTable(bundlerDetector);
});
