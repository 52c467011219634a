// <connect-connections>: the account's provider connections: list, add (the provider's own fields),
// replace secrets, check the credentials against the provider, archive and restore. Secrets are
// write-only: typed into password fields, sent once, never shown or kept in the page.
import { html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { ConnectionHealthStatus, EmbeddedConnectionFragment, ProviderType } from '../generated/graphql.ts';
import { ConnectElement } from './connect-element.ts';
import {
  archiveConnectionDocument,
  connectionsDocument,
  createConnectionDocument,
  replaceSecretsDocument,
  unarchiveConnectionDocument,
  verifyConnectionDocument,
} from './connections-documents.ts';
import { type FieldSpec, FormController, type MutationError } from './form-controller.ts';
import { outcome } from './mutation-outcome.ts';
import { PROVIDER_FORMS, providerTypes, settingsInput } from './provider-forms.ts';

type Connection = EmbeddedConnectionFragment;

const HEALTH: Record<ConnectionHealthStatus, string> = {
  HEALTHY: 'Working',
  FAILING: 'Not working',
  NEEDS_REAUTH: 'Needs new credentials',
  UNKNOWN: 'Not checked yet',
};

const nameField: FieldSpec<string> = { name: 'name', label: 'Name', required: true, hint: 'So you can tell your connections apart.' };

export class ConnectionsElement extends ConnectElement {
  readonly componentName = 'connect-connections';
  protected readonly componentTitle = 'Connections';
  protected readonly sessionComponent = 'CONNECTIONS';

  @state() private accessor connections: Connection[] = [];
  @state() private accessor adding = false;
  @state() private accessor provider: ProviderType = 'STRIPE';
  /** The connection whose secrets are being replaced. */
  @state() private accessor replacing: string | null = null;
  /** The connection an action runs on, and what the last one said (announced). */
  @state() private accessor busy: string | null = null;
  @state() private accessor announcement = '';

  readonly #create = new FormController<string>(
    this,
    'new-connection',
    () => {
      const form = PROVIDER_FORMS[this.provider];
      const providerField: FieldSpec<string> = {
        name: 'providerType',
        label: 'Provider',
        required: true,
        options: providerTypes.map((type) => ({ value: type, label: PROVIDER_FORMS[type].label })),
      };
      return [providerField, nameField, ...form.secretFields, ...form.settingsFields];
    },
    (e) => this.report(e),
  );

  readonly #replace = new FormController<string>(
    this,
    'replace-secrets',
    () => {
      const connection = this.connections.find(({ id }) => id === this.replacing);
      // On a replacement every secret is optional: a blank one keeps its stored value.
      return connection ? PROVIDER_FORMS[connection.providerType].secretFields.map((field) => ({ ...field, required: false })) : [];
    },
    (e) => this.report(e),
  );

  protected async load(): Promise<void> {
    this.connections = (await this.client.execute(connectionsDocument)).connections.nodes;
  }

  #replaced(connection: Connection, message: string): void {
    this.connections = this.connections.some(({ id }) => id === connection.id)
      ? this.connections.map((existing) => (existing.id === connection.id ? connection : existing))
      : [...this.connections, connection];
    this.announcement = message;
  }

  #submitCreate = (event: SubmitEvent) =>
    this.#create.submit(event, async (values): Promise<MutationError | null> => {
      const form = PROVIDER_FORMS[this.provider];
      const { createConnection: result } = await this.client.execute(createConnectionDocument, {
        input: {
          providerType: this.provider,
          name: values.name ?? '',
          secrets: form.secretsInput(values),
          settings: settingsInput(form, values),
        },
      });
      const { payload, error } = outcome(result, 'CreateConnectionPayload');
      if (payload) {
        this.adding = false;
        this.#replaced(payload.connection, `${payload.connection.name} is added. Check its credentials to start using it.`);
      }
      return error;
    });

  #submitReplace = (event: SubmitEvent, connection: Connection) =>
    this.#replace.submit(event, async (values) => {
      const secrets = PROVIDER_FORMS[connection.providerType].secretsInput(values);
      const { updateConnection: result } = await this.client.execute(replaceSecretsDocument, { input: { id: connection.id, secrets } });
      const { payload, error } = outcome(result, 'UpdateConnectionPayload');
      if (payload) {
        this.replacing = null;
        this.#replaced(payload.connection, `The secrets of ${connection.name} are replaced.`);
      }
      return error;
    });

  /** One button's action on one connection: its answer is announced, a refusal too. */
  async #act(
    connection: Connection,
    run: () => Promise<{ payload: { connection: Connection } | null; error: MutationError | null }>,
    done: (updated: Connection) => string,
  ) {
    this.busy = connection.id;
    try {
      const { payload, error } = await run();
      if (payload) this.#replaced(payload.connection, done(payload.connection));
      else this.announcement = `${connection.name}: ${error?.message ?? 'that did not work.'}`;
    } catch (error) {
      this.announcement = this.report(error);
    }
    this.busy = null;
  }

  #verify = (connection: Connection) =>
    this.#act(
      connection,
      async () =>
        outcome(
          (await this.client.execute(verifyConnectionDocument, { input: { id: connection.id } })).verifyConnection,
          'VerifyConnectionPayload',
        ),
      (updated) =>
        updated.health.status === 'HEALTHY'
          ? `${updated.name}: the credentials work.`
          : `${updated.name}: the credentials did not work (${updated.health.lastError ?? HEALTH[updated.health.status]}).`,
    );

  #archive = (connection: Connection) =>
    this.#act(
      connection,
      async () =>
        outcome(
          (await this.client.execute(archiveConnectionDocument, { input: { id: connection.id } })).archiveConnection,
          'ArchiveConnectionPayload',
        ),
      (updated) => `${updated.name} is archived.`,
    );

  #restore = (connection: Connection) =>
    this.#act(
      connection,
      async () =>
        outcome(
          (await this.client.execute(unarchiveConnectionDocument, { input: { id: connection.id } })).unarchiveConnection,
          'UnarchiveConnectionPayload',
        ),
      (updated) => `${updated.name} is restored.`,
    );

  protected renderContent(): TemplateResult {
    return html`<h2>${this.componentTitle}</h2>
      <p role="status" class="status">${this.announcement}</p>
      ${this.connections.length === 0 ? html`<p class="muted">No connections yet.</p>` : nothing}
      <ul class="items">
        ${this.connections.map((connection) => this.#renderConnection(connection))}
      </ul>
      ${this.adding ? this.#renderCreate() : html`<div class="actions"><button type="button" @click=${this.#startAdding}>Add a connection</button></div>`}`;
  }

  #startAdding = async () => {
    this.#create.reset();
    this.adding = true;
    await this.updateComplete;
    (this.renderRoot.querySelector('#new-connection-providerType') as HTMLElement | null)?.focus();
  };

  #renderConnection(connection: Connection): TemplateResult {
    const of = html`<span class="visually-hidden"> of ${connection.name}</span>`;
    const archived = connection.status === 'ARCHIVED';
    const busy = this.busy === connection.id;
    return html`<li aria-busy=${busy ? 'true' : 'false'}>
      <h3>${connection.name}</h3>
      <p>
        ${PROVIDER_FORMS[connection.providerType].label} ·
        <span class="health">${archived ? 'Archived' : HEALTH[connection.health.status]}</span>
        ${connection.health.lastError && !archived ? html`<br /><span class="muted">${connection.health.lastError}</span>` : nothing}
      </p>
      ${
        this.replacing === connection.id
          ? this.#renderReplace(connection)
          : html`<div class="actions">
              ${
                archived
                  ? html`<button type="button" class="secondary" ?disabled=${busy} @click=${() => this.#restore(connection)}>Restore${of}</button>`
                  : html`<button type="button" ?disabled=${busy} @click=${() => this.#verify(connection)}>Check credentials${of}</button>
                      <button type="button" class="secondary" ?disabled=${busy} @click=${() => this.#openReplace(connection)}>Replace secrets${of}</button>
                      <button type="button" class="secondary" ?disabled=${busy} @click=${() => this.#archive(connection)}>Archive${of}</button>`
              }
            </div>`
      }
    </li>`;
  }

  #openReplace = async (connection: Connection) => {
    this.#replace.reset();
    this.replacing = connection.id;
    await this.updateComplete;
    (this.renderRoot.querySelector('#replace-secrets-form input') as HTMLElement | null)?.focus();
  };

  #renderReplace(connection: Connection): TemplateResult {
    const fields = PROVIDER_FORMS[connection.providerType].secretFields;
    return html`<form id="replace-secrets-form" novalidate @submit=${(event: SubmitEvent) => this.#submitReplace(event, connection)}>
      <p class="muted">Stored secrets are never shown. Fill in the ones to replace; the others are kept.</p>
      ${this.#replace.renderSummary()} ${fields.map(({ name }) => this.#replace.renderField(name))}
      <div class="actions">
        <button ?disabled=${this.#replace.submitting}>Save secrets</button>
        <button type="button" class="secondary" @click=${() => (this.replacing = null)}>Cancel</button>
      </div>
    </form>`;
  }

  #renderCreate(): TemplateResult {
    const form = PROVIDER_FORMS[this.provider];
    const changeProvider = (event: Event) => {
      this.provider = (event.target as HTMLSelectElement).value as ProviderType;
    };
    return html`<form novalidate @submit=${this.#submitCreate} @change=${(event: Event) => (event.target as HTMLElement).id === 'new-connection-providerType' && changeProvider(event)}>
      <h3>Add a connection</h3>
      ${this.#create.renderSummary()} ${this.#create.renderField('providerType', this.provider)} ${this.#create.renderField('name')}
      ${[...form.secretFields, ...form.settingsFields].map(({ name }) => this.#create.renderField(name))}
      <div class="actions">
        <button ?disabled=${this.#create.submitting}>Add connection</button>
        <button type="button" class="secondary" @click=${() => (this.adding = false)}>Cancel</button>
      </div>
    </form>`;
  }
}
