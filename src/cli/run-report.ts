import { writeFile } from 'node:fs/promises';
import { renderRunReport } from '../eval/report-html.ts';
import { FileJournalStore } from '../exec/file-journal-store.ts';

/** Writes the HTML report of a journaled run (`exec --report F.html`), read back from its journal. */
export async function writeRunReport(
  file: string,
  journalDir: string,
  runId: string,
  io: { stderr: NodeJS.WritableStream },
): Promise<void> {
  const events = await new FileJournalStore(journalDir).read(runId);
  try {
    await writeFile(file, renderRunReport(runId, events));
    io.stderr.write(`toolplan: report of run ${runId} written to ${file}\n`);
  } catch (error) {
    io.stderr.write(`toolplan: cannot write the report to ${file}: ${(error as Error).message}\n`);
  }
}
