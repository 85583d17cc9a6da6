#!/usr/bin/env node
// Makes the inputs of the Monte Carlo option example: the contract and the
// simulation size (option.json), with the Black-Scholes closed-form price to
// compare the Monte Carlo estimate with. The items are index-only, so there
// is no data file: everything the WGSL needs travels as --param.
//
//   node make-inputs.mjs [--out DIR] [--size ITEMS] [--paths PER_ITEM] [--chunks N]
//                        [--S0 V] [--K V] [--r V] [--sigma V] [--T V] [--seed S]
//
// Defaults: 4096 items of 256 paths (about a million paths), 8 chunks,
// S0 = K = 100, r = 5%, sigma = 20%, T = 1 year (Black-Scholes 10.4506).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '.' },
    size: { type: 'string', default: '4096' },
    paths: { type: 'string', default: '256' },
    chunks: { type: 'string', default: '8' },
    S0: { type: 'string', default: '100' },
    K: { type: 'string', default: '100' },
    r: { type: 'string', default: '0.05' },
    sigma: { type: 'string', default: '0.2' },
    T: { type: 'string', default: '1' },
    seed: { type: 'string', default: '2024' }
  }
})

function integer (name, min, max) {
  const n = Number(values[name])
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max} (got ${values[name]})`)
  return n
}
function positive (name) {
  const x = Number(values[name])
  if (!Number.isFinite(x) || x <= 0) throw new Error(`--${name} must be a positive number (got ${values[name]})`)
  return x
}

const items = integer('size', 1, 2 ** 32 - 1)
// A few hundred paths per item keeps each GPU invocation's loop short
// (software WebGPU such as Mesa llvmpipe cuts loops after 65,535 iterations).
const paths = integer('paths', 4, 40_000)
if (paths % 4 !== 0) throw new Error('--paths must be a multiple of 4 (random_normal4 gives four normals at a time)')
const chunks = Math.min(integer('chunks', 1, 1_000_000), items)
const contract = { S0: positive('S0'), K: positive('K'), r: Number(values.r), sigma: positive('sigma'), T: positive('T') }
if (!Number.isFinite(contract.r)) throw new Error('--r must be a number')

/**
 * The standard normal CDF to double precision: Marsaglia's series (J. Stat.
 * Software 11(4), 2004), Phi(x) = 1/2 + phi(x) (x + x^3/3 + x^5/(3*5) + ...),
 * whose terms are all of one sign, summed until they no longer change the sum.
 */
function normalCdf (x) {
  if (x < -9) return 0 // Phi(-9) < 1.2e-19
  if (x > 9) return 1
  const x2 = x * x
  let term = x
  let sum = x
  for (let n = 3; sum + term !== sum; n += 2) {
    term *= x2 / n
    sum += term
  }
  return 0.5 + sum * Math.exp(-0.5 * x2 - 0.918938533204672742) // ln sqrt(2 pi)
}

function blackScholesCall ({ S0, K, r, sigma, T }) {
  const d1 = (Math.log(S0 / K) + (r + 0.5 * sigma * sigma) * T) / (sigma * Math.sqrt(T))
  const d2 = d1 - sigma * Math.sqrt(T)
  return S0 * normalCdf(d1) - K * Math.exp(-r * T) * normalCdf(d2)
}

const option = {
  ...contract,
  items,
  paths,
  itemsPerChunk: Math.ceil(items / chunks),
  seed: values.seed,
  blackScholes: blackScholesCall(contract)
}
mkdirSync(values.out, { recursive: true })
writeFileSync(join(values.out, 'option.json'), JSON.stringify(option, null, 2) + '\n')
console.log(`option.json: call S0=${contract.S0} K=${contract.K} r=${contract.r} sigma=${contract.sigma} T=${contract.T}; ` +
  `${items} items x ${paths} paths = ${items * paths} paths in ${Math.ceil(items / option.itemsPerChunk)} chunks; Black-Scholes ${option.blackScholes.toFixed(4)}`)
