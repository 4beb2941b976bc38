import { describe } from 'vitest';
import { bundlerDetector } from '../../../src/analysis/detectors/bundler.js';
import { describeDetectorContract, describeFixtureTable } from './node-support.js';

describe('bundler detector', () => {
  describeDetectorContract(bundlerDetector);
  describeFixtureTable(bundlerDetector);
});
