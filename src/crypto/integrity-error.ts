/**
 * The one error the object format and key wrapping raise when sealed bytes do not prove
 * themselves: a failed authentication tag, a wrong header, a blob that is shorter or longer than
 * its recorded size. The server maps it to a 500 (the stored data is damaged or was tampered
 * with); it is never a client's fault.
 *
 * The message names what failed and where (package number, byte counts), never key material,
 * nonces or plaintext, so it is safe to log. It deliberately carries no `cause`: the OpenSSL
 * error behind a failed tag says nothing more useful, and keeping the chain empty keeps that
 * promise easy to check.
 */
export class IntegrityError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'IntegrityError';
    }
}
