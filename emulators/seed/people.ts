import { createHash } from 'node:crypto';

/** The demo company's staff: realistic, varied names in a stable order (index 0 and 1 are the admins). */
export const DEMO_PEOPLE: [given: string, family: string][] = [
  ['Megan', 'Bowen'],
  ['Adele', 'Vance'],
  ['Alex', 'Wilber'],
  ['Diego', 'Siciliani'],
  ['Grady', 'Archie'],
  ['Isaiah', 'Langer'],
  ['Johanna', 'Lorenz'],
  ['Lee', 'Gu'],
  ['Lidia', 'Holloway'],
  ['Lynne', 'Robbins'],
  ['Miriam', 'Graham'],
  ['Nestor', 'Wilke'],
  ['Patti', 'Fernandez'],
  ['Pradeep', 'Gupta'],
  ['Henrietta', 'Mueller'],
  ['Joni', 'Sherman'],
  ['Aiko', 'Tanaka'],
  ['Tomasz', 'Nowak'],
  ['Fatima', 'Haddad'],
  ['Sven', 'Lindqvist'],
  ['Amara', 'Okafor'],
  ['Lucas', 'Moreau'],
  ['Priya', 'Raman'],
  ['Jonas', 'Becker'],
  ['Sofia', 'Rossi'],
  ['Mateo', 'Garcia'],
  ['Ingrid', 'Hansen'],
  ['Kwame', 'Mensah'],
  ['Elena', 'Petrova'],
  ['Yusuf', 'Demir'],
  ['Chloe', 'Dubois'],
  ['Hiroshi', 'Sato'],
  ['Zara', 'Ahmed'],
  ['Liam', "O'Connor"],
  ['Nadia', 'Kowalski'],
  ['Rafael', 'Souza'],
  ['Emma', 'Schmidt'],
  ['Oskar', 'Nilsson'],
  ['Mei', 'Chen'],
  ['Daniel', 'Cohen'],
  ['Ana', 'Silva'],
  ['Felix', 'Wagner'],
  ['Leila', 'Karimi'],
  ['Noah', 'Fischer'],
  ['Hannah', 'Weber'],
  ['Arjun', 'Mehta'],
  ['Julia', 'Novak'],
  ['Samuel', 'Adeyemi'],
];

/** A stable GUID from a name, so the demo keeps its ids across restarts (stores and bookmarks keep working). */
export function stableGuid(name: string): string {
  const h = createHash('sha256').update(`switchboard-demo:${name}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** UPN local part: ascii letters only, "given.family". */
export function mailNick(given: string, family: string): string {
  const clean = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
  return `${clean(given)}.${clean(family)}`;
}
