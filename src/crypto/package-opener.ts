/**
 * The package state machine behind `openRange`: it consumes the sealed bytes of a range read in
 * order (header, then packages first..last) and hands back only plaintext that is authenticated
 * and inside the range.
 *
 * Ciphertext goes to the decipher as it arrives (no copy into a package buffer), but the
 * plaintext it yields is held back until the package's tag has been verified: not one byte of a
 * package leaves before the whole package is proved authentic. What is held is at most one
 * package of plaintext.
 */
import { createDecipheriv, type DecipherGCM } from 'node:crypto';
import { IntegrityError } from './integrity-error.js';
import {
    HEADER_SIZE,
    PACKAGE_SIZE,
    TAG_SIZE,
    PackageCipherContext,
    packagePlainLength,
    type SealParams,
} from './format.js';

/** What a range read touches: packages first..last of count, plaintext [start, endExclusive). */
export interface RangePlan {
    plainSize: number;
    count: number;
    first: number;
    last: number;
    start: number;
    endExclusive: number;
}

/** Opens the packages of one range read; feed it the sealed bytes in order. */
export class PackageOpener {
    readonly #params: SealParams;
    readonly #plan: RangePlan;
    readonly #header = Buffer.alloc(HEADER_SIZE);
    #headerLength = 0;
    #context: PackageCipherContext | undefined;
    #seq: number;
    #decipher: DecipherGCM | undefined;
    #cipherRemaining = 0;
    readonly #tag = Buffer.alloc(TAG_SIZE);
    #tagLength = 0;
    /** Offset inside the current package's plaintext of the next byte the decipher yields. */
    #plainOffset = 0;
    #held: Buffer[] = [];

    constructor(params: SealParams, plan: RangePlan) {
        this.#params = params;
        this.#plan = plan;
        this.#seq = plan.first;
    }

    /** Consumes one chunk; returns the plaintext pieces it completed (possibly none). */
    feed(chunk: Buffer): Buffer[] {
        const ready: Buffer[] = [];
        let offset = 0;
        while (offset < chunk.length) {
            if (this.#context === undefined) offset += this.#takeHeader(chunk, offset);
            else if (this.complete) throw new IntegrityError('bytes after the last package');
            else if (this.#cipherRemaining > 0) offset += this.#takeCiphertext(chunk, offset);
            else offset += this.#takeTag(chunk, offset, ready);
        }
        return ready;
    }

    /** True once every planned package has been authenticated. */
    get complete(): boolean {
        return this.#seq > this.#plan.last;
    }

    #takeHeader(chunk: Buffer, offset: number): number {
        const taken = chunk.copy(this.#header, this.#headerLength, offset);
        this.#headerLength += taken;
        if (this.#headerLength === HEADER_SIZE) {
            this.#context = new PackageCipherContext(this.#params, this.#header);
            this.#begin();
        }
        return taken;
    }

    #begin(): void {
        const context = this.#context as PackageCipherContext;
        const { nonce, aad } = context.position(this.#seq, this.#seq === this.#plan.count - 1);
        this.#decipher = createDecipheriv('aes-256-gcm', context.key, nonce, {
            authTagLength: TAG_SIZE,
        });
        this.#decipher.setAAD(aad);
        this.#cipherRemaining = packagePlainLength(this.#seq, this.#plan.plainSize);
        this.#tagLength = 0;
        this.#plainOffset = 0;
    }

    #takeCiphertext(chunk: Buffer, offset: number): number {
        const taken = Math.min(this.#cipherRemaining, chunk.length - offset);
        const decipher = this.#decipher as DecipherGCM;
        this.#hold(decipher.update(chunk.subarray(offset, offset + taken)));
        this.#cipherRemaining -= taken;
        return taken;
    }

    #takeTag(chunk: Buffer, offset: number, ready: Buffer[]): number {
        const wanted = TAG_SIZE - this.#tagLength;
        const taken = chunk.copy(this.#tag, this.#tagLength, offset, offset + wanted);
        this.#tagLength += taken;
        if (this.#tagLength === TAG_SIZE) {
            this.#authenticate();
            ready.push(...this.#held);
            this.#held = [];
            this.#seq += 1;
            if (this.#seq <= this.#plan.last) this.#begin();
        }
        return taken;
    }

    #authenticate(): void {
        const decipher = this.#decipher as DecipherGCM;
        decipher.setAuthTag(this.#tag);
        let rest: Buffer;
        try {
            rest = decipher.final();
        } catch {
            this.#held = [];
            const part = this.#params.partNumber;
            throw new IntegrityError(`package ${this.#seq} of part ${part} failed authentication`);
        }
        this.#hold(rest);
    }

    /** Keeps the part of freshly decrypted plaintext that lies inside the requested range. */
    #hold(plain: Buffer): void {
        const packageStart = this.#seq * PACKAGE_SIZE;
        const offset = this.#plainOffset;
        const from = Math.max(this.#plan.start - packageStart, offset);
        const to = Math.min(this.#plan.endExclusive - packageStart, offset + plain.length);
        if (to > from) this.#held.push(plain.subarray(from - offset, to - offset));
        this.#plainOffset += plain.length;
    }
}
