import * as core from '@actions/core';
import { neutralizeWorkflowCommands } from './report/escape.js';

/** The one logging interface. The action uses @actions/core; the CLI and tests use the console or a memory logger. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export function createConsoleLogger(options: { verbose?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  // The CLI may run inside a job, where the runner reads stderr for workflow commands too.
  const write = (line: string): void => {
    stream.write(`${neutralizeWorkflowCommands(line)}\n`);
  };
  return {
    debug: (m) => {
      if (options.verbose) write(`debug: ${m}`);
    },
    info: (m) => write(m),
    warning: (m) => write(`warning: ${m}`),
    error: (m) => write(`error: ${m}`),
    group: async (name, fn) => {
      write(`== ${name}`);
      return fn();
    },
  };
}

/**
 * Collects messages as the action logger would print them (neutralized); for tests. A group's end
 * is recorded as `== end <name>`, so tests can check what a group holds.
 */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (line: string): void => {
    lines.push(neutralizeWorkflowCommands(line));
  };
  return {
    lines,
    debug: (m) => push(`debug: ${m}`),
    info: (m) => push(m),
    warning: (m) => push(`warning: ${m}`),
    error: (m) => push(`error: ${m}`),
    group: async (name, fn) => {
      push(`== ${name}`);
      try {
        return await fn();
      } finally {
        push(`== end ${name}`);
      }
    },
  };
}

/**
 * Logger for the action. Every line goes through `neutralize` first: messages can carry log text,
 * and a line of log text must never be read by the runner as a workflow command.
 */
export function createActionsLogger(): Logger {
  return {
    debug: (m) => core.debug(neutralizeWorkflowCommands(m)),
    info: (m) => core.info(neutralizeWorkflowCommands(m)),
    warning: (m) => core.warning(neutralizeWorkflowCommands(m)),
    error: (m) => core.error(neutralizeWorkflowCommands(m)),
    group: (name, fn) => core.group(neutralizeWorkflowCommands(name), fn),
  };
}
