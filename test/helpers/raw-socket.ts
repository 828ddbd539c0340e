/**
 * A bare TCP connection speaking HTTP/1.1 by hand, for what no HTTP client lets a test do:
 * send headers and wait (Expect: 100-continue), send half a body and vanish.
 */
import { connect, type Socket } from 'node:net';

export interface ResponseHead {
    status: number;
    statusLine: string;
    /** Lower-case names; a repeated header keeps its last value. */
    headers: Record<string, string>;
}

export interface RawHttpResponse extends ResponseHead {
    body: string;
}

export class RawSocket {
    private buffered = Buffer.alloc(0);
    private ended = false;
    private wake: (() => void) | undefined;

    private constructor(readonly socket: Socket) {
        socket.on('data', (chunk: Buffer) => {
            this.buffered = Buffer.concat([this.buffered, chunk]);
            this.wake?.();
        });
        const finish = () => {
            this.ended = true;
            this.wake?.();
        };
        socket.on('end', finish);
        socket.on('close', finish);
        // A reset from the server is an outcome tests look at, not a crash of the test.
        socket.on('error', finish);
    }

    static connect(port: number): Promise<RawSocket> {
        return new Promise((resolve, reject) => {
            const socket = connect({ host: '127.0.0.1', port }, () => {
                socket.off('error', reject);
                resolve(new RawSocket(socket));
            });
            socket.once('error', reject);
        });
    }

    /** True once the server closed its side (or the connection broke). */
    get closed(): boolean {
        return this.ended;
    }

    write(data: string | Buffer): Promise<void> {
        return new Promise((resolve, reject) =>
            this.socket.write(data, (err) => (err ? reject(err) : resolve())),
        );
    }

    /** The next response head (status line and headers), consumed from the buffer. */
    async readHead(timeoutMs = 5_000): Promise<ResponseHead> {
        const at = await this.waitFor(() => this.buffered.indexOf('\r\n\r\n'), timeoutMs);
        const text = this.buffered.subarray(0, at).toString('latin1');
        this.buffered = this.buffered.subarray(at + 4);
        const [statusLine = '', ...lines] = text.split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
            const colon = line.indexOf(':');
            headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        return { status: Number(statusLine.split(' ')[1]), statusLine, headers };
    }

    /** The next response: its head and a Content-Length delimited body. */
    async readResponse(timeoutMs = 5_000): Promise<RawHttpResponse> {
        const head = await this.readHead(timeoutMs);
        const length = Number(head.headers['content-length'] ?? 0);
        await this.waitFor(() => (this.buffered.length >= length ? length : -1), timeoutMs);
        const body = this.buffered.subarray(0, length).toString('utf8');
        this.buffered = this.buffered.subarray(length);
        return { ...head, body };
    }

    /** Whatever arrived and was not consumed yet. */
    pending(): string {
        return this.buffered.toString('latin1');
    }

    destroy(): void {
        this.socket.destroy();
    }

    /** Resolves with `probe()` once it is >= 0; rejects on timeout or a closed connection. */
    private async waitFor(probe: () => number, timeoutMs: number): Promise<number> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = probe();
            if (found >= 0) return found;
            if (this.ended) throw new Error(`connection closed; received: ${this.pending()}`);
            const left = deadline - Date.now();
            if (left <= 0)
                throw new Error(`timed out; received: ${JSON.stringify(this.pending())}`);
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, left);
                this.wake = () => {
                    clearTimeout(timer);
                    resolve();
                };
            });
            this.wake = undefined;
        }
    }
}

/** Serializes a request head: request line, headers, blank line. */
export function requestHead(
    method: string,
    path: string,
    headers: Record<string, string | number>,
): string {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
