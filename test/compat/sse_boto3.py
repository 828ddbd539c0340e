"""boto3 and server-side encryption against a running Coffer, driven by test/compat/sse-boto3.test.ts.

Usage: python3 sse_boto3.py BUCKET (endpoint in COFFER_ENDPOINT, keys in the AWS_* variables).

Makes the bucket (SSE-C unblocked) and a KMS key with boto3's kms client, then for each mode
(SSE-S3, SSE-KMS, SSE-C) puts a small object and a 3-part multipart one (upload_fileobj), reads
both back and heads them. Prints one JSON document for the node side to check:
  {"kms_key_arn": arn, "customer_key_md5": b64,
   "modes": {mode: {"put": {...}, "get": {...}, "head": {...}, "multipart": {...},
                    "body_ok": bool, "multipart_ok": bool, "md5": hex}}}
where each {...} holds the SSE fields and ETag boto3 parsed from the response.
"""

import base64
import hashlib
import io
import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

MiB = 1024 * 1024
BUCKET = sys.argv[1]
ENDPOINT = os.environ["COFFER_ENDPOINT"]
FIELDS = ("ServerSideEncryption", "SSEKMSKeyId", "BucketKeyEnabled", "SSECustomerAlgorithm",
          "SSECustomerKeyMD5", "ETag")


def client(service):
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", config=config)


def fields(response):
    return {name: response[name] for name in FIELDS if name in response}


def main():
    s3 = client("s3")
    kms = client("kms")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
        "BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}]})
    key_arn = kms.create_key(Description="boto3 sse")["KeyMetadata"]["Arn"]
    customer_key = os.urandom(32)
    write_args = {
        "SSE-S3": {"ServerSideEncryption": "AES256"},
        "SSE-KMS": {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn},
        "SSE-C": {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": customer_key},
    }
    report = {"kms_key_arn": key_arn,
              "customer_key_md5": base64.b64encode(hashlib.md5(customer_key).digest()).decode(),
              "modes": {}}
    for mode, args in write_args.items():
        read_args = args if mode == "SSE-C" else {}
        body = os.urandom(70000)
        key = "small-" + mode
        put = s3.put_object(Bucket=BUCKET, Key=key, Body=body, **args)
        got = s3.get_object(Bucket=BUCKET, Key=key, **read_args)
        body_ok = got["Body"].read() == body
        head = s3.head_object(Bucket=BUCKET, Key=key, **read_args)

        big = os.urandom(11 * MiB)
        transfer = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB)
        s3.upload_fileobj(io.BytesIO(big), BUCKET, "multi-" + mode, ExtraArgs=args, Config=transfer)
        sink = io.BytesIO()
        s3.download_fileobj(BUCKET, "multi-" + mode, sink, ExtraArgs=read_args, Config=transfer)
        multi_head = s3.head_object(Bucket=BUCKET, Key="multi-" + mode, **read_args)
        report["modes"][mode] = {
            "put": fields(put), "get": fields(got), "head": fields(head),
            "multipart": fields(multi_head), "body_ok": body_ok,
            "multipart_ok": sink.getvalue() == big, "md5": hashlib.md5(body).hexdigest(),
        }
    print(json.dumps(report))


main()
