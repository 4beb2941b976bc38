import { describe } from 'vitest';
import { mypyDetector } from '../../../src/analysis/detectors/mypy.js';
import { describeDetectorContract, describeFixtureTable } from './node-support.js';

describe('mypy detector', () => {
  describeDetectorContract(mypyDetector);
  describeFixtureTable(mypyDetector);
});
