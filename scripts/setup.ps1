# One-time set-up of a clone on Windows, from PowerShell (Windows PowerShell
# 5.1 or PowerShell 7):  powershell -ExecutionPolicy Bypass -File scripts\setup.ps1
# No system packages are needed: WebGPU comes with the webgpu package (Dawn on
# D3D12). `npm ci` installs the dependencies and the pinned Node 24 runtime.
# Set MESH_SETUP_SKIP_NPM=1 to leave out `npm ci`.
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..')

Write-Host 'setup: no system packages are needed for mesh on Windows (WebGPU runs on D3D12 through the webgpu package).'
Write-Host "setup: the test suite's tmux and network-namespace tests need Linux; they are skipped here."

if ($env:MESH_SETUP_SKIP_NPM -eq '1') {
  Write-Host 'setup: npm ci left out (MESH_SETUP_SKIP_NPM=1)'
  exit 0
}
if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
  Write-Host 'setup: npm was not found: install Node.js 20 or newer (it comes with npm), then run this again.'
  exit 1
}

# Under a system Node older than the pinned one, npm warns of every package's
# engine range (EBADENGINE, a screen of it); the pinned Node is what runs, so
# those lines are dropped. Everything else npm says, errors first of all, stays.
# (npm's stderr must not count as a PowerShell error here, hence 'Continue'.)
$ErrorActionPreference = 'Continue'
& npm ci --no-audit --no-fund 2>&1 | ForEach-Object { "$_" } | Where-Object { $_ -notmatch 'EBADENGINE' }
$code = $LASTEXITCODE
$ErrorActionPreference = 'Stop'
if ($code -ne 0) {
  Write-Host "setup: npm ci failed (exit code $code); see npm's messages above."
  exit $code
}
Write-Host 'setup: done: npm ci installed the dependencies and the pinned Node 24 runtime into node_modules.'
Write-Host 'setup: run `npx mesh` (or `npm link` once, then `mesh`).'
