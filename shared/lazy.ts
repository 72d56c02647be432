/**
 * Builds a value on first use. Handlers create their SDK clients once per cold start, but only
 * when first invoked: `slipway dev` and the tests set the environment after importing them.
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
