// What the account still owes its platform (the acting account's requirements).
import { graphql } from '../generated/gql.ts';

export const requirementsDocument = graphql(`
  query EmbeddedRequirements {
    viewer {
      actingAs {
        id
        status
        requirements { currentlyDue }
      }
    }
  }
`);
