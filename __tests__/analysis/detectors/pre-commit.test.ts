import { describe } from 'vitest';
import { preCommitDetector } from '../../../src/analysis/detectors/pre-commit.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('pre-commit detector', () => {
  describeDetectorContract(preCommitDetector);
  describeFixtureTable(preCommitDetector);
});
