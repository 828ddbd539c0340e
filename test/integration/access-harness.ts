/**
 * The principals of the access tests (access-*.test.ts), on one real server: the default
 * account's root; its IAM users alice (made through the IAM API) and bob (made with `coffer
 * admin` while the server runs); a second account made with `coffer admin account create`, with
 * its root and its IAM user carol. Plus the helpers the tests share: policies, and the outcome
 * of a request as one comparable string.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
    CreateAccessKeyCommand,
    CreateUserCommand,
    GetUserCommand,
    IAMClient,
    PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import {
    CreateBucketCommand,
    GetObjectCommand,
    ListBucketsCommand,
    PutBucketPolicyCommand,
    PutObjectCommand,
    S3Client,
} from '@aws-sdk/client-s3';
import { eventually } from '../helpers/expect.js';
import {
    ACCESS_KEY,
    CLI,
    REGION,
    removeDataDir,
    s3Client,
    SECRET_KEY,
    startServer,
    type RunningServer,
} from '../helpers/server.js';

const run = promisify(execFile);

/** Someone who signs requests. */
export interface Caller {
    arn: string;
    s3: S3Client;
    /** The same credentials on the built-in KMS, served at the same endpoint. */
    kms: KMSClient;
    /** IAM users: the IAM client of their account's root, which manages their policies. */
    admin?: IAMClient;
    userName?: string;
}

export type Statement = Record<string, unknown>;

/** The server and its principals; see the module comment. */
export class AccessWorld {
    root!: Caller;
    alice!: Caller;
    bob!: Caller;
    otherRoot!: Caller;
    carol!: Caller;
    /** The default account's id and the second account's. */
    account!: string;
    otherAccount!: string;
    private readonly clients: Array<{ destroy(): void }> = [];

    private constructor(readonly server: RunningServer) {}

    static async start(): Promise<AccessWorld> {
        const world = new AccessWorld(await startServer());
        await world.populate();
        return world;
    }

    async stop(): Promise<void> {
        for (const client of this.clients) client.destroy();
        await this.server.stop();
        removeDataDir(this.server);
    }

    /** An IAM user with an access key, made through the IAM API by `admin`. */
    async iamUser(admin: IAMClient, userName: string): Promise<Caller> {
        const { User } = await admin.send(new CreateUserCommand({ UserName: userName }));
        const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: userName }));
        const caller = this.caller(
            User!.Arn!,
            AccessKey!.AccessKeyId!,
            AccessKey!.SecretAccessKey!,
        );
        return { ...caller, admin, userName };
    }

    private async populate(): Promise<void> {
        const rootIam = this.iam(ACCESS_KEY, SECRET_KEY);
        const self = await rootIam.send(new GetUserCommand({}));
        this.account = self.User!.Arn!.split(':')[4]!;
        this.root = { ...this.caller(self.User!.Arn!, ACCESS_KEY, SECRET_KEY), admin: rootIam };
        this.alice = await this.iamUser(rootIam, 'alice');

        // Written into the database beside the running server, which polls for new keys.
        const bobKey = ['AKIACOFFERBOB0000001', 'bob-secret-access-key-00000000000000000'] as const;
        await this.cofferAdmin('user', 'create', '--account', this.account, '--name', 'bob');
        const setKey = ['key', 'set', '--account', this.account, '--user', 'bob'];
        await this.cofferAdmin(...setKey, '--access-key', bobKey[0], '--secret-key', bobKey[1]);
        const bobArn = `arn:aws:iam::${this.account}:user/bob`;
        this.bob = { ...this.caller(bobArn, ...bobKey), admin: rootIam, userName: 'bob' };

        const otherKey = [
            'AKIACOFFEROTHER00001',
            'other-root-secret-access-key-0000000000',
        ] as const;
        const create = ['account', 'create', '--name', 'other'];
        const created = await this.cofferAdmin(
            ...create,
            ...['--access-key', otherKey[0], '--secret-key', otherKey[1]],
        );
        this.otherAccount = /^Created account (\d{12}) \(other\)\.$/m.exec(created)![1]!;
        const otherArn = `arn:aws:iam::${this.otherAccount}:root`;
        this.otherRoot = this.caller(otherArn, ...otherKey);
        await Promise.all([untilKeyWorks(this.bob), untilKeyWorks(this.otherRoot)]);
        this.carol = await this.iamUser(this.iam(...otherKey), 'carol');
    }

    private caller(arn: string, accessKeyId: string, secretAccessKey: string): Caller {
        const credentials = { accessKeyId, secretAccessKey };
        const kms = { endpoint: this.server.endpoint, region: REGION, credentials, maxAttempts: 1 };
        return {
            arn,
            s3: this.keep(s3Client(this.server, { credentials, maxAttempts: 1 })),
            kms: this.keep(new KMSClient(kms)),
        };
    }

    private iam(accessKeyId: string, secretAccessKey: string): IAMClient {
        const credentials = { accessKeyId, secretAccessKey };
        const endpoint = this.server.endpoint;
        return this.keep(new IAMClient({ endpoint, region: REGION, credentials, maxAttempts: 1 }));
    }

    private keep<T extends { destroy(): void }>(client: T): T {
        this.clients.push(client);
        return client;
    }

    /** `coffer admin ...` against the running server's data directory, as an operator would. */
    private async cofferAdmin(...args: string[]): Promise<string> {
        const argv = [CLI, 'admin', ...args, '--data-dir', this.server.dataDir];
        return (await run(process.execPath, argv)).stdout;
    }

    /** Puts the bucket policy as the owner's root (statements default to Allow). */
    async bucketPolicy(Bucket: string, ...statements: Statement[]): Promise<void> {
        const Policy = policyText(statements);
        await this.root.s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
    }

    /** A bucket of the default account, with objects whose content is `content of <key>`. */
    async makeBucket(Bucket: string, ...keys: string[]): Promise<void> {
        await this.root.s3.send(new CreateBucketCommand({ Bucket }));
        for (const Key of keys) {
            await this.root.s3.send(new PutObjectCommand({ Bucket, Key, Body: contentOf(Key) }));
        }
    }
}

