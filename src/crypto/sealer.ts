/**
 * The sealing side of the object format: a Transform from plaintext to sealed blob bytes.
 *
 * A package can only be sealed once we know whether it is the last one (the final flag is in
 * its nonce and AAD), and a stream only tells us that when more bytes arrive or it ends. So the
 * sealer holds at most one package of plaintext: a full package is sealed as non-final when the
 * next byte arrives, and whatever is held at the end (possibly nothing) is sealed as final.
 * Memory stays at one 64 KiB buffer whatever the object's size.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import {
    PACKAGE_SIZE,
    SALT_SIZE,
    TAG_SIZE,
    PackageCipherContext,
    assertSealParams,
    buildHeader,
    type SealParams,
} from './format.js';

/** Options for the sealer beyond what identifies the blob. */
export interface SealerOptions {
    /**
     * The blob's 16-byte header salt. Leave it out: the default is fresh random bytes, and that
     * randomness is what keeps nonces unique when one part is sealed twice under one data key.
     * Only known-answer tests pass a fixed salt.
     */
    salt?: Buffer;
}

class Sealer extends Transform {
    readonly #header: Buffer;
    readonly #context: PackageCipherContext;
    readonly #pending = Buffer.allocUnsafe(PACKAGE_SIZE);
    #pendingLength = 0;
    #seq = 0;
    #headerPushed = false;

    constructor(p: SealParams, salt: Buffer) {
        super();
        this.#header = buildHeader(salt);
        this.#context = new PackageCipherContext(p, this.#header);
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
        try {
            this.#pushHeaderOnce();
            this.#accept(chunk);
            done();
        } catch (err) {
            done(err as Error);
        }
    }

    override _flush(done: TransformCallback): void {
        try {
            this.#pushHeaderOnce();
            this.#seal(this.#pending.subarray(0, this.#pendingLength), true);
            this.#pendingLength = 0;
            done();
        } catch (err) {
            done(err as Error);
        }
    }

    #pushHeaderOnce(): void {
        if (this.#headerPushed) return;
        this.#headerPushed = true;
        this.push(this.#header);
    }

    /** Cuts a chunk into packages; a full package is sealed once a later byte shows more. */
    #accept(chunk: Buffer): void {
        let offset = 0;
        while (offset < chunk.length) {
            if (this.#pendingLength === PACKAGE_SIZE) {
                this.#seal(this.#pending, false);
                this.#pendingLength = 0;
            }
            if (this.#pendingLength === 0 && chunk.length - offset > PACKAGE_SIZE) {
                // A whole package with more bytes behind it in the same chunk: seal it in place,
                // sparing the copy into the pending buffer.
                this.#seal(chunk.subarray(offset, offset + PACKAGE_SIZE), false);
                offset += PACKAGE_SIZE;
                continue;
            }
            const copied = chunk.copy(this.#pending, this.#pendingLength, offset);
            this.#pendingLength += copied;
            offset += copied;
        }
    }

    #seal(plaintext: Buffer, final: boolean): void {
        const { nonce, aad } = this.#context.position(this.#seq, final);
        const cipher = createCipheriv('aes-256-gcm', this.#context.key, nonce, {
            authTagLength: TAG_SIZE,
        });
        cipher.setAAD(aad);
        const ciphertext = cipher.update(plaintext);
        cipher.final();
        if (ciphertext.length > 0) this.push(ciphertext);
        this.push(cipher.getAuthTag());
        this.#seq += 1;
    }
}

/**
 * Returns a Transform that turns the plaintext of one part into its sealed blob: a 25-byte
 * header, then one AES-256-GCM package per 64 KiB of plaintext (the last one marked final; an
 * empty input still yields one empty final package). Output length is `sealedSize(input)`.
 * Memory is bounded by one package.
 */
export function createSealer(p: SealParams, options: SealerOptions = {}): Transform {
    assertSealParams(p);
    const salt = options.salt ?? randomBytes(SALT_SIZE);
    return new Sealer(p, salt);
}
