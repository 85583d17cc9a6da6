import { checkTile, tileThreads, type MatmulTile } from './tiles.ts'

/**
 * Generates the matmul compute shader C = A x B for one tile shape.
 *
 * The text is generated rather than templated with `override` constants so
 * the register-blocked inner product is fully unrolled into named vec4
 * accumulators, which every driver keeps in registers. Two variants:
 * `aligned` (M, N, K multiples of the tile, N and K of 4) reads and writes
 * vec4s without bounds checks; the general one checks every access and is
 * correct for any shape (1xN, Nx1, tails that are not tile multiples).
 *
 * Within a workgroup, invocation (tx, ty) owns rows g*4*TY + ty*4 + r and
 * columns h*4*TX + tx*4 + c: neighbouring invocations read neighbouring vec4s
 * of the tiles (no bank conflicts) and write neighbouring vec4s of C.
 */
export function matmulWgsl (tile: MatmulTile, aligned: boolean): string {
  checkTile(tile)
  const { bm, bn, bk, tm, tn, prefetch } = tile
  const threads = tileThreads(tile)
  const tx = bn / tn
  const ty = bm / tm
  const rowGroups = tm / 4
  const colGroups = tn / 4
  const elem = aligned ? 'vec4<f32>' : 'f32'
  const aLoads = loadsPerThread(aligned ? bm * bk / 4 : bm * bk, threads)
  const bLoads = loadsPerThread(aligned ? bk * bn / 4 : bk * bn, threads)
  const lines: string[] = []
  const emit = (text: string): void => { lines.push(text) }

  emit('struct Dims { m: u32, n: u32, k: u32, tiles_k: u32 }')
  emit('@group(0) @binding(0) var<uniform> dims: Dims;')
  emit(`@group(0) @binding(1) var<storage, read> a: array<${elem}>;`)
  emit(`@group(0) @binding(2) var<storage, read> b: array<${elem}>;`)
  emit(`@group(0) @binding(3) var<storage, read_write> c: array<${elem}>;`)
  emit(`var<workgroup> a_tile: array<vec4<f32>, ${bk * bm / 4}>;`)
  emit(`var<workgroup> b_tile: array<vec4<f32>, ${bk * bn / 4}>;`)
  emit(`@compute @workgroup_size(${threads})`)
  emit('fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {')
  emit(`  let tx = tid % ${tx}u;`)
  emit(`  let ty = tid / ${tx}u;`)
  emit(`  let row0 = wid.y * ${bm}u;`)
  emit(`  let col0 = wid.x * ${bn}u;`)
  for (let i = 0; i < tm; i++) for (let h = 0; h < colGroups; h++) emit(`  var acc_${i}_${h} = vec4<f32>();`)
  for (let l = 0; l < aLoads.count; l++) emit(`  var sa_${l} = ${elem}();`)
  for (let l = 0; l < bLoads.count; l++) emit(`  var sb_${l} = ${elem}();`)

  const loadTiles = (t: string): void => {
    for (let l = 0; l < aLoads.count; l++) {
      guarded(aLoads, l, threads, emit, () => {
        if (aligned) {
          emit(`    { let i = ${l * threads}u + tid; let r = i / ${bk / 4}u; let q = i % ${bk / 4}u;`)
          emit(`      sa_${l} = a[(row0 + r) * (dims.k / 4u) + ${t} * ${bk / 4}u + q]; }`)
        } else {
          emit(`    { let i = ${l * threads}u + tid; let gr = row0 + i / ${bk}u; let gk = ${t} * ${bk}u + i % ${bk}u;`)
          emit(`      sa_${l} = 0.0; if (gr < dims.m && gk < dims.k) { sa_${l} = a[gr * dims.k + gk]; } }`)
        }
      })
    }
    for (let l = 0; l < bLoads.count; l++) {
      guarded(bLoads, l, threads, emit, () => {
        if (aligned) {
          emit(`    { let i = ${l * threads}u + tid; let kk = i / ${bn / 4}u; let q = i % ${bn / 4}u;`)
          emit(`      sb_${l} = b[(${t} * ${bk}u + kk) * (dims.n / 4u) + col0 / 4u + q]; }`)
        } else {
          emit(`    { let i = ${l * threads}u + tid; let gk = ${t} * ${bk}u + i / ${bn}u; let gc = col0 + i % ${bn}u;`)
          emit(`      sb_${l} = 0.0; if (gk < dims.k && gc < dims.n) { sb_${l} = b[gk * dims.n + gc]; } }`)
        }
      })
    }
  }
  const storeTiles = (): void => {
    for (let l = 0; l < aLoads.count; l++) {
      guarded(aLoads, l, threads, emit, () => {
        if (aligned) {
          emit(`    { let i = ${l * threads}u + tid; let r = i / ${bk / 4}u; let q = i % ${bk / 4}u;`)
          for (let k = 0; k < 4; k++) emit(`      a_tile[(q * 4u + ${k}u) * ${bm / 4}u + r / 4u][r % 4u] = sa_${l}[${k}];`)
          emit('    }')
        } else {
          emit(`    { let i = ${l * threads}u + tid; let r = i / ${bk}u; let kk = i % ${bk}u;`)
          emit(`      a_tile[kk * ${bm / 4}u + r / 4u][r % 4u] = sa_${l}; }`)
        }
      })
    }
    for (let l = 0; l < bLoads.count; l++) {
      guarded(bLoads, l, threads, emit, () => {
        if (aligned) {
          emit(`    b_tile[${l * threads}u + tid] = sb_${l};`)
        } else {
          emit(`    { let i = ${l * threads}u + tid; b_tile[i / 4u][i % 4u] = sb_${l}; }`)
        }
      })
    }
  }
  const multiplyTiles = (): void => {
    for (let k = 0; k < bk; k++) {
      for (let g = 0; g < rowGroups; g++) emit(`    let a${k}_${g} = a_tile[${k * bm / 4 + g * ty}u + ty];`)
      for (let h = 0; h < colGroups; h++) emit(`    let b${k}_${h} = b_tile[${k * bn / 4 + h * tx}u + tx];`)
      for (let g = 0; g < rowGroups; g++) {
        for (let r = 0; r < 4; r++) {
          for (let h = 0; h < colGroups; h++) emit(`    acc_${g * 4 + r}_${h} += a${k}_${g}[${r}] * b${k}_${h};`)
        }
      }
    }
  }

  if (prefetch) {
    loadTiles('0u')
    storeTiles()
    emit('  workgroupBarrier();')
    emit('  for (var t = 0u; t < dims.tiles_k; t++) {')
    emit('    let has_next = t + 1u < dims.tiles_k;')
    emit('    if (has_next) {')
    loadTiles('(t + 1u)')
    emit('    }')
    multiplyTiles()
    emit('    workgroupBarrier();')
    emit('    if (has_next) {')
    storeTiles()
    emit('    }')
    emit('    workgroupBarrier();')
    emit('  }')
  } else {
    emit('  for (var t = 0u; t < dims.tiles_k; t++) {')
    loadTiles('t')
    storeTiles()
    emit('    workgroupBarrier();')
    multiplyTiles()
    emit('    workgroupBarrier();')
    emit('  }')
  }

  for (let g = 0; g < rowGroups; g++) {
    for (let r = 0; r < 4; r++) {
      emit(`  { let gr = row0 + ${g * 4 * ty + r}u + ty * 4u;`)
      for (let h = 0; h < colGroups; h++) {
        const acc = `acc_${g * 4 + r}_${h}`
        emit(`    { let gc = col0 + ${h * 4 * tx}u + tx * 4u;`)
        if (aligned) {
          emit(`      c[gr * (dims.n / 4u) + gc / 4u] = ${acc}; }`)
        } else {
          emit('      if (gr < dims.m) {')
          for (let k = 0; k < 4; k++) emit(`        if (gc + ${k}u < dims.n) { c[gr * dims.n + gc + ${k}u] = ${acc}[${k}]; }`)
          emit('      } }')
        }
      }
      emit('  }')
    }
  }
  emit('}')
  return lines.join('\n') + '\n'
}

interface Loads { readonly count: number, readonly total: number }

function loadsPerThread (total: number, threads: number): Loads {
  return { count: Math.ceil(total / threads), total }
}

/** Emits a load or store, wrapped in a bound check only when the last round is partial. */
function guarded (loads: Loads, l: number, threads: number, emit: (text: string) => void, body: () => void): void {
  const partial = (l + 1) * threads > loads.total
  if (partial) emit(`    if (${l * threads}u + tid < ${loads.total}u) {`)
  body()
  if (partial) emit('    }')
}
