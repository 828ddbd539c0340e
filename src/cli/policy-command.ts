/**
 * `coffer policy check` and `coffer policy simulate`: the policy engine, offline, on files.
 *
 * `check` parses a bucket policy exactly as PutBucketPolicy does, except that principal
 * existence cannot be known without a server: every well-formed account or user principal is
 * taken to exist. `simulate` runs one request through `decide` and names the statement that
 * decided, so a policy author can see why a request is allowed or denied.
 *
 * Exit codes: 0 valid / allowed, 2 denied (explicitly or implicitly), 1 anything else (a
 * malformed policy, an unreadable file, a bad argument).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import {
    decide,
    parseBucketPolicy,
    parseIdentityPolicy,
    type Decision,
    type ParsedPolicy,
    type Principal,
    type RequestContext,
    type StatementRef,
} from '../policy/index.js';
import { isS3Error } from '../s3/errors.js';

/** Exit status of a denied simulation (0 is allowed, 1 an error). */
export const EXIT_DENIED = 2;

const ROOT_ARN = /^arn:aws:iam::(\d{12}):root$/;
const USER_ARN = /^arn:aws:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/;
const S3_ARN = /^arn:aws:s3:::([^/]+)(?:\/.*)?$/;

/** A command-line mistake: printed as is, exit status 1. */
class UsageError extends Error {}

/** Parses `--principal`: `*` or `anonymous`, an account root ARN, or an IAM user ARN. */
export function parsePrincipalArgument(value: string): Principal {
    if (value === '*' || value.toLowerCase() === 'anonymous') return { type: 'Anonymous' };
    const root = ROOT_ARN.exec(value);
    if (root) return { type: 'Root', accountId: root[1]! };
    const user = USER_ARN.exec(value);
    if (user) {
        // The unique user id (AIDA...) cannot be known offline; `aws:userid` stays absent
        // unless given with --context (see simulationContext).
        return { type: 'User', accountId: user[1]!, userName: user[2]!, userId: '', arn: value };
    }
    throw new UsageError(
        `--principal ${JSON.stringify(value)}: expected '*', 'anonymous', ` +
            'arn:aws:iam::ACCOUNT:root or arn:aws:iam::ACCOUNT:user/NAME',
    );
}

/**
 * Parses repeated `--context key=value` into condition keys: names are case-blind (stored
 * lowercase), a key given several times is multi-valued, and a key never given is absent.
 */
export function parseContextArguments(values: readonly string[]): Map<string, string[]> {
    const keys = new Map<string, string[]>();
    for (const entry of values) {
        const at = entry.indexOf('=');
        if (at <= 0) throw new UsageError(`--context ${JSON.stringify(entry)}: expected key=value`);
        const key = entry.slice(0, at).toLowerCase();
        keys.set(key, [...(keys.get(key) ?? []), entry.slice(at + 1)]);
    }
    return keys;
}

/** The one-line verdict: `DENY (explicit) by BucketPolicy statement "Sid" (#0)` and kin. */
export function describeDecision(decision: Decision): string {
    const by =
        decision.statement === undefined ? '' : ` by ${describeStatement(decision.statement)}`;
    if (decision.reason === 'ExplicitDeny') return `DENY (explicit)${by}`;
    if (decision.reason === 'ImplicitDeny') return 'DENY (implicit): no statement allows it';
    if (decision.statement === undefined) {
        return "ALLOW (the account's root user needs no statement in its own account)";
    }
    return `ALLOW${by}`;
}

function describeStatement(ref: StatementRef): string {
    const name = ref.sid === undefined ? '' : ` ${JSON.stringify(ref.sid)}`;
    return `${ref.policy} statement${name} (#${ref.index})`;
}

/** Options of `coffer policy simulate`, as commander hands them over. */
export interface SimulateOptions {
    policy?: string;
    principal: string;
    action: string;
    resource: string;
    context?: string[];
    identityPolicy?: string[];
    bucketOwner?: string;
    bucket?: string;
}

/** Loads the policies, builds the request and decides; throws UsageError on bad input. */
export function simulate(options: SimulateOptions): Decision {
    const principal = parsePrincipalArgument(options.principal);
    if (!/^[\w-]+:[\w*?-]+$/.test(options.action)) {
        throw new UsageError(`--action ${JSON.stringify(options.action)}: expected s3:ActionName`);
    }
    const req: RequestContext = {
        principal,
        action: options.action,
        resource: options.resource,
        conditionKeys: simulationContext(principal, options.context ?? []),
    };
    const bucketPolicy =
        options.policy === undefined
            ? undefined
            : checkBucketPolicy(options.policy, options.bucket ?? bucketOf(options.resource));
    const identityPolicies = (options.identityPolicy ?? []).map((file) => ({
        name: basename(file),
        policy: loadPolicy(file, parseIdentityPolicy),
    }));
    const bucketOwnerAccount =
        options.bucketOwner ?? (principal.type === 'Anonymous' ? '' : principal.accountId);
    if (!/^(\d{12})?$/.test(bucketOwnerAccount)) {
        throw new UsageError(`--bucket-owner ${JSON.stringify(bucketOwnerAccount)}: 12 digits`);
    }
    return decide({ identityPolicies, bucketPolicy, bucketOwnerAccount, req });
}

