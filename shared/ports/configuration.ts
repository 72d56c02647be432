/** Where a function configuration's references are resolved: SSM Parameter Store and Secrets Manager. */

/** A parameter's current value and the version it has (what a deployment pins). */
export interface ResolvedParameter {
  value: string;
  version: number;
}

/** A secret's current value (AWSCURRENT) and its version id (what a deployment pins). */
export interface ResolvedSecret {
  value: string;
  versionId: string;
}

/*
 * The values these return are secrets: a use case writes them only into the function's
 * configuration, never into a record, a log line, an event or an error message.
 */

export interface ParameterResolver {
  /** The current value (decrypted) and version; MissingResourceError when the parameter does not exist. */
  resolveParameter(name: string): Promise<ResolvedParameter>;
}

export interface SecretResolver {
  /** The AWSCURRENT value and its version id; MissingResourceError when the secret does not exist. */
  resolveSecret(id: string): Promise<ResolvedSecret>;
}
