// The framework floor of the benchmark: graphql-yoga alone on node:http, answering `{ hello }` with
// no plugin, no context, no database. What any request of ours costs at the least.
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  logging: false,
  landingPage: false,
  graphiql: false,
});
createServer(yoga).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('yoga ready'));
