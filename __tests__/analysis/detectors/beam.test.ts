import { describe } from 'vitest';
import { beamDetector } from '../../../src/analysis/detectors/beam.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('beam detector', () => {
  describeDetectorContract(beamDetector);
  describeFixtureTable(beamDetector);
});
