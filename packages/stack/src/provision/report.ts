/** Receives one human-readable progress line at a time. */
export type Reporter = (line: string) => void;

/** A step that could not be done here, phrased as what is missing and how to get it. */
export class MissingPrerequisiteError extends Error {
  /** @param what what is missing. @param fix how to get it, or the alternative. */
  constructor(
    readonly what: string,
    readonly fix: string,
  ) {
    super(`${what}: ${fix}`);
    this.name = 'MissingPrerequisiteError';
  }
}
