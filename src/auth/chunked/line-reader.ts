/**
 * CRLF-terminated lines (chunk headers, trailer lines) out of a byte stream that TCP may split
 * anywhere, even between the CR and the LF. Only a line's own bytes are ever held back, and a
 * line longer than `maxLength` is refused rather than buffered.
 */

const CRLF = Buffer.from('\r\n');

/** A line found in a buffer: its bytes (without CRLF) and where the rest of the buffer starts. */
export interface Line {
    bytes: Buffer;
    next: number;
}

export class LineReader {
    /** Bytes of a line whose end has not arrived yet. */
    private pending: Buffer | null = null;

    constructor(
        private readonly maxLength: number,
        private readonly tooLong: () => Error,
    ) {}

    /** True while part of a line is held back (the body must not end there). */
    get holdsPartialLine(): boolean {
        return this.pending !== null;
    }

    /** Reads a line starting at `pos`, or keeps the partial line and returns undefined. */
    read(buf: Buffer, pos: number): Line | undefined {
        if (this.pending === null) return this.readFresh(buf, pos);
        const held = this.pending;
        // A line is short, so joining what is held with at most one line's worth of new bytes
        // costs little; it also finds a CRLF split across the two.
        const addition = buf.subarray(pos, pos + this.maxLength + 2 - held.length);
        const joined = Buffer.concat([held, addition]);
        const end = joined.indexOf(CRLF, Math.max(0, held.length - 1));
        if (end === -1) {
            // Without a CRLF, `joined` is short only when it took all of `buf`.
            if (joined.length > this.maxLength + 1) throw this.tooLong();
            this.pending = joined;
            return undefined;
        }
        this.pending = null;
        return { bytes: joined.subarray(0, end), next: pos + end + 2 - held.length };
    }

    private readFresh(buf: Buffer, pos: number): Line | undefined {
        const end = buf.indexOf(CRLF, pos);
        if (end !== -1 && end - pos <= this.maxLength) {
            return { bytes: buf.subarray(pos, end), next: end + 2 };
        }
        if (end !== -1 || buf.length - pos > this.maxLength + 1) throw this.tooLong();
        // Copied: the caller's buffer may be reused once this call returns.
        this.pending = Buffer.from(buf.subarray(pos));
        return undefined;
    }
}
