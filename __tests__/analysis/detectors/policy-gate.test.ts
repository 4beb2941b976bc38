import { describe } from 'vitest';
import { policyGateDetector } from '../../../src/analysis/detectors/policy-gate.js';
import { describeDetectorContract, describeFixtureTable } from './node-support.js';

describe('policy-gate detector', () => {
  describeDetectorContract(policyGateDetector);
  describeFixtureTable(policyGateDetector);
});
