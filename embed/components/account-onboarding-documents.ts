// The embedded onboarding's mutations: each answers with the onboarding's next step, or an error
// the form shows next to its field.
import { graphql } from '../generated/gql.ts';

export const signUpDocument = graphql(`
  mutation EmbeddedOnboardingSignUp($input: EmbeddedOnboardingSignUpInput!) {
    embeddedOnboardingSignUp(input: $input) {
      __typename
      ... on EmbeddedOnboardingSignUpPayload {
        onboarding { step email organizationName country }
      }
      ... on Error { code message }
      ... on ValidationError { fields }
    }
  }
`);

export const signInDocument = graphql(`
  mutation EmbeddedOnboardingSignIn($input: EmbeddedOnboardingSignInInput!) {
    embeddedOnboardingSignIn(input: $input) {
      __typename
      ... on EmbeddedOnboardingSignInPayload {
        onboarding { step email organizationName country }
      }
      ... on Error { code message }
      ... on ValidationError { fields }
    }
  }
`);

export const verifyEmailDocument = graphql(`
  mutation EmbeddedOnboardingVerifyEmail($input: EmbeddedOnboardingVerifyEmailInput!) {
    embeddedOnboardingVerifyEmail(input: $input) {
      __typename
      ... on EmbeddedOnboardingVerifyEmailPayload {
        onboarding { step email organizationName country }
      }
      ... on Error { code message }
      ... on ValidationError { fields }
    }
  }
`);

export const completeDocument = graphql(`
  mutation EmbeddedOnboardingComplete($input: EmbeddedOnboardingCompleteInput!) {
    embeddedOnboardingComplete(input: $input) {
      __typename
      ... on EmbeddedOnboardingCompletePayload { connectedAccountId }
      ... on Error { code message }
      ... on ValidationError { fields }
    }
  }
`);
