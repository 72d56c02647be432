import { describe, expect, it } from 'vitest';
import {
  EXECUTION_NAME_MAX_LENGTH,
  HISTORY_EVENT_LIMIT,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  STATE_DATA_LIMIT_BYTES,
  executionNameValid,
  historyWithinLimit,
  lambdaResponseWithinLimit,
  stateDataWithinLimit,
} from '../support/strict-aws/state-limits.js';
import { attributeValueSize, itemSize, putEventsEntrySize } from '../support/strict-aws/service-limits.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('Function: stateDataWithinLimit', () => {
  // A JSON string of n characters is n + 2 bytes with its quotes.
  const json = (bytes: number) => JSON.stringify('x'.repeat(bytes - 2));

  it('passes state data of exactly 256 KiB', () => {
    // Act & Assess
    expect(stateDataWithinLimit(json(STATE_DATA_LIMIT_BYTES))).toBe(262_144);
  });

  it('fails one byte over with States.DataLimitExceeded', () => {
    // Act
    const error = thrown(() => stateDataWithinLimit(json(STATE_DATA_LIMIT_BYTES + 1)));

    // Assess
    expect(error.name).toBe('States.DataLimitExceeded');
    expect(error.message).toContain('262145 bytes');
  });

  it('counts UTF-8 bytes, not characters', () => {
    // Prepare: 'é' is two bytes.
    const text = JSON.stringify('é'.repeat(131_071)); // 262,142 + 2 quotes

    // Act & Assess
    expect(stateDataWithinLimit(text)).toBe(262_144);
    expect(thrown(() => stateDataWithinLimit(JSON.stringify(`${'é'.repeat(131_071)}x`))).name).toBe('States.DataLimitExceeded');
  });

  it('serializes a value that is not yet JSON', () => {
    // Act & Assess
    expect(stateDataWithinLimit({ a: 1 })).toBe(7);
  });
});

describe('Function: historyWithinLimit', () => {
  it('passes exactly 25,000 events and fails 25,001', () => {
    // Act & Assess
    expect(historyWithinLimit(HISTORY_EVENT_LIMIT)).toBe(25_000);
    expect(thrown(() => historyWithinLimit(HISTORY_EVENT_LIMIT + 1)).name).toBe('States.HistoryLimitExceeded');
  });
});

describe('Function: lambdaResponseWithinLimit', () => {
  it('passes a response of exactly 6 MB and fails one byte more with Function.ResponseSizeTooLarge', () => {
    // Act & Assess
    expect(lambdaResponseWithinLimit(LAMBDA_RESPONSE_LIMIT_BYTES)).toBe(6_291_456);
    const error = thrown(() => lambdaResponseWithinLimit(LAMBDA_RESPONSE_LIMIT_BYTES + 1));
    expect(error.name).toBe('Function.ResponseSizeTooLarge');
  });

  it('measures a payload given as text', () => {
    // Act & Assess
    expect(lambdaResponseWithinLimit('x'.repeat(10))).toBe(10);
  });
});

describe('Function: executionNameValid', () => {
  it('takes names of 1 to 80 characters and refuses 0 and 81', () => {
    // Act & Assess
    expect(executionNameValid('a')).toBe('a');
    expect(executionNameValid('a'.repeat(EXECUTION_NAME_MAX_LENGTH))).toHaveLength(80);
    expect(thrown(() => executionNameValid('')).name).toBe('InvalidName');
    expect(thrown(() => executionNameValid('a'.repeat(EXECUTION_NAME_MAX_LENGTH + 1))).name).toBe('InvalidName');
  });

  it.each([
    ' ',
    '\t',
    '<',
    '>',
    '{',
    '}',
    '[',
    ']',
    '?',
    '*',
    '"',
    '#',
    '%',
    '\\',
    '^',
    '|',
    '~',
    '`',
    '$',
    '&',
    ',',
    ';',
    ':',
    '/',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u009f',
  ])('refuses a name containing %j', (character) => {
    // Act & Assess
    expect(thrown(() => executionNameValid(`web${character}1`)).name).toBe('InvalidName');
  });

  it('takes the characters slipway deployment ids use', () => {
    // Act & Assess
    expect(executionNameValid('web-2024-01-01T00-00-00Z_release.1-abc123')).toBeTruthy();
  });
});

describe('Function: itemSize', () => {
  it('counts names and values as DynamoDB documents', () => {
    // Act & Assess
    expect(itemSize({ pk: { S: 'TARGETS' } })).toBe(2 + 7);
    expect(attributeValueSize({ N: '123.4500' })).toBe(3 + 1); // 4 significant digits
    expect(attributeValueSize({ BOOL: true })).toBe(1);
    expect(attributeValueSize({ NULL: true })).toBe(1);
    expect(attributeValueSize({ B: Buffer.from('abcd').toString('base64') })).toBe(4);
    expect(attributeValueSize({ L: [{ S: 'ab' }, { S: 'c' }] })).toBe(3 + (1 + 2) + (1 + 1));
    expect(attributeValueSize({ M: { k: { S: 'v' } } })).toBe(3 + 1 + 1 + 1);
    expect(attributeValueSize({ SS: ['ab', 'é'] })).toBe(4);
  });
});

describe('Function: putEventsEntrySize', () => {
  it('counts Time as 14 bytes and the strings in UTF-8', () => {
    // Act & Assess
    expect(putEventsEntrySize({ Source: 'slipway', DetailType: 'T', Detail: '{}', Resources: ['arn:x'], Time: new Date() })).toBe(14 + 7 + 1 + 2 + 5);
    expect(putEventsEntrySize({ Source: 'é', DetailType: '' })).toBe(2);
  });
});
