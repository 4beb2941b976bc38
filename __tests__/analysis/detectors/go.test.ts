import { describe } from 'vitest';
import { goDetector } from '../../../src/analysis/detectors/go.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('go detector', () => {
  describeDetectorContract(goDetector);
  describeFixtureTable(goDetector);
});
