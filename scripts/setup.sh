#!/usr/bin/env bash
# One-time set-up of a clone: the system packages mesh needs where the
# platform has them, then the npm dependencies (which bring the pinned Node 24
# runtime).
#   Debian/Ubuntu: installed through apt (with sudo unless root):
#     Mesa's EGL/GLES driver gives WebGPU a software adapter where there is no GPU;
#     Chromium brings SwiftShader, a Vulkan software driver that, unlike Mesa's, runs
#     long loops to the end (kernels Mesa would cut run there);
#     tmux and iproute2 are for the end-to-end and LAN tests; nftables makes the NAT
#     routers of the two-networks tests (test/nat/).
#   Fedora/RHEL, Arch, openSUSE, Alpine: the same, named for the distribution's
#     package manager (dnf, pacman, zypper, apk); printed, not run.
#   macOS, Windows (Git Bash, MSYS2, Cygwin): nothing; WebGPU comes with the
#     webgpu package (Dawn on Metal or D3D12). On Windows, scripts/setup.ps1
#     does the same from PowerShell.
# The platform comes from `uname -s` and /etc/os-release (MESH_SETUP_OS_RELEASE
# names another file); MESH_SETUP_SKIP_NPM=1 leaves out `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The value of KEY in an os-release file, without quotes ('' when absent).
os_release_value () {
  sed -n "s/^$1=//p" "$2" 2>/dev/null | head -n 1 | tr -d "\"'" | tr '[:upper:]' '[:lower:]'
}

# debian|fedora|arch|suse|alpine, or 'linux' when the distribution is none of those.
linux_family () {
  local file=${MESH_SETUP_OS_RELEASE:-/etc/os-release} word
  [ -n "${MESH_SETUP_OS_RELEASE:-}" ] || [ -r "$file" ] || file=/usr/lib/os-release
  for word in $(os_release_value ID "$file") $(os_release_value ID_LIKE "$file"); do
    case "$word" in
      debian|ubuntu|raspbian|linuxmint|pop) echo debian; return ;;
      fedora|rhel|centos|rocky|almalinux|amzn|ol) echo fedora; return ;;
      arch|archarm|manjaro|endeavouros) echo arch; return ;;
      opensuse*|suse|sles|sled) echo suse; return ;;
      alpine) echo alpine; return ;;
    esac
  done
  # No os-release to go by: a system with dpkg and apt is set up as Debian.
  if [ -z "${MESH_SETUP_OS_RELEASE:-}" ] && command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then echo debian; return; fi
  echo linux
}

case "$(uname -s)" in
  Linux) platform=$(linux_family) ;;
  Darwin) platform=macos ;;
  MINGW*|MSYS*|CYGWIN*|Windows_NT) platform=windows ;;
  *) platform=other ;;
esac
if [ "$(id -u 2>/dev/null || echo 0)" = 0 ]; then sudo=""; else sudo="sudo "; fi

# The packages other distributions name, and the command that installs them.
suggest () {
  local command=$1 mesa=$2 tests=$3
  echo "setup: on this $4 system, mesh needs Mesa's EGL/GLES driver for WebGPU where there is no GPU driver,"
  echo "setup: and the test suite needs tmux and iproute2. If they are not installed yet, run:"
  echo "    ${sudo}${command} ${mesa} ${tests}"
}

case "$platform" in
  debian)
    packages="libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri chromium libvulkan1 tmux iproute2 nftables procps util-linux"
    missing=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $packages 2>/dev/null | awk '$1 != "ii" {print $2}'; \
      for p in $packages; do dpkg-query -W "$p" >/dev/null 2>&1 || echo "$p"; done)
    if [ -n "$(echo "$missing" | tr -d '[:space:]')" ]; then
      export DEBIAN_FRONTEND=noninteractive
      ${sudo}apt-get update -qq
      ${sudo}apt-get install -y -qq --no-install-recommends $(echo "$missing" | sort -u) >/dev/null
    fi
    ;;
  fedora) suggest "dnf install -y" "mesa-libEGL mesa-libGLES mesa-dri-drivers" "tmux iproute procps-ng util-linux" "Fedora/RHEL" ;;
  arch) suggest "pacman -S --needed --noconfirm" "mesa" "tmux iproute2 procps-ng util-linux" "Arch" ;;
  suse) suggest "zypper install -y" "Mesa-libEGL1 Mesa-libGLESv2-2 Mesa-dri" "tmux iproute2 procps util-linux" "openSUSE/SLES" ;;
  alpine)
    suggest "apk add" "mesa-egl mesa-gles mesa-dri-gallium" "tmux iproute2 procps util-linux" "Alpine"
    echo "setup: note: the pinned Node 24 and the WebGPU (Dawn) build npm installs are for glibc; on musl they may not run."
    ;;
  linux)
    echo "setup: this Linux distribution is not one setup.sh knows (Debian/Ubuntu, Fedora, Arch, openSUSE, Alpine)."
    echo "setup: install Mesa's EGL and GLES drivers (for WebGPU without a GPU driver) and, for the test suite, tmux and iproute2."
    ;;
  macos|windows)
    if [ "$platform" = macos ]; then name=macOS gpu=Metal; else name=Windows gpu=D3D12; fi
    echo "setup: no system packages are needed for mesh on $name (WebGPU runs on $gpu through the webgpu package)."
    echo "setup: the test suite's tmux and network-namespace tests need Linux; they are skipped here."
    ;;
  *) echo "setup: $(uname -s) is not a platform setup.sh knows; only the npm dependencies are installed." ;;
esac

if [ "${MESH_SETUP_SKIP_NPM:-}" = 1 ]; then
  echo "setup: npm ci left out (MESH_SETUP_SKIP_NPM=1)"
  exit 0
fi
# Under a system Node older than the pinned one, npm warns of every package's
# engine range (EBADENGINE, a screen of it); the pinned Node is what runs, so
# those lines are dropped. Everything else npm says, errors first of all, stays.
npm ci --no-audit --no-fund 2>&1 | awk '!/EBADENGINE/ { print; fflush() }'
