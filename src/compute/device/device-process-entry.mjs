// Worker threads start without the TypeScript loader of the thread that made
// them when it was registered through tsx's API (bin/mesh.js does that).
import { register } from 'tsx/esm/api'
register()
await import('./device-worker.ts')
