import { describe } from 'vitest';
import { sharedLibraryDetector } from '../../../src/analysis/detectors/shared-library.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('shared-library detector', () => {
  describeDetectorContract(sharedLibraryDetector);
  describeFixtureTable(sharedLibraryDetector);
});
