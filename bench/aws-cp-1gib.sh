#!/usr/bin/env bash
# `aws s3 cp` of one 1 GiB file, up and down, to Coffer in each encryption mode and to s3rver,
# on loopback. Prints MiB/s per copy. Usage: bash bench/aws-cp-1gib.sh [SIZE_MIB]
# Run `npm run build` first. Needs the aws CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/file"
head -c 32 /dev/urandom > "$work/ssec.key"
printf '[default]\ns3 =\n    addressing_style = path\n' > "$work/config"
export AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/none" AWS_DEFAULT_REGION=us-east-1

COFFER_ROOT_ACCESS_KEY=AKIACOFFERCPBENCH001 COFFER_ROOT_SECRET_KEY=coffer-cp-bench-secret \
    node dist/src/cli/main.js server --data-dir "$work/coffer" --listen 127.0.0.1:19871 \
    --log-level warn --allow-insecure-ssec --default-block-ssec false & pids+=($!)
node --openssl-legacy-provider node_modules/s3rver/bin/s3rver.js -d "$work/s3rver" \
    -a 127.0.0.1 -p 19872 -s --no-vhost-buckets > /dev/null & pids+=($!)
sleep 3

# copy NAME ENDPOINT ACCESS SECRET [aws cp flags...]
copy() {
    local name=$1 endpoint=$2 ak=$3 sk=$4; shift 4
    local aws=(env AWS_ACCESS_KEY_ID="$ak" AWS_SECRET_ACCESS_KEY="$sk" aws --endpoint-url "$endpoint")
    local bucket="cpbench"
    "${aws[@]}" s3 mb "s3://$bucket" > /dev/null 2>&1 || true
    local t0 t1 t2
    t0=$(date +%s.%N)
    "${aws[@]}" s3 cp --only-show-errors "$work/file" "s3://$bucket/$name" "$@"
    t1=$(date +%s.%N)
    "${aws[@]}" s3 cp --only-show-errors "s3://$bucket/$name" "$work/back" "$@"
    t2=$(date +%s.%N)
    cmp -s "$work/file" "$work/back" || { echo "$name: DOWNLOAD DIFFERS"; exit 1; }
    printf '%-22s up %7.1f MiB/s   down %7.1f MiB/s\n' "$name" \
        "$(echo "$size_mib / ($t1 - $t0)" | bc -l)" "$(echo "$size_mib / ($t2 - $t1)" | bc -l)"
    rm -f "$work/back"
}

C=(http://127.0.0.1:19871 AKIACOFFERCPBENCH001 coffer-cp-bench-secret)
env AWS_ACCESS_KEY_ID=${C[1]} AWS_SECRET_ACCESS_KEY=${C[2]} aws --endpoint-url "${C[0]}" \
    kms create-alias --alias-name alias/cp-bench --target-key-id "$(env AWS_ACCESS_KEY_ID=${C[1]} \
    AWS_SECRET_ACCESS_KEY=${C[2]} aws --endpoint-url "${C[0]}" kms create-key \
    --query KeyMetadata.KeyId --output text)"
echo "aws s3 cp of ${size_mib} MiB on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
copy s3rver http://127.0.0.1:19872 S3RVER S3RVER
copy coffer-sse-s3 "${C[@]}" --sse AES256
copy coffer-sse-kms "${C[@]}" --sse aws:kms --sse-kms-key-id alias/cp-bench
copy coffer-sse-c "${C[@]}" --sse-c AES256 --sse-c-key "fileb://$work/ssec.key"
