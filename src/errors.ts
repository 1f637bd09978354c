// Typed errors: one class per failure a user can act on. Each carries a one-line
// message that says what to do, and the exit code main.ts gives the process.

export class JindrError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad arguments or options: the user must change the command line. */
export class UsageError extends JindrError {
  override readonly exitCode = 2;
}

/** Something the user named does not exist (image, tag, repository, container). */
export class NotFoundError extends JindrError {}

/** The Docker engine could not be reached. */
export class EngineUnreachableError extends JindrError {}

/** A registry answered with an error, garbage, or not at all. */
export class RegistryError extends JindrError {
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}

/** The registry refused our credentials, or we have none. */
export class AuthError extends RegistryError {}

/** The request would lose data the user did not name; --force overrides. */
export class RefusedError extends JindrError {}

/** A local resource (port, directory, disk) is unusable. */
export class ResourceError extends JindrError {}

/** Ctrl-C or the Docker CLI closing the plugin socket. */
export class InterruptedError extends JindrError {
  override readonly exitCode = 130;
  constructor() {
    super('interrupted');
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
