import { describe } from 'vitest';
import { elispDetector } from '../../../src/analysis/detectors/elisp.js';
import { describeDetectorContract, describeFixtureTable } from './compiled-languages-support.js';

describe('elisp detector', () => {
  describeDetectorContract(elispDetector);
  describeFixtureTable(elispDetector);
});
