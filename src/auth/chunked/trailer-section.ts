/**
 * The trailer section of an aws-chunked body: `name:value` lines after the final zero-length
 * chunk, ended by an empty line. In signed-trailer mode the last line is
 * `x-amz-trailer-signature:<hex>`, signing the canonical form of the lines before it
 * (`lower-case name:trimmed value\n` each).
 *
 * AWS's documentation example puts an empty line between the final chunk and the trailers while
 * the SDKs do not, so one empty line before any trailer is tolerated; and a body whose trailers
 * end without the closing empty line is accepted once every line is complete.
 */
import { S3Error } from '../../s3/errors.js';
import type { ChunkSignatureChain } from './chunk-signature.js';

const SIGNATURE_NAME = 'x-amz-trailer-signature';

/** Upper bound on all trailer lines together; real trailers are one checksum line. */
const MAX_TRAILER_BYTES = 16 * 1024;

export class TrailerSection {
    readonly values = new Map<string, string>();
    private canonical = '';
    private signed = false;
    private leadingBlankSeen = false;
    private finished = false;

    /** `chain` is given in signed-trailer mode, where the trailer signature is required. */
    constructor(
        private readonly chain: ChunkSignatureChain | undefined,
        private readonly malformed: (detail: string) => S3Error,
    ) {}

    /** Takes one line (without CRLF); returns true when the section is complete. */
    takeLine(line: string): boolean {
        if (line === '') {
            if (this.values.size === 0 && !this.signed && !this.leadingBlankSeen) {
                this.leadingBlankSeen = true;
                return false;
            }
            this.finish();
            return true;
        }
        if (this.signed) throw this.malformed('trailer line after x-amz-trailer-signature');
        const colon = line.indexOf(':');
        if (colon <= 0) throw this.malformed('trailer line without a header name');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === SIGNATURE_NAME) {
            this.takeSignature(value);
            return false;
        }
        this.canonical += `${name}:${value}\n`;
        if (this.canonical.length > MAX_TRAILER_BYTES) throw this.malformed('trailers too large');
        this.values.set(name, value);
        return false;
    }

    /** Called at the end of the body: true if the section may end here. */
    canEndHere(): boolean {
        if (this.finished) return true;
        if (this.values.size === 0 && !this.signed && !this.leadingBlankSeen) return false;
        this.finish();
        return true;
    }

    private takeSignature(value: string): void {
        // In unsigned-trailer mode there is no chain to check it against; it is ignored.
        if (this.chain === undefined) return;
        this.chain.verifyTrailer(this.canonical, value);
        this.signed = true;
    }

    private finish(): void {
        if (this.chain !== undefined && !this.signed) {
            throw new S3Error('SignatureDoesNotMatch', 'The trailer signature is missing.');
        }
        this.finished = true;
    }
}
