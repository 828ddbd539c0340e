"""A boto3 session against a running Coffer server, driven by test/compat/boto3.test.ts.

Usage: python3 boto3_session.py BUCKET (endpoint in COFFER_ENDPOINT, keys in AWS_* variables).

Runs each step in order; a step asserts what boto3 got back. Prints one JSON document:
  {"steps": {name: {"ok": true} | {"ok": false, "error": traceback}},
   "presigned": {"put": url, "get": url, "key": key},   # for the node side to use with fetch
   "observed": {operation: {header: value}}}           # what boto3 sent, for the report
"""

import base64
import hashlib
import io
import json
import os
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import zlib

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.handlers import set_list_objects_encoding_type_url

MiB = 1024 * 1024
BUCKET = sys.argv[1]
ENDPOINT = os.environ["COFFER_ENDPOINT"]

# Keys whose bytes a client must get right in the URL path, the signature and the listing XML.
ODD_KEYS = [
    "uni/ünïcødé/文件.txt",
    "uni/emoji 😀 face.bin",
    "uni/space dir/a b.txt",
    "uni/plus+sign+.txt",
    "uni/percent%20not-a-space%.txt",
    "uni/xml<&>'\"chars.txt",
    "uni/tilde~star*paren(1).txt",
]

# Headers that show how boto3 authenticated and checksummed each request.
INTERESTING = ("expect", "x-amz-content-sha256", "x-amz-sdk-checksum-algorithm", "content-md5",
               "content-encoding", "x-amz-trailer", "x-amz-decoded-content-length")


def make_client():
    config = Config(
        signature_version="s3v4",
        s3={"payload_signing_enabled": True, "addressing_style": "path"},
        retries={"max_attempts": 1, "mode": "standard"},
    )
    return boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1", config=config)


s3 = make_client()
observed = {}


def observe(request, operation_name=None, **_):
    headers = {k.lower(): v for k, v in request.headers.items()}
    seen = {k: (v.decode() if isinstance(v, bytes) else v)
            for k, v in headers.items() if k in INTERESTING or k.startswith("x-amz-checksum-")}
    observed.setdefault(operation_name, seen)


s3.meta.events.register("before-send.s3", lambda request, **kw: observe(
    request, kw.get("event_name", "").split(".")[-1]))


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def md5_etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def step_create_bucket():
    s3.create_bucket(Bucket=BUCKET)
    s3.head_bucket(Bucket=BUCKET)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert BUCKET in names, names


def step_put_get_metadata():
    data = bytes(range(256)) * 41
    put = s3.put_object(Bucket=BUCKET, Key="meta/object.bin", Body=data,
                        Metadata={"color": "blue", "Mixed-Case": "Value With Spaces"},
                        ContentType="application/octet-stream")
    assert put["ETag"] == md5_etag(data), put["ETag"]
    got = s3.get_object(Bucket=BUCKET, Key="meta/object.bin")
    assert got["Body"].read() == data
    # S3 lower-cases metadata names; values keep their case.
    assert got["Metadata"] == {"color": "blue", "mixed-case": "Value With Spaces"}, got["Metadata"]
    assert got["ContentLength"] == len(data)
    assert got["ETag"] == md5_etag(data)
    assert got["ContentType"] == "application/octet-stream"


