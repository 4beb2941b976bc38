import { describe } from 'vitest';
import { swiftDetector } from '../../../src/analysis/detectors/swift.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('swift detector', () => {
  describeDetectorContract(swiftDetector);
  describeFixtureTable(swiftDetector);
});
