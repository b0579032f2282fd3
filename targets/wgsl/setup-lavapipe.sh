#!/usr/bin/env bash
# Puts Mesa's lavapipe (a CPU Vulkan driver) from bookworm-backports into .cache/lavapipe, unpacked and
# not installed, so the wgsl conformance target can run WebGPU (Dawn) without a GPU. Debian 12's own
# mesa-vulkan-drivers (22.3) is too old for Dawn; backports carries 25.x. The Vulkan loader (libvulkan1)
# is unpacked beside it, so nothing is installed system-wide. Idempotent: a finished unpack is left
# alone. Called by .ci/run; needs network the first time.
# Usage: targets/wgsl/setup-lavapipe.sh [DEST]   (default: <repo>/.cache/lavapipe)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${1:-$root/.cache/lavapipe}"
mkdir -p "$dest" && dest="$(cd "$dest" && pwd)"  # absolute: the driver manifest names the library by full path
# the package's own manifest names /usr/lib/...; ours names the unpacked library
icd="$dest/lvp_icd.json"
lib="$dest/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
# done, and still naming this folder (a moved checkout unpacks again)
if [ -f "$dest/.done" ] && [ -f "$icd" ] && grep -qF "\"$lib\"" "$icd"; then
  echo "lavapipe: already in $dest"
  exit 0
fi
if [ "$(uname -m)" != "x86_64" ]; then
  echo "lavapipe: only x86_64 is set up by this script (this is $(uname -m))" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/debs"
printf '%s\n' "deb http://deb.debian.org/debian bookworm main" "deb http://deb.debian.org/debian bookworm-backports main" >"$work/backports.list"
# a private source list and list state: the system's apt configuration is not touched
aptopts=(-o "Dir::Etc::SourceList=$work/backports.list" -o "Dir::Etc::SourceParts=/dev/null" -o "Dir::State::Lists=$work/lists")
# apt warns that root downloads into a folder _apt cannot read; that is expected here
apt-get "${aptopts[@]}" update -qq 2>&1 | grep -v unsandboxed || true

# the driver, the libdrm it needs (newer than bookworm's), and the loader; its other dependencies
# (libllvm15, libxcb*, libwayland-client0, libzstd1, ...) are already on a bookworm system
pkgs=(mesa-vulkan-drivers libdrm2 libdrm-amdgpu1 libvulkan1)
cd "$work/debs"
for p in "${pkgs[@]}"; do
  apt-get "${aptopts[@]}" download "$p/bookworm-backports" >/dev/null 2>&1 || apt-get "${aptopts[@]}" download "$p" >/dev/null 2>&1 \
    || { echo "lavapipe: could not download $p (no network?)" >&2; exit 1; }
done
rm -rf "$dest"
mkdir -p "$dest"
for d in ./*.deb; do dpkg -x "$d" "$dest"; done
if [ ! -f "$lib" ]; then
  echo "lavapipe: $lib missing after unpacking (did mesa-vulkan-drivers download?)" >&2
  exit 1
fi
api="$(sed -n 's/.*"api_version": *"\([^"]*\)".*/\1/p' "$dest/usr/share/vulkan/icd.d/lvp_icd.json")"
printf '{\n  "ICD": { "api_version": "%s", "library_path": "%s" },\n  "file_format_version": "1.0.1"\n}\n' "${api:-1.4.0}" "$lib" >"$icd"
touch "$dest/.done"
echo "lavapipe: unpacked into $dest ($(ls ./*.deb | wc -l) packages)"
