/** The injected world. Tests pass real implementations pointed at local servers, or fakes of the same interfaces. */
import type { Exec } from './exec.js';
import type { Logger } from './logging.js';
import type { GitHubClient } from './github/client.js';

export interface Dependencies {
  exec: Exec;
  logger: Logger;
  github: GitHubClient;
  /** For timestamps in reports; injectable for tests. */
  now: () => Date;
}
