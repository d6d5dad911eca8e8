// Types for build/preflight.mjs (plain JavaScript so it runs on any Node; see there).
export declare const MIN_NODE: readonly [number, number, number];
export declare const RECOMMENDED_NODE: number;
export declare function nodeVersionProblem(version: string, execPath?: string): string | null;
