// The type names derived from a field's name: `createSubAccount` → `CreateSubAccountInput`,
// `…Payload`, `…Result`. One rule, so a mutation's types are named alike wherever they are built.
export const typeNameOf = (fieldName: string) => `${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}`;
