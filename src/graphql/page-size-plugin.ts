// The page sizes of every connection (Relay's first/last), and the plugin that states them in the
// description of every connection field, so the schema a client reads says what the server does.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';

/** Pothos's prisma plugin serves `defaultSize` nodes when neither `first` nor `last` is given, and reads a larger one as `maxSize`. */
export const pageSizes = { defaultSize: 20, maxSize: 100 } as const;

const pluginName = 'pageSize';

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      pageSize: PageSizePlugin<Types>;
    }
  }
}

export const pageSizeDescription =
  `Pages hold ${pageSizes.defaultSize} nodes by default and at most ${pageSizes.maxSize}: a larger \`first\` or \`last\` is read as ` +
  `${pageSizes.maxSize}, a negative one is refused (BAD_USER_INPUT).`;

const isConnectionField = (fieldConfig: PothosOutputFieldConfig<SchemaTypes>) =>
  ['first', 'last', 'after', 'before'].every((name) => name in fieldConfig.args);

export class PageSizePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (!isConnectionField(fieldConfig as PothosOutputFieldConfig<SchemaTypes>)) return fieldConfig;
    const { description } = fieldConfig;
    return { ...fieldConfig, description: description ? `${description} ${pageSizeDescription}` : pageSizeDescription };
  }
}

SchemaBuilder.registerPlugin(pluginName, PageSizePlugin);

export default pluginName;
