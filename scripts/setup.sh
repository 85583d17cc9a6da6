#!/usr/bin/env bash
# One-time set-up on a Debian/Ubuntu machine: the system packages mesh needs,
# then the npm dependencies (which bring the pinned Node 24 runtime).
#   Mesa's EGL/GLES driver gives WebGPU a software adapter where there is no GPU;
#   Chromium brings SwiftShader, a Vulkan software driver that, unlike Mesa's, runs
#   long loops to the end (kernels Mesa would cut run there);
#   tmux and iproute2 are for the end-to-end and LAN tests.
set -euo pipefail
cd "$(dirname "$0")/.."
packages="libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri chromium tmux iproute2 procps util-linux"
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
missing=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $packages 2>/dev/null | awk '$1 != "ii" {print $2}'; \
  for p in $packages; do dpkg-query -W "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$(echo "$missing" | tr -d '[:space:]')" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends $(echo "$missing" | sort -u) >/dev/null
fi
npm ci --no-audit --no-fund
