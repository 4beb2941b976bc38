import { describe } from 'vitest';
import { flake8Detector } from '../../../src/analysis/detectors/flake8.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('flake8 detector', () => {
  describeDetectorContract(flake8Detector);
  describeFixtureTable(flake8Detector);
});
