import { describe } from 'vitest';
import { jvmDetector } from '../../../src/analysis/detectors/jvm.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('jvm detector', () => {
  describeDetectorContract(jvmDetector);
  describeFixtureTable(jvmDetector);
});
