/**
 * The `Credential` element (`AKID/YYYYMMDD/region/service/aws4_request`) and the errors AWS
 * answers when it is wrong. Header-signed and presigned requests report the same faults under
 * different codes and message prefixes, so both go through one `AuthStyle`.
 */
import { S3Error, type S3ErrorCode, type S3ErrorFields } from '../../s3/errors.js';
import { credentialScope, SCOPE_TERMINATOR } from './signing.js';

/** How a fault in the signing parameters is reported for one way of signing. */
export interface AuthStyle {
    code: S3ErrorCode;
    /** Put before faults of the Credential element. */
    credentialPrefix: string;
    /** Put before other faults. */
    generalPrefix: string;
}

export const HEADER_STYLE: AuthStyle = {
    code: 'AuthorizationHeaderMalformed',
    credentialPrefix: 'The authorization header is malformed; ',
    generalPrefix: 'The authorization header is malformed; ',
};

export const QUERY_STYLE: AuthStyle = {
    code: 'AuthorizationQueryParametersError',
    credentialPrefix: 'Error parsing the X-Amz-Credential parameter; ',
    generalPrefix: '',
};

/** A fault in the Credential element. */
function badCredential(style: AuthStyle, detail: string, fields?: S3ErrorFields): S3Error {
    return new S3Error(style.code, style.credentialPrefix + detail, { fields });
}

/** Any other fault in the signing parameters. */
export function malformed(style: AuthStyle, detail: string): S3Error {
    return new S3Error(style.code, style.generalPrefix + detail);
}

/** A parsed and checked credential scope. */
export interface Credential {
    accessKeyId: string;
    shortDate: string;
    region: string;
    service: string;
    /** `YYYYMMDD/region/service/aws4_request`, as it goes into the string to sign. */
    scope: string;
}

const SHORT_DATE = /^\d{8}$/;

/**
 * Parses `AKID/YYYYMMDD/region/service/aws4_request` and checks region, service and terminator
 * against what this server answers for.
 */
export function parseCredential(
    value: string,
    style: AuthStyle,
    expected: { region: string; service: string },
): Credential {
    const parts = value.split('/');
    if (parts.length !== 5 || parts[0] === '' || !SHORT_DATE.test(parts[1]!)) {
        throw badCredential(
            style,
            'the Credential is mal-formed; expecting ' +
                '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        );
    }
    const [accessKeyId, shortDate, region, service, terminator] = parts as [
        string,
        string,
        string,
        string,
        string,
    ];
    if (region !== expected.region) {
        throw badCredential(
            style,
            `the region '${region}' is wrong; expecting '${expected.region}'`,
            { Region: expected.region },
        );
    }
    if (service !== expected.service) {
        throw badCredential(
            style,
            `incorrect service "${service}". This endpoint belongs to "${expected.service}".`,
        );
    }
    if (terminator !== SCOPE_TERMINATOR) {
        throw badCredential(
            style,
            `incorrect terminal "${terminator}". This endpoint uses "${SCOPE_TERMINATOR}".`,
        );
    }
    const scope = credentialScope(shortDate, region, service);
    return { accessKeyId, shortDate, region, service, scope };
}

/** The scope's date must be the day of the request timestamp. */
export function checkCredentialDate(credential: Credential, amzDate: string, style: AuthStyle) {
    const requestDay = amzDate.slice(0, 8);
    if (credential.shortDate !== requestDay) {
        throw badCredential(
            style,
            `Invalid credential date "${credential.shortDate}". ` +
                `This date is not the same as X-Amz-Date: "${requestDay}".`,
        );
    }
}

const SIGNED_HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Parses `a;b;c`; names must be lower-case header tokens. */
export function parseSignedHeaders(value: string, style: AuthStyle): string[] {
    const names = value.split(';');
    if (!names.every((name) => SIGNED_HEADER_NAME.test(name))) {
        throw malformed(style, `the SignedHeaders value "${value}" is not a list of header names.`);
    }
    return names;
}