function simulationContext(
    principal: Principal,
    context: readonly string[],
): Map<string, string[]> {
    const keys = parseContextArguments(context);
    // An empty list reads as absent and keeps the engine from deriving an empty user id.
    if (principal.type === 'User' && !keys.has('aws:userid')) keys.set('aws:userid', []);
    return keys;
}

function bucketOf(resource: string): string {
    const match = S3_ARN.exec(resource);
    if (match) return match[1]!;
    throw new UsageError(`--resource ${JSON.stringify(resource)} names no bucket: give --bucket`);
}

function readPolicyFile(file: string): string {
    try {
        return readFileSync(file, 'utf8');
    } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
}

function loadPolicy(file: string, parse: (text: string) => ParsedPolicy): ParsedPolicy {
    const text = readPolicyFile(file);
    try {
        return parse(text);
    } catch (err) {
        if (isS3Error(err)) throw new UsageError(`${file}: ${err.code}: ${err.message}`);
        throw err;
    }
}

/** Runs `body`, printing what it returns and turning its errors into exit status 1. */
function runReporting(body: () => { line: string; exitCode: number }): void {
    try {
        const { line, exitCode } = body();
        process.stdout.write(line + '\n');
        process.exitCode = exitCode;
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(err.message + '\n');
        process.exitCode = 1;
    }
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The `policy` command with its `check` and `simulate` subcommands. */
export function policyCommand(): Command {
    return new Command('policy')
        .description('Check a bucket policy, or simulate a request against policies, offline.')
        .addCommand(checkCommand())
        .addCommand(simulateCommand());
}

/** Parses a bucket policy for `bucket` the way PutBucketPolicy does, principals aside. */
export function checkBucketPolicy(file: string, bucket: string): ParsedPolicy {
    return loadPolicy(file, (text) =>
        parseBucketPolicy(text, { bucket, principalExists: () => true }),
    );
}

function checkCommand(): Command {
    return new Command('check')
        .description('Validate a bucket policy as PutBucketPolicy would; prints OK or the error.')
        .argument('<file>', 'the bucket policy (JSON, sent as is: the first byte must be "{")')
        .requiredOption('--bucket <name>', 'the bucket the policy is for (Resources must be in it)')
        .addHelpText('after', CHECK_HELP)
        .action((file: string, options: { bucket: string }) =>
            runReporting(() => {
                checkBucketPolicy(file, options.bucket);
                return { line: 'OK', exitCode: 0 };
            }),
        );
}

function simulateCommand(): Command {
    return new Command('simulate')
        .description('Decide one request against a bucket policy and identity policies.')
        .option('--policy <file>', 'the bucket policy')
        .requiredOption('--principal <arn>', "'*' or 'anonymous', ACCOUNT root ARN, or user ARN")
        .requiredOption('--action <action>', 'the IAM action, e.g. s3:PutObject')
        .requiredOption('--resource <arn>', 'e.g. arn:aws:s3:::bucket/key')
        .option('--context <key=value>', 'a condition key (repeat a key for many values)', collect)
        .option('--identity-policy <file>', "a policy of the principal's (repeatable)", collect)
        .option('--bucket-owner <account>', "the bucket owner's account (default: the principal's)")
        .option('--bucket <name>', 'the bucket the policy is for (default: from --resource)')
        .addHelpText('after', SIMULATE_HELP)
        .action((options: SimulateOptions) =>
            runReporting(() => {
                const decision = simulate(options);
                const exitCode = decision.allowed ? 0 : EXIT_DENIED;
                return { line: describeDecision(decision), exitCode };
            }),
        );
}

const CHECK_HELP = `
Principals are checked for form only: offline, every well-formed account or IAM user principal
is taken to exist (a server refuses one that does not with "Invalid principal in policy").

Exit status: 0 valid, 1 malformed (the MalformedPolicy message is printed) or unreadable.`;

const SIMULATE_HELP = `
Condition keys are only those given with --context (key=value, names case-blind); keys not
given are absent, as on a request that lacks them. The principal's own keys (aws:username,
aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalType) are derived from --principal;
aws:userid is absent for IAM users unless given.

Prints the decision and the statement that made it, e.g.
  DENY (explicit) by BucketPolicy statement "DenyUnencrypted" (#0)
Identity policies are named by their file names. Statement numbers count from 0.

Exit status: 0 allowed, 2 denied (explicit or implicit), 1 error (malformed policy, bad argument).
`;
