import { describe } from 'vitest';
import { jvmDetector } from '../../../src/analysis/detectors/jvm.js';
import { describeDetectorContract, describeFixtureTable } from './compiled-languages-support.js';

describe('jvm detector', () => {
  describeDetectorContract(jvmDetector);
  describeFixtureTable(jvmDetector);
});
