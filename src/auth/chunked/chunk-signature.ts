/**
 * The signature chain of a signed aws-chunked body. Each chunk's signature covers its data and
 * the previous signature (the first chunk chains to the request's own signature), so chunks
 * can be neither altered, dropped nor reordered; the trailer signature closes the chain.
 *
 *   chunk:   AWS4-HMAC-SHA256-PAYLOAD\n<amzDate>\n<scope>\n<prev>\n<sha256("")>\n<sha256(data)>
 *   trailer: AWS4-HMAC-SHA256-TRAILER\n<amzDate>\n<scope>\n<prev>\n<sha256(trailer lines)>
 */
import { S3Error } from '../../s3/errors.js';
import { EMPTY_SHA256, hmac, sha256Hex, signatureMatches } from '../sigv4/signing.js';
import type { ChunkSigning } from '../sigv4/types.js';

export class ChunkSignatureChain {
    private previous: string;

    constructor(private readonly signing: ChunkSigning) {
        this.previous = signing.seedSignature;
    }

    /** Checks one chunk's signature given the hex SHA-256 of its data. */
    verifyChunk(dataSha256Hex: string, provided: string): void {
        const { amzDate, scope } = this.signing;
        const stringToSign =
            `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${this.previous}\n` +
            `${EMPTY_SHA256}\n${dataSha256Hex}`;
        this.advance(stringToSign, provided, 'chunk');
    }

    /** Checks the trailer signature over the canonical trailer lines (`name:value\n` each). */
    verifyTrailer(canonicalTrailers: string, provided: string): void {
        const { amzDate, scope } = this.signing;
        const stringToSign =
            `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${this.previous}\n` +
            sha256Hex(canonicalTrailers);
        this.advance(stringToSign, provided, 'trailer');
    }

    private advance(stringToSign: string, provided: string, what: string): void {
        const expected = hmac(this.signing.signingKey, stringToSign);
        if (!signatureMatches(provided, expected)) {
            throw new S3Error(
                'SignatureDoesNotMatch',
                `The ${what} signature we calculated does not match the signature you provided.`,
            );
        }
        this.previous = expected.toString('hex');
    }
}
