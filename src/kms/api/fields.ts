/**
 * Reading and writing the AWS JSON 1.1 protocol's values: typed reads of request members (a
 * missing required member or a wrong JSON type is ValidationException, with AWS's lower-camel
 * member name; a blob that is not base64 is SerializationException), and the response encoding
 * (Buffer -> base64 string, Date -> epoch seconds as a number).
 */
import { KmsError, constraintError } from '../errors.js';
import type { EncryptionContext, Tag } from '../types.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The parsed request body and typed accessors over its members. */
export class Fields {
    // The body is untyped JSON: this is the parse boundary, every member is checked on read.
    constructor(private readonly body: Record<string, unknown>) {}

    /** Parses a request body: it must be a JSON object (an empty body counts as `{}`). */
    static parse(text: string): Fields {
        if (text.trim() === '') return new Fields({});
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            throw new KmsError('SerializationException', 'The request body is not valid JSON.');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            throw new KmsError('SerializationException', 'The request body must be a JSON object.');
        }
        return new Fields(parsed as Record<string, unknown>);
    }

    string(name: string): string | undefined {
        return this.typed(name, 'string', (value) => typeof value === 'string') as
            | string
            | undefined;
    }

    requiredString(name: string): string {
        return this.required(name, this.string(name));
    }

    integer(name: string): number | undefined {
        const check = (value: unknown) => typeof value === 'number' && Number.isInteger(value);
        return this.typed(name, 'integer', check) as number | undefined;
    }

    boolean(name: string): boolean | undefined {
        return this.typed(name, 'boolean', (value) => typeof value === 'boolean') as
            | boolean
            | undefined;
    }

    blob(name: string): Buffer | undefined {
        const text = this.typed(name, 'base64 string', (value) => typeof value === 'string');
        if (text === undefined) return undefined;
        if (!BASE64.test(text as string)) {
            throw new KmsError('SerializationException', `${name} is not valid base64.`);
        }
        return Buffer.from(text as string, 'base64');
    }

    requiredBlob(name: string): Buffer {
        return this.required(name, this.blob(name));
    }

    /** A string-to-string map, as EncryptionContext is. */
    stringMap(name: string): EncryptionContext | undefined {
        const isMap = (value: unknown) =>
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            Object.values(value).every((entry) => typeof entry === 'string');
        return this.typed(name, 'map of strings', isMap) as EncryptionContext | undefined;
    }

    stringList(name: string): string[] | undefined {
        const isList = (value: unknown) =>
            Array.isArray(value) && value.every((entry) => typeof entry === 'string');
        return this.typed(name, 'list of strings', isList) as string[] | undefined;
    }

    /** A list of `{TagKey, TagValue}`, both required strings. */
    tags(name: string): Tag[] | undefined {
        const isTag = (entry: unknown) =>
            typeof entry === 'object' &&
            entry !== null &&
            typeof (entry as Tag).TagKey === 'string' &&
            typeof (entry as Tag).TagValue === 'string';
        const isList = (value: unknown) => Array.isArray(value) && value.every(isTag);
        const tags = this.typed(name, 'list of tags', isList) as Tag[] | undefined;
        return tags?.map((tag) => ({ TagKey: tag.TagKey, TagValue: tag.TagValue }));
    }

    required<T>(name: string, value: T | undefined): T {
        if (value === undefined) throw constraintError(memberName(name), undefined, 'not be null');
        return value;
    }

    /** JSON null counts as absent, as AWS's deserializers treat it. */
    private typed(name: string, type: string, check: (value: unknown) => boolean): unknown {
        const value = this.body[name];
        if (value === undefined || value === null) return undefined;
        if (!check(value)) {
            throw new KmsError(
                'ValidationException',
                `1 validation error detected: Value at '${memberName(name)}' failed to satisfy ` +
                    `constraint: Member must be a ${type}`,
            );
        }
        return value;
    }
}

/** `KeyId` -> `keyId`: AWS names members this way in validation messages. */
function memberName(name: string): string {
    return name.charAt(0).toLowerCase() + name.slice(1);
}

/** The JSON value of a response: Buffers as base64, Dates as epoch seconds, undefined dropped. */
export function toWire(value: unknown): unknown {
    if (Buffer.isBuffer(value)) return value.toString('base64');
    if (value instanceof Date) return value.getTime() / 1000;
    if (Array.isArray(value)) return value.map(toWire);
    if (typeof value === 'object' && value !== null) {
        const out: Record<string, unknown> = {};
        for (const [key, entry] of Object.entries(value)) {
            if (entry !== undefined) out[key] = toWire(entry);
        }
        return out;
    }
    return value;
}
