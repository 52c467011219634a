// The account's activity: the latest events, then each new one as it commits (over SSE).
import { graphql } from '../generated/gql.ts';

export const recentEventsDocument = graphql(`
  query EmbeddedRecentEvents {
    events(first: 20) {
      nodes { id type createdAt objectId }
    }
  }
`);

export const liveEventsDocument = graphql(`
  subscription EmbeddedLiveEvents($after: ID) {
    events(after: $after) { id type createdAt objectId }
  }
`);
