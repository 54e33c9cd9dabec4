// One place for error wording (sharp's habit): messages name the parameter, what was expected
// and what was received, and tests assert the exact text.

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value.length > 60 ? value.slice(0, 57) + '...' : value}' of type string`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} of type ${typeof value}`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of length ${(value as unknown as { length?: number }).length ?? value.byteLength}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  return `an object`;
}

/** "Expected <expected> for <name> but received <actual>": TypeError for the wrong type, RangeError for a bad value. */
export function typeError(name: string, expected: string, actual: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

export function rangeError(name: string, expected: string, actual: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

/** A weights file problem: names the file, what was expected and what was found. */
export class WeightsError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'WeightsError';
  }
}
