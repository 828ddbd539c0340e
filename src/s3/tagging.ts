/** Object tags: S3's limits, the `x-amz-tagging` header, and the Tagging XML document. */
import { S3Error } from './errors.js';
import { childElements, childText, parseXmlBody, type XmlElement } from './xml.js';

export type TagSet = Array<[string, string]>;

const MAX_TAGS = 10;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

/** Parses `x-amz-tagging: k1=v1&k2=v2` (URL query encoding). */
export function parseTaggingHeader(value: string | undefined): TagSet {
    if (value === undefined || value === '') return [];
    const tags: TagSet = [...new URLSearchParams(value)];
    return validateTags(tags);
}

/** Parses a `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>` body. */
export function parseTaggingXml(text: string): TagSet {
    const tagging = parseXmlBody(text, 'Tagging', ['Tag']);
    const tagSet = tagging['TagSet'];
    if (tagSet === undefined || Array.isArray(tagSet) || typeof tagSet !== 'object') {
        if (tagSet === '') return [];
        throw new S3Error('MalformedXML');
    }
    const tags: TagSet = childElements(tagSet as XmlElement, 'Tag').map((tag) => {
        const key = childText(tag, 'Key');
        if (key === undefined) throw new S3Error('MalformedXML');
        return [key, childText(tag, 'Value') ?? ''];
    });
    return validateTags(tags);
}

export function taggingXmlBody(tags: TagSet): XmlElement {
    return { TagSet: { Tag: tags.map(([Key, Value]) => ({ Key, Value })) } };
}

function validateTags(tags: TagSet): TagSet {
    if (tags.length > MAX_TAGS) {
        throw new S3Error('BadRequest', 'Object tags cannot be greater than 10');
    }
    const seen = new Set<string>();
    for (const [key, value] of tags) {
        if (key.length === 0 || [...key].length > MAX_KEY_LENGTH) {
            throw new S3Error('InvalidTag', 'The TagKey you have provided is too long, max 128');
        }
        if ([...value].length > MAX_VALUE_LENGTH) {
            throw new S3Error('InvalidTag', 'The TagValue you have provided is too long, max 256');
        }
        if (seen.has(key)) {
            throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key');
        }
        seen.add(key);
    }
    return tags;
}
