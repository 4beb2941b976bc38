import { describe } from 'vitest';
import { gtestDetector } from '../../../src/analysis/detectors/gtest.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('gtest detector', () => {
  describeDetectorContract(gtestDetector);
  describeFixtureTable(gtestDetector);
});
