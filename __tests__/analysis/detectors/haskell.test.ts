import { describe } from 'vitest';
import { haskellDetector } from '../../../src/analysis/detectors/haskell.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('haskell detector', () => {
  describeDetectorContract(haskellDetector);
  describeFixtureTable(haskellDetector);
});
