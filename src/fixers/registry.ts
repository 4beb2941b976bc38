/** Every fixer, listed explicitly. docs/fixers.md is generated from this list. */
import type { Fixer } from './types.js';

export const FIXERS: readonly Fixer[] = [];
