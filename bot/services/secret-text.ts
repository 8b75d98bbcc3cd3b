/** "The secret saved on 2026-12-01 was refused by Entra: AADSTS7000215." — what an admin mid-rotation needs to read. */
export function refusedSecretText(system: string, savedAt: number | null, code: string | undefined): string {
  const when = savedAt === null ? 'in use' : `saved on ${new Date(savedAt).toISOString().slice(0, 10)}`;
  return `The secret ${when} was refused by ${system}${code ? `: ${code}` : ''}.`;
}
