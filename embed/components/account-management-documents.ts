// The account's business details, read and edited by <connect-account-management>.
import { graphql } from '../generated/gql.ts';

export const businessDetailsDocument = graphql(`
  query EmbeddedBusinessDetails {
    businessDetails {
      organizationName
      country
      legalName
      addressLine1
      addressLine2
      city
      postalCode
      vatNumber
      phone
    }
  }
`);

export const updateBusinessDetailsDocument = graphql(`
  mutation EmbeddedUpdateBusinessDetails($input: UpdateBusinessDetailsInput!) {
    updateBusinessDetails(input: $input) {
      __typename
      ... on UpdateBusinessDetailsPayload {
        businessDetails { organizationName country legalName addressLine1 addressLine2 city postalCode vatNumber phone }
      }
      ... on Error { code message }
      ... on ValidationError { fields }
    }
  }
`);
