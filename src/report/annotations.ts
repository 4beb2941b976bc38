/**
 * Annotations for failures the logs locate in a workspace file, so they show next to the code.
 *
 * Safety: @actions/core's `error/warning/notice(message, properties)` already escape the message
 * (`%`, CR, LF) and the properties (also `:` and `,`) with `issueCommand`, so neither can end the
 * command line or add a property. We pass raw text to the sink and let it escape (escaping here
 * too would show `%250A` to the reader); `formatWorkflowCommand` in escape.ts does the same
 * escaping for sinks that write commands themselves. Messages and titles are still neutralised and
 * stripped of control characters, in case a sink prints them as plain lines.
 */
import type { FixResult, RunReport } from '../model.js';
import {
  clip,
  formatWorkflowCommand,
  isWorkspaceRelativePath,
  neutralizeWorkflowCommands,
  normalizeWorkspacePath,
  stripControlCharacters,
  truncate,
} from './escape.js';
import { checksSentence, failureFacts, publicationFacts, type FailureFacts } from './facts.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** The shape of @actions/core's annotation properties (only the fields we set). */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** Where annotations go: @actions/core in the action, a recorder in tests, stdout in the CLI. */
export interface AnnotationSink {
  error(message: string, properties?: AnnotationProperties): void;
  warning(message: string, properties?: AnnotationProperties): void;
  notice(message: string, properties?: AnnotationProperties): void;
}

export interface AnnotationOptions {
  /** At most this many annotations in all (GitHub shows at most 50 per job). */
  max?: number;
  /** At most this many of each level (GitHub keeps 10 errors, 10 warnings and 10 notices per step). */
  maxPerLevel?: number;
  /** Failures below this confidence are warnings rather than errors (default 0.8). */
  errorConfidence?: number;
}

const MESSAGE_CHARS = 2000;
const TITLE_CHARS = 200;

/**
 * One annotation per located failure, most relevant first: `notice` when a verified fix addressed
 * it, `error` when it needs a human and the detector is sure, `warning` when it is less sure.
 * Failures without a workspace-relative file are left to the summary.
 */
export function annotationsFor(report: RunReport, options: AnnotationOptions = {}): Annotation[] {
  const max = options.max ?? 50;
  const maxPerLevel = options.maxPerLevel ?? 10;
  const errorConfidence = options.errorConfidence ?? 0.8;
  const perLevel: Record<AnnotationLevel, number> = {
    error: 0,
    warning: 0,
    notice: 0,
  };
  const annotations: Annotation[] = [];
  for (const facts of failureFacts(report)) {
    if (annotations.length >= max) break;
    const { failure } = facts;
    if (failure.file === undefined || !isWorkspaceRelativePath(failure.file)) continue;
    const level: AnnotationLevel = facts.fixedBy.length > 0 ? 'notice' : failure.confidence >= errorConfidence ? 'error' : 'warning';
    if (perLevel[level] >= maxPerLevel) continue;
    perLevel[level] += 1;
    annotations.push({
      level,
      title: cleanTitle(`CI Autofixer: ${failure.category} (${failure.tool})`),
      message: cleanMessage(annotationMessage(facts, report)),
      file: normalizeWorkspacePath(failure.file),
      ...(isPositiveInteger(failure.line) ? { startLine: failure.line } : {}),
      ...(isPositiveInteger(failure.line) && isPositiveInteger(failure.column) ? { startColumn: failure.column } : {}),
    });
  }
  return annotations;
}

function annotationMessage(facts: FailureFacts, report: RunReport): string {
  // The failure's own text is cut first, so the lines we add below always survive the cap.
  const lines = [truncate(stripControlCharacters(facts.failure.message.slice(0, MESSAGE_CHARS * 2)), MESSAGE_CHARS - 400)];
  const where = [facts.jobName && `job ${clip(facts.jobName, 120)}`, facts.stepName && `step ${clip(facts.stepName, 120)}`]
    .filter(Boolean)
    .join(', ');
  if (where) lines.push(`(${where})`);
  if (facts.fixedBy.length > 0) {
    const publication = publicationFacts(report);
    const where =
      publication.kind === 'pull-request'
        ? ` in pull request #${publication.number}`
        : publication.kind === 'branch'
          ? ` on branch ${publication.branch}`
          : ` (not pushed: ${publication.reason})`;
    lines.push(`Fixed by ${facts.fixedBy.join(', ')}${where}.`);
    for (const fix of facts.fixedByFixes.slice(0, 3)) lines.push(`${fix.fixer} checks: ${plainChecks(fix)}.`);
  } else if (facts.appliedBy.length > 0) {
    const fixers = [...new Set(facts.appliedBy.map((fix) => fix.fixer))].join(', ');
    lines.push(`A fix was applied by ${fixers} but NOT verified (nothing re-ran the failing check): needs a human.`);
  } else {
    lines.push('Not fixed automatically: needs a human.');
  }
  return lines.join('\n');
}

function plainChecks(fix: FixResult): string {
  return checksSentence(
    fix,
    (command) => `\`${clip(command, 160)}\``,
    (value) => clip(value, 300),
  );
}

function cleanMessage(text: string): string {
  return neutralizeWorkflowCommands(truncate(stripControlCharacters(text), MESSAGE_CHARS));
}

function cleanTitle(text: string): string {
  return neutralizeWorkflowCommands(clip(text, TITLE_CHARS));
}

function isPositiveInteger(value: number | undefined): value is number {
  return value !== undefined && Number.isSafeInteger(value) && value > 0;
}

/** Sends each annotation to the sink (for the action: `emitAnnotations(list, core)`). */
export function emitAnnotations(annotations: readonly Annotation[], sink: AnnotationSink): void {
  for (const annotation of annotations) {
    const properties: AnnotationProperties = { title: annotation.title };
    if (annotation.file !== undefined) properties.file = annotation.file;
    if (annotation.startLine !== undefined) properties.startLine = annotation.startLine;
    if (annotation.startColumn !== undefined) properties.startColumn = annotation.startColumn;
    sink[annotation.level](annotation.message, properties);
  }
}

/**
 * A sink that writes workflow commands itself, formatted and escaped as @actions/core does: for
 * the CLI when it runs inside a job and has no @actions/core logger.
 */
export function createWorkflowCommandSink(writeLine: (line: string) => void): AnnotationSink {
  const write =
    (level: AnnotationLevel) =>
    (message: string, properties: AnnotationProperties = {}) => {
      writeLine(
        formatWorkflowCommand(
          level,
          {
            title: properties.title,
            file: properties.file,
            line: properties.startLine,
            col: properties.startColumn,
          },
          message,
        ),
      );
    };
  return {
    error: write('error'),
    warning: write('warning'),
    notice: write('notice'),
  };
}
