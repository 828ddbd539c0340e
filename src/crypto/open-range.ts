/**
 * The opening side of the object format: a byte range of plaintext out of a sealed blob,
 * decrypting only the packages the range touches (the package work is `package-opener.ts`).
 *
 * The reader knows the plaintext size from metadata, hence exactly which sealed bytes it must
 * receive: fewer or more is an IntegrityError. When the range reaches the last package it reads
 * one byte beyond the blob's expected end and requires it to be absent, so bytes appended to a
 * blob are noticed too; the last package's plaintext is held until that read came back empty.
 *
 * The blob is read with positional reads into two buffers owned by the reader, one being opened
 * while the next read fills the other: a stream of freshly allocated 1 MiB chunks, as a file
 * ReadStream gives, kept V8's major GC busy on large GETs.
 */
import { Readable } from 'node:stream';
import { IntegrityError } from './integrity-error.js';
import {
    HEADER_SIZE,
    PACKAGE_SIZE,
    TAG_SIZE,
    assertSealParams,
    packageCount,
    packagePlainLength,
    sealedOffset,
    type SealParams,
} from './format.js';
import { PackageOpener, type RangePlan } from './package-opener.js';

/**
 * Sealed bytes per read: 16 whole packages (plus the header when reading from the blob's start),
 * so every read but a range's last ends on a package boundary.
 */
const READ_SIZE = 16 * (PACKAGE_SIZE + TAG_SIZE);

/**
 * A read is opened in slices of this size, and a failure in a later slice comes after the
 * earlier slices' plaintext, so when a tampered package stops a GET (500 before any byte, or a
 * broken connection after a correct prefix) does not depend on the read size.
 */
const OPEN_SLICE = 256 * 1024;

/** A sealed blob opened for positional reads. */
export interface SealedBlobFile {
    /**
     * Reads up to `length` bytes at `position` into `buffer` from its start; resolves with the
     * count, 0 at the blob's end. Fewer than `length` bytes elsewhere are allowed (the reader
     * asks again).
     */
    read(buffer: Buffer, length: number, position: number): Promise<number>;
    close(): Promise<void>;
}

/** A range read of one sealed blob. */
export interface OpenRangeParams extends SealParams {
    /** Plaintext size of the blob, from metadata. */
    plainSize: number;
    /** First plaintext byte wanted. */
    start: number;
    /** Last plaintext byte wanted, inclusive. For an empty blob pass start 0, end -1. */
    end: number;
    /**
     * Opens the sealed blob. Reads past its end must return what exists (fewer bytes, or 0),
     * not fail: the reader reads one byte beyond the expected end to prove the blob ends there.
     */
    openSealed: () => Promise<SealedBlobFile>;
}

/** One span of sealed bytes the range needs, read in one or more reads. */
interface SealedSpan {
    offset: number;
    length: number;
}

/**
 * Returns a Readable of plaintext bytes [start, end] of a sealed blob. Each touched package is
 * authenticated before any of its bytes are emitted; a failed tag, a wrong header, or a blob
 * shorter or longer than `sealedSize(plainSize)` errors the stream with IntegrityError and
 * nothing more is emitted. Errors of the underlying reads pass through unchanged. Throws
 * RangeError at once for parameters no correct caller passes.
 */
export function openRange(p: OpenRangeParams): Readable {
    assertSealParams(p);
    const plan = planRange(p);
    return new RangeReader(p, plan, planSpans(plan));
}

function planRange(p: OpenRangeParams): RangePlan {
    const { plainSize, start, end } = p;
    if (!Number.isSafeInteger(plainSize) || plainSize < 0) {
        throw new RangeError('plainSize must be a non-negative safe integer');
    }
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
        throw new RangeError('start and end must be safe integers');
    }
    const emptyBlob = plainSize === 0 && start === 0 && end === -1;
    if (!emptyBlob && !(start >= 0 && start <= end && end < plainSize)) {
        throw new RangeError(`range ${start}-${end} is outside a ${plainSize}-byte blob`);
    }
    const count = packageCount(plainSize);
    const first = Math.floor(start / PACKAGE_SIZE);
    const last = emptyBlob ? 0 : Math.floor(end / PACKAGE_SIZE);
    return { plainSize, count, first, last, start, endExclusive: end + 1 };
}

/** The header is always read; from package 0 it comes in the same span as the packages. */
function planSpans(plan: RangePlan): SealedSpan[] {
    const from = sealedOffset(plan.first);
    const to = sealedOffset(plan.last) + packagePlainLength(plan.last, plan.plainSize) + TAG_SIZE;
    if (plan.first === 0) return [{ offset: 0, length: to }];
    return [
        { offset: 0, length: HEADER_SIZE },
        { offset: from, length: to - from },
    ];
}

/** One read's outcome: the buffer it filled and how many bytes, or its error. */
type ReadResult = { buffer: Buffer; bytes: number } | { error: Error };

/** Runs the planned spans one after another through one PackageOpener. */
class RangeReader extends Readable {
    readonly #params: OpenRangeParams;
    readonly #spans: SealedSpan[];
    /** Whether the blob must end right after the last span (the range reaches its end). */
    readonly #probe: boolean;
    readonly #opener: PackageOpener;
    #file: SealedBlobFile | undefined;
    /** Two buffers: one is opened while a read fills the other. */
    readonly #buffers: Buffer[] = [];
    #nextBuffer = 0;
    #spanIndex = 0;
    /** Bytes of the current span asked for so far (including a read in flight). */
    #spanAsked = 0;
    /** The read in flight, if any: it is always the next bytes after those opened. */
    #inFlight: Promise<ReadResult> | undefined;
    #inFlightLength = 0;
    #running = false;
    /** Authenticated plaintext held until the blob is proved to end where it should. */
    #tail: Buffer[] = [];
    #deferredError: Error | undefined;

