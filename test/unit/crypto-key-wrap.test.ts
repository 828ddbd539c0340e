import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { IntegrityError, unwrapKey, wrapAad, wrapKey } from '../../src/crypto/index.js';

const aadFor = (bucket: string, key: string) => wrapAad('sse-s3', bucket, key);

describe('crypto key wrapping', () => {
    const wrappingKey = randomBytes(32);
    const dataKey = randomBytes(32);
    const aad = aadFor('photos', 'cat.jpg');

    it('round-trips a data key, as version 1 of 81 bytes', () => {
        const wrapped = wrapKey(wrappingKey, dataKey, aad);
        assert.equal(wrapped.length, 1 + 32 + 32 + 16);
        assert.equal(wrapped[0], 1);
        assert.ok(unwrapKey(wrappingKey, wrapped, aad).equals(dataKey));
    });

    it('wraps the same key differently every time (fresh salt)', () => {
        const first = wrapKey(wrappingKey, dataKey, aad);
        const second = wrapKey(wrappingKey, dataKey, aad);
        assert.notDeepEqual(first, second);
    });

    it('refuses another object, bucket or purpose (AAD)', () => {
        const wrapped = wrapKey(wrappingKey, dataKey, aad);
        const others = [
            aadFor('photos', 'dog.jpg'),
            aadFor('photoz', 'cat.jpg'),
            wrapAad('sse-kms', 'photos', 'cat.jpg'),
            wrapAad('sse-s3', 'photoscat.jpg', ''),
            Buffer.alloc(0),
        ];
        for (const other of others) {
            assert.throws(() => unwrapKey(wrappingKey, wrapped, other), IntegrityError);
        }
    });

    it('refuses another wrapping key', () => {
        const wrapped = wrapKey(wrappingKey, dataKey, aad);
        assert.throws(() => unwrapKey(randomBytes(32), wrapped, aad), IntegrityError);
    });

    it('refuses any flipped bit, a truncation, or an unknown version', () => {
        const wrapped = wrapKey(wrappingKey, dataKey, aad);
        for (let at = 0; at < wrapped.length; at++) {
            const damaged = Buffer.from(wrapped);
            damaged[at] ^= 1 << (at % 8);
            assert.throws(() => unwrapKey(wrappingKey, damaged, aad), IntegrityError, `byte ${at}`);
        }
        for (const length of [0, 1, 49, wrapped.length - 1]) {
            const short = wrapped.subarray(0, length);
            assert.throws(() => unwrapKey(wrappingKey, short, aad), IntegrityError, `${length}`);
        }
    });

    it('keeps key material out of its error', () => {
        const wrapped = wrapKey(wrappingKey, dataKey, aad);
        try {
            unwrapKey(wrappingKey, wrapped, aadFor('photos', 'dog.jpg'));
            assert.fail('expected IntegrityError');
        } catch (err) {
            assert.ok(err instanceof IntegrityError);
            const text = `${err.message} ${err.stack} ${JSON.stringify(err)}`;
            for (const secret of [wrappingKey, dataKey]) {
                assert.ok(!text.includes(secret.toString('hex')));
                assert.ok(!text.includes(secret.toString('base64')));
            }
            assert.equal(err.cause, undefined);
        }
    });

    it('encodes AAD fields with length prefixes, so no two splits collide', () => {
        assert.notDeepEqual(wrapAad('p', 'a', 'bc'), wrapAad('p', 'ab', 'c'));
        const expected = '00000006' + '7373652d7333' + '00000001' + '62' + '00000003' + 'e282ac';
        assert.equal(wrapAad('sse-s3', 'b', '\u20ac').toString('hex'), expected);
    });

    it('rejects wrapping keys that are not 32 bytes', () => {
        assert.throws(() => wrapKey(randomBytes(16), dataKey, aad), RangeError);
        assert.throws(() => unwrapKey(randomBytes(31), Buffer.alloc(81), aad), RangeError);
    });

    it('matches the reference vector for key wrap version 1', () => {
        // Computed by the independent Python implementation (pyca/cryptography HKDF and AESGCM)
        // in the appendix of docs/encrypted-object-format.md. A change that breaks it changes
        // the stored format of every wrapped key: it needs a new WRAP_VERSION.
        const fixedWrappingKey = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x60 + i));
        const fixedDataKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
        const salt = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
        const label = Buffer.from('sse-s3\0bucket\0key');
        const wrapped = wrapKey(fixedWrappingKey, fixedDataKey, label, salt);
        const expected =
            '01' +
            '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f' +
            'fd4be713401de0e60cfbea0fead9a6bd160a749a6d4bdb1b7f39db6872064c09' +
            '8c85088c28a1ec82eda4e06f5021353e';
        assert.equal(wrapped.toString('hex'), expected);
        assert.ok(unwrapKey(fixedWrappingKey, wrapped, label).equals(fixedDataKey));
    });
});
