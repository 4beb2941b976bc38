import { describe } from 'vitest';
import { officialActionsDetector } from '../../../src/analysis/detectors/official-actions.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('official-actions detector', () => {
  describeDetectorContract(officialActionsDetector);
  describeFixtureTable(officialActionsDetector);
});
