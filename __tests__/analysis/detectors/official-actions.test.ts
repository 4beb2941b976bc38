import { describe } from 'vitest';
import { officialActionsDetector } from '../../../src/analysis/detectors/official-actions.js';
import { describeDetectorContract, describeFixtureTable } from './compiled-languages-support.js';

describe('official-actions detector', () => {
  describeDetectorContract(officialActionsDetector);
  describeFixtureTable(officialActionsDetector);
});
