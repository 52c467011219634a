// The page's own query, sent with the session's client secret like the components' requests.
import { graphql } from '../generated/gql.ts';

export const sessionSummaryDocument = graphql(`
  query PlatformPageSessionSummary {
    accountSession {
      expiresAt
      accountStatus
      branding { platformName }
    }
  }
`);
