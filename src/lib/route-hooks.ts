/**
 * A route's hooks of one kind (a function, an array of them, or none) as a new array to add to: for
 * the plugins that give each route the hooks it needs when it is registered, rather than one hook
 * on every request asking which route it is on.
 */
export const hooksOf = <T>(hooks: T | T[] | undefined): T[] =>
  hooks === undefined ? [] : Array.isArray(hooks) ? [...hooks] : [hooks];
