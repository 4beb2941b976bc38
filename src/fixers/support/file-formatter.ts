/**
 * The shape shared by fixers that run a formatter over the files a check named: `<tool> <write
 * args> <files>` to fix, `<tool> <check args> <files>` to verify. No option that would override the
 * repository's configuration is passed: the tools find their config files from the workspace.
 */
import type { Category, Failure } from '../../analysis/types.js';
import { commandText, editableFailureFiles, outputTail, runTool } from '../tools.js';
import type { FixContext, Fixer, FixOutcome, ToolResolution, VerifyOutcome } from '../types.js';

export interface FileFormatterSpec {
  id: string;
  description: string;
  fixType: string;
  safeByDefault: boolean;
  categories: readonly Category[];
  confidence: number;
  touches: readonly string[];
  toolHint: string;
  /** Name used in descriptions ("black"). */
  toolName: string;
  handles(failure: Failure): boolean;
  resolveTool: Fixer['resolveTool'];
  writeArgs: readonly string[];
  checkArgs: readonly string[];
  /** Exit codes of the write command that mean "ran" (possibly with problems left). */
  writeExitCodes?: readonly number[];
}

export function createFileFormatterFixer(spec: FileFormatterSpec): Fixer {
  const writeExitCodes = spec.writeExitCodes ?? [0];
  return {
    id: spec.id,
    description: spec.description,
    fixType: spec.fixType,
    safeByDefault: spec.safeByDefault,
    categories: spec.categories,
    confidence: spec.confidence,
    touches: spec.touches,
    toolHint: spec.toolHint,
    toolName: spec.toolName,
    handles: spec.handles,
    resolveTool: spec.resolveTool,
    async apply(ctx: FixContext, tool: ToolResolution): Promise<FixOutcome> {
      const { files, refused } = await editableFailureFiles(ctx);
      const refusedText = refused.length > 0 ? ` (left out: ${refused.join('; ')})` : '';
      if (files.length === 0) return { changed: false, description: `no file to run ${spec.toolName} on${refusedText}`, files: [] };
      // '--': the names are files, never options (they are checked not to start with '-' too).
      const args = [...spec.writeArgs, '--', ...files];
      const result = await runTool(ctx, tool, args);
      const ran = writeExitCodes.includes(result.exitCode);
      const description = ran
        ? `ran ${spec.toolName} on ${files.length} file(s): ${files.join(', ')}${refusedText}`
        : `${commandText(tool, args)} exited with ${result.exitCode}: ${outputTail(result)}`;
      return { changed: ran, description, files };
    },
    async verify(ctx: FixContext, tool: ToolResolution, outcome: FixOutcome): Promise<VerifyOutcome> {
      const args = [...spec.checkArgs, '--', ...outcome.files];
      const result = await runTool(ctx, tool, args);
      const command = commandText(tool, args);
      return result.exitCode === 0
        ? { ok: true, command, exitCode: 0, strength: 'check' }
        : { ok: false, command, exitCode: result.exitCode, detail: `exit ${result.exitCode}: ${outputTail(result)}` };
    },
  };
}

/** Does the failure name a file with one of these extensions? */
export function hasExtension(failure: Failure, extensions: readonly string[]): boolean {
  const file = failure.file;
  return file !== undefined && extensions.some((extension) => file.toLowerCase().endsWith(extension));
}

export function dataString(failure: Failure, key: string): string | undefined {
  const value = failure.data?.[key];
  return typeof value === 'string' ? value : undefined;
}
