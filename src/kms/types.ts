/**
 * The shapes of the KMS operations, named and spelled as in the AWS KMS API reference
 * (https://docs.aws.amazon.com/kms/latest/APIReference/) so that the JSON protocol layer maps
 * them one to one. Blobs are Buffers and timestamps Dates here; `api/` turns them into base64
 * strings and epoch seconds.
 */
import type {
    KmsKeyManager,
    KmsKeyState,
    KmsKeyStore,
    KmsRotationType,
} from '../store/kms-types.js';
import type { KmsErrorCode } from './errors.js';

export type EncryptionContext = Record<string, string>;
export type Tag = { TagKey: string; TagValue: string };

/** DescribeKey's KeyMetadata, for the one key type Coffer has: symmetric, AWS_KMS origin. */
export interface KeyMetadata {
    AWSAccountId: string;
    KeyId: string;
    Arn: string;
    CreationDate: Date;
    Enabled: boolean;
    Description: string;
    KeyUsage: 'ENCRYPT_DECRYPT';
    KeyState: KmsKeyState;
    DeletionDate?: Date;
    Origin: 'AWS_KMS';
    KeyManager: KmsKeyManager;
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT';
    KeySpec: 'SYMMETRIC_DEFAULT';
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'];
    MultiRegion: false;
    CurrentKeyMaterialId: string;
}

/** One call of the audit hook: one use (or attempted use) of the KMS. */
export interface KmsAuditEvent {
    /** The AWS operation name, or an internal one (`GenerateDataKeyFor`, `DestroyKey`, ...). */
    operation: string;
    /** The key's ARN once resolved; absent when the request named no existing key. */
    keyArn?: string;
    /** ReEncrypt only: the key the ciphertext was re-encrypted under (`keyArn` is the source). */
    destinationKeyArn?: string;
    /** What the caller named the key by, when that differs from the ARN or it did not resolve. */
    keyRef?: string;
    /** The caller's ARN, or the internal component (`coffer:s3`, `coffer:kms`). */
    caller: string;
    /**
     * The encryption context (not secret; AWS CloudTrail logs it too). For S3 it names the
     * object: `aws:s3:arn`.
     */
    encryptionContext?: EncryptionContext;
    result: 'success' | KmsErrorCode;
}

export type KmsAudit = (event: KmsAuditEvent) => void;

export interface KmsOptions {
    store: KmsKeyStore;
    /** 32 bytes; see `root-key.ts`. */
    rootKey: Buffer;
    region: string;
    accountId: string;
    /** Injected so tests can move past rotation and deletion dates. */
    now?: () => Date;
    audit: KmsAudit;
}

export interface CreateKeyRequest {
    Description?: string;
    KeyUsage?: string;
    KeySpec?: string;
    CustomerMasterKeySpec?: string;
    Origin?: string;
    Policy?: string;
    Tags?: Tag[];
    MultiRegion?: boolean;
    CustomKeyStoreId?: string;
    BypassPolicyLockoutSafetyCheck?: boolean;
}

export interface KeyIdRequest {
    KeyId: string;
}

export interface ListRequest {
    Limit?: number;
    Marker?: string;
}

export interface ListPage {
    Truncated: boolean;
    NextMarker?: string;
}

export interface AliasListEntry {
    AliasName: string;
    AliasArn: string;
    TargetKeyId: string;
    CreationDate: Date;
    LastUpdatedDate: Date;
}

export interface RotationStatus {
    KeyId: string;
    KeyRotationEnabled: boolean;
    RotationPeriodInDays?: number;
    NextRotationDate?: Date;
}

export interface RotationEntry {
    KeyId: string;
    KeyMaterialId: string;
    RotationDate: Date;
    RotationType: Exclude<KmsRotationType, 'INITIAL'>;
}

export interface GenerateDataKeyRequest {
    KeyId: string;
    KeySpec?: string;
    NumberOfBytes?: number;
    EncryptionContext?: EncryptionContext;
    GrantTokens?: string[];
}

export interface EncryptRequest {
    KeyId: string;
    Plaintext: Buffer;
    EncryptionContext?: EncryptionContext;
    EncryptionAlgorithm?: string;
    GrantTokens?: string[];
}

export interface DecryptRequest {
    CiphertextBlob: Buffer;
    KeyId?: string;
    EncryptionContext?: EncryptionContext;
    EncryptionAlgorithm?: string;
    GrantTokens?: string[];
}

export interface ReEncryptRequest {
    CiphertextBlob: Buffer;
    DestinationKeyId: string;
    SourceKeyId?: string;
    SourceEncryptionContext?: EncryptionContext;
    DestinationEncryptionContext?: EncryptionContext;
    SourceEncryptionAlgorithm?: string;
    DestinationEncryptionAlgorithm?: string;
    GrantTokens?: string[];
}

/** The result of a successful encryption: what Encrypt and GenerateDataKey* share. */
export interface CiphertextResult {
    CiphertextBlob: Buffer;
    KeyId: string;
    KeyMaterialId: string;
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
}