    constructor(params: OpenRangeParams, plan: RangePlan, spans: SealedSpan[]) {
        super();
        this.#params = params;
        this.#spans = spans;
        this.#probe = plan.last === plan.count - 1;
        this.#opener = new PackageOpener(params, plan);
        const largest = Math.max(...spans.map((span) => span.length));
        const size = Math.min(largest, READ_SIZE + HEADER_SIZE);
        for (let i = 0; i < 2; i++) this.#buffers.push(Buffer.allocUnsafeSlow(size));
    }

    override _read(): void {
        if (this.#deferredError) this.destroy(this.#deferredError);
        else if (!this.#running) void this.#run();
    }

    override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
        const file = this.#file;
        this.#file = undefined;
        // A read in flight finishes before the handle closes (FileHandle.close waits for it).
        if (file) file.close().then(() => done(err), () => done(err));
        else done(err);
    }

    /** Opens and pushes reads until the consumer has enough, the range ends or it fails. */
    async #run(): Promise<void> {
        this.#running = true;
        try {
            if (this.#file === undefined) {
                const file = await this.#params.openSealed();
                if (this.destroyed) {
                    await file.close();
                    return;
                }
                this.#file = file;
            }
            let wantsMore = true;
            while (wantsMore && !this.destroyed && !this.#deferredError) {
                const read = await this.#takeRead();
                if (this.destroyed) return;
                if ('error' in read) throw read.error;
                if (read.buffer === undefined) {
                    await this.#finish();
                    return;
                }
                wantsMore = this.#open(read.buffer.subarray(0, read.bytes));
            }
        } catch (err) {
            this.destroy(err as Error);
        } finally {
            this.#running = false;
        }
    }

    /**
     * The next sealed bytes in order (buffer undefined once every span is read), and the read
     * after them started at once, into the other buffer, so the disk works while we decrypt.
     */
    async #takeRead(): Promise<ReadResult | { buffer: undefined }> {
        this.#inFlight ??= this.#startRead();
        const pending = this.#inFlight;
        if (pending === undefined) return { buffer: undefined };
        const expected = this.#inFlightLength;
        this.#inFlight = undefined;
        const result = await pending;
        if ('error' in result || this.destroyed) return result;
        if (result.bytes > expected) return { error: new IntegrityError('store sent extra bytes') };
        if (result.bytes === 0) {
            const span = this.#spans[this.#spanIndex];
            const at = span.offset + this.#spanAsked - expected;
            return { error: new IntegrityError(`sealed blob ends at byte ${at}, expected more`) };
        }
        // A short read: ask for the rest of it again next time.
        this.#spanAsked -= expected - result.bytes;
        this.#inFlight = this.#startRead();
        return result;
    }

    /** Starts the next read of the current span (or the next span); undefined when all are read. */
    #startRead(): Promise<ReadResult> | undefined {
        let span = this.#spans[this.#spanIndex];
        while (span !== undefined && this.#spanAsked === span.length) {
            this.#spanIndex += 1;
            this.#spanAsked = 0;
            span = this.#spans[this.#spanIndex];
        }
        if (span === undefined) return undefined;
        const position = span.offset + this.#spanAsked;
        const limit = READ_SIZE + (position === 0 ? HEADER_SIZE : 0);
        const buffer = this.#buffers[this.#nextBuffer];
        this.#nextBuffer ^= 1;
        const length = Math.min(span.length - this.#spanAsked, limit, buffer.length);
        this.#spanAsked += length;
        this.#inFlightLength = length;
        const file = this.#file as SealedBlobFile;
        return file.read(buffer, length, position).then(
            (bytes) => ({ buffer, bytes }),
            (error: Error) => ({ error }),
        );
    }

    /** Opens one read's bytes and pushes the plaintext; returns whether the consumer wants more. */
    #open(chunk: Buffer): boolean {
        let wantsMore = true;
        let pushed = false;
        for (let at = 0; at < chunk.length; at += OPEN_SLICE) {
            let pieces: Buffer[];
            try {
                pieces = this.#opener.feed(chunk.subarray(at, at + OPEN_SLICE));
            } catch (err) {
                this.#fail(err as Error, pushed);
                return false;
            }
            if (this.#opener.complete && this.#probe) {
                this.#tail.push(...pieces);
                continue;
            }
            // Push every authenticated piece even past the high-water mark: at most one read.
            for (const piece of pieces) wantsMore = this.push(piece);
            pushed ||= pieces.length > 0;
        }
        return wantsMore;
    }

    /**
     * Fails the stream. When this read already pushed authenticated plaintext, the failure waits
     * until that has been taken (the next _read), as it would had it come in a later read.
     */
    #fail(err: Error, afterPushing: boolean): void {
        if (afterPushing) this.#deferredError = err;
        else this.destroy(err);
    }

    /** Every span is read: prove the blob ends here if the range reached its end, then end. */
    async #finish(): Promise<void> {
        if (!this.#opener.complete) {
            throw new IntegrityError('sealed blob ended before its last package');
        }
        if (this.#probe) {
            const last = this.#spans[this.#spans.length - 1];
            const file = this.#file as SealedBlobFile;
            const beyond = await file.read(this.#buffers[0], 1, last.offset + last.length);
            if (this.destroyed) return;
            if (beyond !== 0) throw new IntegrityError('sealed blob is longer than its size');
        }
        for (const piece of this.#tail) this.push(piece);
        this.push(null);
    }
}
