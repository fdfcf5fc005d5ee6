// import-in-the-middle ships this dependency-free entry without types. Importing the check from
// register-hooks.mjs, which has types, would load the loader's parsers on every Node version.
declare module 'import-in-the-middle/supports-sync-hooks.mjs' {
  /** Whether this Node runs import-in-the-middle's hooks in-thread (`module.registerHooks`). */
  export function supportsSyncHooks(): boolean;
}
