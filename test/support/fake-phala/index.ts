export { ManualClock } from './clock.js';
export { DEFAULT_COMPOSE, type FakeReplica, Fleet, type FleetOptions, uuidFrom } from './fleet.js';
export { type Fault, FakePhala, type FakePhalaOptions, type LoggedRequest } from './server.js';
