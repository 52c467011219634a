// `npx connect <command>`: the package's command line (package.json `bin`), over HTTP to a running
// server (CONNECT_URL; default http://localhost:4000).
import { Command } from 'commander';
import { createOrganization } from './create-organization.ts';
import { required, withApiKey } from './http-client.ts';
import { listen, newListenSecret } from './listen.ts';
import { seedDemo } from './seed-demo.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

const program = new Command()
  .name('connect')
  .description('The Connect API from a terminal. CONNECT_URL is the server (default http://localhost:4000).')
  .showHelpAfterError();

program
  .command('create-organization')
  .description('Create an organization (ADMIN_SECRET) and print its id and its first API key.')
  .requiredOption('--name <name>', "the organization's name")
  .requiredOption('--country <cc>', 'ISO 3166-1 alpha-2 country code')
  .option('--owner-email <email>', 'an owner who signs in (a password is made and printed)')
  .action(async (options: { name: string; country: string; ownerEmail?: string }) => {
    const created = await createOrganization(options);
    print(`organization ${created.organizationId}`);
    print(`tenant       ${created.tenantId}`);
    print(`api key      ${created.apiKey}`);
    if (created.ownerPassword) print(`owner        ${options.ownerEmail} / ${created.ownerPassword}`);
  });

program
  .command('seed-demo')
  .description('Fill a running server with a demo platform (ADMIN_SECRET) and print its API key.')
  .action(async () => {
    const demo = await seedDemo(print);
    print(`organization ${demo.organizationId}`);
    print(`api key      ${demo.apiKey}`);
  });

program
  .command('listen')
  .description('Forward your events, signed per Standard Webhooks, to a local URL (CONNECT_API_KEY).')
  .requiredOption('--forward-to <url>', 'where each event is POSTed')
  .option('--events <types>', 'comma-separated event types or <prefix>.* patterns (default: all)')
  .option('--connect', "your connected accounts' events, as a connect: true endpoint gets them", false)
  .action(async (options: { forwardTo: string; events?: string; connect: boolean }) => {
    const secret = newListenSecret();
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    print(`Ready. Your webhook signing secret for this run is ${secret}`);
    print(`Forwarding ${options.connect ? "connected accounts' " : ''}events to ${options.forwardTo} (Ctrl-C to stop)`);
    await listen(
      {
        server: withApiKey(required('CONNECT_API_KEY')),
        forwardTo: options.forwardTo,
        types: options.events ? options.events.split(',').map((type) => type.trim()) : null,
        connect: options.connect,
        log: print,
        signal: stop.signal,
      },
      secret,
    );
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`connect: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
