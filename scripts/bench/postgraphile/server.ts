// The PostGraphile 5 reference of the benchmark: the same tables, served by PostGraphile's Amber
// preset (no authentication of its own). Usage: DATABASE_URL=… PORT=… tsx scripts/bench/postgraphile/server.ts (its own node_modules: see bench.ts)
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL!, schemas: ['public'], poolConfig: { max: 20 } })],
  grafserv: { graphqlPath: '/graphql', graphiql: false },
};
const instance = postgraphile(preset);
const serv = instance.createServ(grafserv);
const server = createServer();
await serv.addTo(server);
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('postgraphile ready'));
