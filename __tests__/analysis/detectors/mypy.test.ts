import { describe } from 'vitest';
import { mypyDetector } from '../../../src/analysis/detectors/mypy.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('mypy detector', () => {
  describeDetectorContract(mypyDetector);
  describeFixtureTable(mypyDetector);
});
