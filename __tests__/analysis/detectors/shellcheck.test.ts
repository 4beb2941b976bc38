import { describe } from 'vitest';
import { shellcheckDetector } from '../../../src/analysis/detectors/shellcheck.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('shellcheck detector', () => {
  describeDetectorContract(shellcheckDetector);
  describeFixtureTable(shellcheckDetector);
});
