import { describe } from 'vitest';
import { swiftDetector } from '../../../src/analysis/detectors/swift.js';
import { describeDetectorContract, describeFixtureTable } from './compiled-languages-support.js';

describe('swift detector', () => {
  describeDetectorContract(swiftDetector);
  describeFixtureTable(swiftDetector);
});
