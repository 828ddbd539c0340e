/** Assertions shared by the integration tests: S3 errors seen through the SDK, and polling. */
import assert from 'node:assert/strict';

interface SdkError {
    name?: string;
    $metadata?: { httpStatusCode?: number };
}

/**
 * Asserts that `operation` fails with the S3 error `code` (the SDK's error `name`, taken from
 * the XML body's Code) and HTTP `status`. For HEAD, whose errors have no body, pass the name
 * the SDK derives (e.g. 'NotFound') or undefined to check the status only.
 */
export async function rejectsWithS3(
    operation: Promise<unknown>,
    code: string | undefined,
    status: number,
): Promise<void> {
    await assert.rejects(operation, (err: unknown) => {
        const error = err as SdkError;
        assert.equal(error.$metadata?.httpStatusCode, status, `status of ${String(err)}`);
        if (code !== undefined) assert.equal(error.name, code, `code of ${String(err)}`);
        return true;
    });
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function eventually(
    check: () => boolean | Promise<boolean>,
    timeoutMs: number,
    intervalMs = 50,
): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await check()) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/** The text of the first `<name>` element of an XML document. */
export function xmlText(body: string, name: string): string | undefined {
    return new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
}

/** Requests the server logged as failed on its side (5xx other than 501 NotImplemented). */
export function serverFailures(logs: Array<Record<string, unknown>>): string[] {
    return logs
        .filter((entry) => entry['event'] === 'request')
        .filter((entry) => Number(entry['status']) >= 500 && Number(entry['status']) !== 501)
        .map((entry) => [entry['operation'], entry['status'], entry['errorCode']].join(' '));
}
