import { describe } from 'vitest';
import { policyGateDetector } from '../../../src/analysis/detectors/policy-gate.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('policy-gate detector', () => {
  describeDetectorContract(policyGateDetector);
  describeFixtureTable(policyGateDetector);
});
