import { describe } from 'vitest';
import { dependabotDetector } from '../../../src/analysis/detectors/dependabot.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('dependabot detector', () => {
  describeDetectorContract(dependabotDetector);
  describeFixtureTable(dependabotDetector);
});
