import { describe } from 'vitest';
import { pytorchRunTestDetector } from '../../../src/analysis/detectors/pytorch-run-test.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('pytorch-run-test detector', () => {
  describeDetectorContract(pytorchRunTestDetector);
  describeFixtureTable(pytorchRunTestDetector);
});
