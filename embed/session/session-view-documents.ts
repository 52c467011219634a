// What the session says of itself and its account (session-view.ts reads it).
import { graphql } from '../generated/gql.ts';

export const sessionViewDocument = graphql(`
  query SessionView {
    accountSession {
      id
      components
      expiresAt
      connectedAccountId
      accountStatus
      branding {
        platformName
        logoUrl
      }
      onboarding {
        step
        email
        organizationName
        country
      }
    }
  }
`);
