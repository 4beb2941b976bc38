import { describe } from 'vitest';
import { yamllintDetector } from '../../../src/analysis/detectors/yamllint.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('yamllint detector', () => {
  describeDetectorContract(yamllintDetector);
  describeFixtureTable(yamllintDetector);
});
