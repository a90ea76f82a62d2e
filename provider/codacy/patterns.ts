// Without imports: the public SDK's type declarations use this (see provider/kinds.ts for why).

/** A repository name pattern: a glob string (`*`, `?`; whole name, case-insensitive) or a RegExp (as written). */
export type RepositoryPattern = string | RegExp;