def step_default_checksum():
    """botocore's default (when_supported) sends a CRC32; the server checks and returns it."""
    data = os.urandom(3000)
    put = s3.put_object(Bucket=BUCKET, Key="checksum/default.bin", Body=data)
    assert put.get("ChecksumCRC32") == crc32_b64(data), put
    head = s3.head_object(Bucket=BUCKET, Key="checksum/default.bin", ChecksumMode="ENABLED")
    assert head.get("ChecksumCRC32") == crc32_b64(data), head
    # With ChecksumMode botocore validates the body against the returned checksum itself.
    got = s3.get_object(Bucket=BUCKET, Key="checksum/default.bin", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got.get("ChecksumCRC32") == crc32_b64(data), got


def step_explicit_checksums():
    """SHA1 and SHA256 (pure python in botocore; CRC32C would need awscrt) verified and kept."""
    data = os.urandom(10_000)
    for algorithm, digest in (("SHA1", hashlib.sha1), ("SHA256", hashlib.sha256)):
        key = "checksum/explicit-%s.bin" % algorithm
        expected = base64.b64encode(digest(data).digest()).decode()
        put = s3.put_object(Bucket=BUCKET, Key=key, Body=data, ChecksumAlgorithm=algorithm)
        assert put.get("Checksum" + algorithm) == expected, put
        head = s3.head_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
        assert head.get("Checksum" + algorithm) == expected, head
        assert head.get("ChecksumType") == "FULL_OBJECT", head


def step_ranges_and_conditions():
    data = bytes(range(256)) * 41
    etag = md5_etag(data)
    part = s3.get_object(Bucket=BUCKET, Key="meta/object.bin", Range="bytes=100-199")
    assert part["Body"].read() == data[100:200]
    assert part["ContentRange"] == "bytes 100-199/%d" % len(data), part
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    tail = s3.get_object(Bucket=BUCKET, Key="meta/object.bin", Range="bytes=-10")
    assert tail["Body"].read() == data[-10:]
    for kwargs, status in (({"IfNoneMatch": etag}, 304),
                           ({"IfMatch": '"%s"' % ("0" * 32)}, 412)):
        try:
            s3.get_object(Bucket=BUCKET, Key="meta/object.bin", **kwargs)
        except ClientError as err:
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status, err.response
        else:
            raise AssertionError("%s did not fail" % kwargs)
    try:
        s3.get_object(Bucket=BUCKET, Key="meta/object.bin", Range="bytes=%d-" % len(data))
    except ClientError as err:
        assert err.response["Error"]["Code"] == "InvalidRange", err.response
    else:
        raise AssertionError("a range past the end was served")


def step_wrong_checksum_refused():
    data = b"the server must notice this checksum is wrong"
    try:
        s3.put_object(Bucket=BUCKET, Key="checksum/wrong.bin", Body=data,
                      ChecksumCRC32=crc32_b64(b"something else"))
    except ClientError as err:
        code = err.response["Error"]["Code"]
        assert code == "BadDigest", err.response
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400, err.response
    else:
        raise AssertionError("a PUT with a wrong x-amz-checksum-crc32 was accepted")
    try:
        s3.head_object(Bucket=BUCKET, Key="checksum/wrong.bin")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "404", err.response
    else:
        raise AssertionError("the refused object exists")


def step_multipart_upload_fileobj():
    data = os.urandom(12 * MiB)
    config = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB,
                            max_concurrency=2)
    s3.upload_fileobj(io.BytesIO(data), BUCKET, "multipart/twelve.bin", Config=config)
    head = s3.head_object(Bucket=BUCKET, Key="multipart/twelve.bin")
    assert head["ContentLength"] == len(data), head
    # 5 + 5 + 2 MiB: three parts.
    assert head["ETag"].endswith('-3"'), head["ETag"]
    out = io.BytesIO()
    s3.download_fileobj(BUCKET, "multipart/twelve.bin", out, Config=config)
    assert hashlib.sha256(out.getvalue()).hexdigest() == hashlib.sha256(data).hexdigest()

    # boto3 sent a CRC32 per part and asked for no checksum type: S3's default for CRC32 is
    # COMPOSITE, the CRC32 of the parts' CRC32s, suffixed with the part count.
    parts = [data[i:i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    joined = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)
    head = s3.head_object(Bucket=BUCKET, Key="multipart/twelve.bin", ChecksumMode="ENABLED")
    assert head.get("ChecksumCRC32") == "%s-3" % crc32_b64(joined), head
    assert head.get("ChecksumType") == "COMPOSITE", head

    second = s3.head_object(Bucket=BUCKET, Key="multipart/twelve.bin", PartNumber=2)
    assert second["ContentLength"] == 5 * MiB and second["PartsCount"] == 3, second
    assert second["ContentRange"] == "bytes %d-%d/%d" % (5 * MiB, 10 * MiB - 1, len(data)), second

    # A managed copy above the threshold goes part by part (UploadPartCopy).
    s3.copy({"Bucket": BUCKET, "Key": "multipart/twelve.bin"}, BUCKET, "multipart/copy.bin",
            Config=config)
    copied = s3.head_object(Bucket=BUCKET, Key="multipart/copy.bin")
    assert copied["ETag"].endswith('-3"') and copied["ContentLength"] == len(data), copied
    body = s3.get_object(Bucket=BUCKET, Key="multipart/copy.bin")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest()


def listed_keys(**kwargs):
    keys, prefixes, token = [], [], None
    while True:
        page = s3.list_objects_v2(Bucket=BUCKET, Prefix="uni/", MaxKeys=3,
                                  **({"ContinuationToken": token} if token else {}), **kwargs)
        keys += [c["Key"] for c in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            return keys, prefixes, page
        token = page["NextContinuationToken"]


def step_odd_keys_round_trip():
    for key in ODD_KEYS:
        s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == key.encode(), key
    expected = sorted(ODD_KEYS, key=lambda k: k.encode())  # S3 lists in UTF-8 byte order

    # Default: botocore asks for encoding-type=url itself and decodes the answer.
    keys, _, _ = listed_keys()
    assert keys == expected, keys

    # Explicit EncodingType='url': botocore leaves the keys encoded (form-style, as S3 does).
    keys, _, page = listed_keys(EncodingType="url")
    assert page.get("EncodingType") == "url", page
    assert [urllib.parse.unquote_plus(k) for k in keys] == expected, keys
    # A space may come back as + or %20 (both decode); a literal + must be encoded.
    assert "uni/plus%2Bsign%2B.txt" in keys and not any(" " in k for k in keys), keys

    # No encoding at all: the raw XML must carry the keys, escaped for XML only.
    s3.meta.events.unregister("before-parameter-build.s3.ListObjectsV2",
                              set_list_objects_encoding_type_url)
    try:
        keys, _, page = listed_keys()
        assert "EncodingType" not in page, page
        assert keys == expected, keys
    finally:
        s3.meta.events.register("before-parameter-build.s3.ListObjectsV2",
                                set_list_objects_encoding_type_url)

    _, prefixes, _ = listed_keys(Delimiter="/")
    assert prefixes == ["uni/space dir/", "uni/ünïcødé/"], prefixes

    # ListObjects (v1) pages with Marker / NextMarker.
    keys, marker = [], None
    while True:
        page = s3.list_objects(Bucket=BUCKET, Prefix="uni/", MaxKeys=4,
                               **({"Marker": marker} if marker else {}))
        keys += [c["Key"] for c in page.get("Contents", [])]
        if not page["IsTruncated"]:
            break
        marker = page.get("NextMarker") or keys[-1]
    assert keys == expected, keys


def step_delete_objects():
    targets = ODD_KEYS + ["uni/never-existed"]
    result = s3.delete_objects(Bucket=BUCKET,
                               Delete={"Objects": [{"Key": k} for k in targets]})
    assert result.get("Errors", []) == [], result
    # S3 reports a key that was not there as deleted, too.
    assert sorted(d["Key"] for d in result["Deleted"]) == sorted(targets), result["Deleted"]
    left = s3.list_objects_v2(Bucket=BUCKET, Prefix="uni/")
    assert left["KeyCount"] == 0, left


def http(method, url, data=None):
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def step_presigned_urllib():
    data = os.urandom(2048)
    put_url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "presigned/urllib.bin"}, ExpiresIn=300)
    status, body = http("PUT", put_url, data)
    assert status == 200, (status, body)
    get_url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "presigned/urllib.bin"}, ExpiresIn=300)
    assert "X-Amz-Signature=" in get_url and "X-Amz-Expires=300" in get_url, get_url
    status, body = http("GET", get_url)
    assert status == 200 and body == data, (status, len(body))


