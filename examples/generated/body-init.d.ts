// The fetch client of @hey-api/openapi-ts names the DOM's `BodyInit`, which this project (no DOM
// library, Node's own fetch types) lacks: hey-api/hey-api#2539. The same type, from `RequestInit`.
type BodyInit = NonNullable<RequestInit['body']>;
