/**
 * A route's hooks of one kind (a function, an array of them, or none) as an array, to spread into
 * the route's new list: for the plugins that give each route the hooks it needs when it is
 * registered, rather than one hook on every request asking which route it is on.
 */
export const hooksOf = <T>(hooks: T | T[] | undefined): readonly T[] =>
  hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
