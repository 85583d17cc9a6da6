// Prints a run's figures from its peers' JSON lines: chunks verified, wall
// time, and how the chunks were shared between the two volunteers.
//   node examples/lib/summary.mjs WORK_DIR
import { readFileSync } from 'node:fs'

const work = process.argv[2]
const lines = file => readFileSync(`${work}/${file}`, 'utf8').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
const done = lines('researcher.log').find(l => l.event === 'done')
const perVolunteer = [1, 2].map(v => lines(`volunteer-${v}.log`).filter(l => l.event === 'chunk-computed').length)
console.log(`project ${done.projectId}: ${done.chunks} chunks verified in ${(done.wallMs / 1000).toFixed(1)} s; chunks computed per volunteer: ${perVolunteer.join(', ')}`)
