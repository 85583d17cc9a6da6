// The device's child process starts without the TypeScript loader of its
// parent when that registered it through tsx's API (bin/mesh.js does that),
// and ProcessComputeDevice passes no --import: register it here, from this
// package's own tsx, both in the repository and in an installed package.
import { register } from 'tsx/esm/api'
register()
await import('./device-process.ts')
