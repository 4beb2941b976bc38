import { describe } from 'vitest';
import { elispDetector } from '../../../src/analysis/detectors/elisp.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('elisp detector', () => {
  describeDetectorContract(elispDetector);
  describeFixtureTable(elispDetector);
});
