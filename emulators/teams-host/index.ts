export { startTeamsHost, type TeamsHost, type TeamsHostOptions, type TeamsHostUser } from './server';
