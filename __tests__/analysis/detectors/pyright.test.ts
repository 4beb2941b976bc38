import { describe } from 'vitest';
import { pyrightDetector } from '../../../src/analysis/detectors/pyright.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('pyright detector', () => {
  describeDetectorContract(pyrightDetector);
  describeFixtureTable(pyrightDetector);
});
