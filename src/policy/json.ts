/**
 * Strict readers for the untyped JSON a client sends. `JSON.parse` returns `unknown` here and
 * every element is narrowed through these helpers, so nothing downstream sees an unchecked value.
 */

import { malformed } from './errors.js';

export type JsonObject = Record<string, unknown>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const JSON_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an element that holds one string or an array of strings (the grammar allows both). */
export function stringList(value: unknown, element: string): string[] {
    const items = Array.isArray(value) ? value : [value];
    if (!items.every((item): item is string => typeof item === 'string')) {
        return malformed(`${element} must be a string or an array of strings`);
    }
    return items;
}

/**
 * Reads a condition value list: strings, numbers or booleans (quotes are optional for numbers
 * and booleans in the IAM grammar), one or an array of them, never empty.
 */
export function conditionValues(value: unknown, key: string): string[] {
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) return malformed(`Condition key ${key} has no values`);
    return items.map((item) => {
        if (typeof item === 'string') return item;
        if (typeof item === 'number' || typeof item === 'boolean') return String(item);
        return malformed(`Condition values for ${key} must be strings, numbers or booleans`);
    });
}

/** Optional string element (Sid, Id). */
export function optionalString(value: unknown, element: string): string | undefined {
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : malformed(`${element} must be a string`);
}

/**
 * The document size AWS counts against its limit: the JSON with insignificant whitespace
 * removed (observed: https://github.com/MIT-LCP/physionet-build/issues/2094). One linear scan,
 * run before parsing, so a huge document costs no more than reading it.
 */
export function compactByteLength(text: string): number {
    let whitespace = 0;
    let inString = false;
    let escaped = false;
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (inString) {
            if (escaped) escaped = false;
            else if (code === BACKSLASH) escaped = true;
            else if (code === QUOTE) inString = false;
        } else if (code === QUOTE) {
            inString = true;
        } else if (JSON_WHITESPACE.has(code)) {
            whitespace++;
        }
    }
    // JSON whitespace is ASCII, one byte each in UTF-8.
    return Buffer.byteLength(text) - whitespace;
}
