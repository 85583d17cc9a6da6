/**
 * The transfer benchmark run inside a shaped network namespace
 * (shaped-link.ts): argv[2] is the TransferOptions JSON; prints the figures.
 */
import { benchTransfer, type TransferOptions } from '../transfer.ts'

const figures = await benchTransfer(JSON.parse(process.argv[2]) as TransferOptions)
process.stdout.write(JSON.stringify(figures) + '\n')
process.exit(0)
