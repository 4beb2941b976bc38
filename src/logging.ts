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
  const write = (line: string): void => {
    stream.write(`${line}\n`);
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

/** Collects messages; for tests. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    group: async (name, fn) => {
      lines.push(`== ${name}`);
      return fn();
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
