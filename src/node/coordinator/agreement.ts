/** A result of one chunk from one volunteer. */
export interface Candidate {
  readonly volunteer: string
  readonly output: Float32Array
}

export interface Decision<C extends Candidate> {
  /** The agreeing group accepted, when there is one. */
  readonly winner?: readonly C[]
  /** Volunteers outside the winning group: their results disagree with the accepted one. */
  readonly dissenters: readonly string[]
  /** Results disagree and no group has won yet: another replica is needed. */
  readonly undecided: boolean
}

/** Groups results that agree within tolerance (each compared with its group's first). */
export function groupByAgreement<C extends Candidate> (candidates: readonly C[], agree: (a: Float32Array, b: Float32Array) => boolean): C[][] {
  const groups: C[][] = []
  for (const candidate of candidates) {
    const group = groups.find(g => agree(g[0].output, candidate.output))
    if (group == null) groups.push([candidate])
    else group.push(candidate)
  }
  return groups
}

/**
 * The verification rule: a group wins when at least `redundancy` distinct
 * volunteers agree in it and it is a strict majority of every result
 * received. Without a winner, disagreement means another replica is needed.
 */
export function decide<C extends Candidate> (groups: readonly C[][], redundancy: number): Decision<C> {
  const total = groups.reduce((sum, g) => sum + g.length, 0)
  const winner = groups.find(g => g.length >= redundancy && g.length * 2 > total)
  if (winner == null) return { dissenters: [], undecided: groups.length > 1 }
  const dissenters = groups.filter(g => g !== winner).flat().map(c => c.volunteer)
  return { winner, dissenters, undecided: false }
}
