/**
 * S3's XML: documents built from plain objects (arrays become repeated elements) and request
 * bodies parsed strictly, so malformed XML is a MalformedXML error rather than a crash.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from './errors.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    suppressEmptyNode: false,
    processEntities: true,
});

/** A value in an XML document: text, a number, a nested element, or repeated elements. */
export type XmlValue = string | number | boolean | XmlElement | XmlValue[] | undefined;
export interface XmlElement {
    [name: string]: XmlValue;
}

/** Serialises `<root xmlns="...S3...">body</root>` with the XML declaration AWS sends. */
export function xmlDocument(root: string, body: XmlElement, xmlns: string = S3_XMLNS): string {
    const element = xmlns ? { '@_xmlns': xmlns, ...body } : body;
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ [root]: element });
}

/** Parses a request body. Elements named in `repeated` always come back as arrays. */
export function parseXmlBody(text: string, root: string, repeated: string[] = []): XmlElement {
    if (text.trim() === '' || XMLValidator.validate(text) !== true)
        throw new S3Error('MalformedXML');
    const parser = new XMLParser({
        ignoreAttributes: true,
        parseTagValue: false,
        trimValues: false,
        removeNSPrefix: true,
        isArray: (name) => repeated.includes(name),
    });
    const doc = parser.parse(text) as Record<string, unknown>;
    const element = doc[root];
    if (element === undefined) throw new S3Error('MalformedXML');
    if (element === '') return {};
    if (typeof element !== 'object' || element === null) throw new S3Error('MalformedXML');
    return element as XmlElement;
}

/** The text of a child element, or undefined. A nested element where text belongs is malformed. */
export function childText(element: XmlElement, name: string): string | undefined {
    const value = element[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new S3Error('MalformedXML');
    return value;
}

/** The child elements with a repeated name (declared in `repeated` when parsing). */
export function childElements(element: XmlElement, name: string): XmlElement[] {
    const value = element[name];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new S3Error('MalformedXML');
    return value.map((item) => {
        if (item === '') return {};
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
            throw new S3Error('MalformedXML');
        }
        return item as XmlElement;
    });
}

/** An XML boolean element's text (`true`/`false`, `1`/`0`); absent is false. */
export function xmlBoolean(text: string | undefined): boolean {
    if (text === undefined) return false;
    const value = text.trim().toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new S3Error('MalformedXML');
}