def step_presigned_expired(url, created):
    time.sleep(max(0.0, created + 2.1 - time.time()))
    status, body = http("GET", url)
    assert status == 403, (status, body)
    assert b"<Code>AccessDenied</Code>" in body, body


def main():
    steps = {}

    def run(name, fn, *args):
        try:
            fn(*args)
            steps[name] = {"ok": True}
        except Exception:  # every failure is reported to the node side, with its traceback
            steps[name] = {"ok": False, "error": traceback.format_exc()}

    run("create_bucket", step_create_bucket)
    run("put_get_metadata", step_put_get_metadata)
    expired_url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "meta/object.bin"}, ExpiresIn=1)
    expired_created = time.time()
    run("default_checksum", step_default_checksum)
    run("explicit_checksums", step_explicit_checksums)
    run("ranges_and_conditions", step_ranges_and_conditions)
    run("wrong_checksum_refused", step_wrong_checksum_refused)
    run("multipart_upload_fileobj", step_multipart_upload_fileobj)
    run("odd_keys_round_trip", step_odd_keys_round_trip)
    run("delete_objects", step_delete_objects)
    run("presigned_urllib", step_presigned_urllib)
    run("presigned_expired", step_presigned_expired, expired_url, expired_created)

    node_key = "presigned/from-node.bin"
    presigned = {
        "key": node_key,
        "put": s3.generate_presigned_url(
            "put_object", Params={"Bucket": BUCKET, "Key": node_key}, ExpiresIn=300),
        "get": s3.generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": node_key}, ExpiresIn=300),
    }
    print(json.dumps({"steps": steps, "presigned": presigned, "observed": observed}))


if __name__ == "__main__":
    main()