/** Waits until the server knows a key made by another process (it polls about every second). */
async function untilKeyWorks(caller: Caller): Promise<void> {
    const known = () =>
        caller.s3.send(new ListBucketsCommand({})).then(
            () => true,
            (err: Error) => err.name !== 'InvalidAccessKeyId',
        );
    assert.ok(await eventually(known, 5000, 100), `${caller.arn}'s key never became known`);
}

function policyText(statements: Statement[]): string {
    const Statement = statements.map((s) => ({ Effect: 'Allow', ...s }));
    return JSON.stringify({ Version: '2012-10-17', Statement });
}

const contentOf = (key: string) => `content of ${key}`;

/** Replaces the IAM user's one test identity policy (statements default to Allow). */
export async function identityPolicy(caller: Caller, ...statements: Statement[]): Promise<void> {
    const input = { UserName: caller.userName, PolicyName: 'test' };
    const PolicyDocument = policyText(statements);
    await caller.admin!.send(new PutUserPolicyCommand({ ...input, PolicyDocument }));
}

/** What a GetObject by `caller` got: `ok` (content checked), or `<Code> <status>: <message>`. */
export async function get(caller: Caller, Bucket: string, Key: string): Promise<string> {
    return outcome(
        caller.s3.send(new GetObjectCommand({ Bucket, Key })).then(async (got) => {
            assert.equal(await got.Body!.transformToString(), contentOf(Key));
        }),
    );
}

/** What a PutObject by `caller` got, as `get` says it. */
export async function put(caller: Caller, Bucket: string, Key: string): Promise<string> {
    return outcome(caller.s3.send(new PutObjectCommand({ Bucket, Key, Body: contentOf(Key) })));
}

/** `ok`, or the SDK error as `<name> <status>: <message>`. */
export async function outcome(operation: Promise<unknown>): Promise<string> {
    try {
        await operation;
        return 'ok';
    } catch (err) {
        const error = err as Error & { $metadata?: { httpStatusCode?: number } };
        return `${error.name} ${error.$metadata?.httpStatusCode}: ${error.message}`;
    }
}

export const objects = (bucket: string) => `arn:aws:s3:::${bucket}/*`;

/** AWS's extended AccessDenied for a caller of the bucket owner's account without an Allow. */
export const notAllowed = (who: Caller, action: string, resource: string) =>
    `AccessDenied 403: User: ${who.arn} is not authorized to perform: ${action} on resource: ` +
    `"${resource}" because no identity-based policy allows the ${action} action`;

/** The same for an explicit Deny; `kind` is `a resource` or `an identity`. */
export const explicitlyDenied = (who: Caller, action: string, resource: string, kind: string) =>
    `AccessDenied 403: User: ${who.arn} is not authorized to perform: ${action} on resource: ` +
    `"${resource}" with an explicit deny in ${kind}-based policy`;

/** What anyone of another account (or anonymous) is told. */
export const PLAIN_DENIAL = 'AccessDenied 403: Access Denied';
