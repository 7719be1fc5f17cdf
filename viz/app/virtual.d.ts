/** The user's scenarios, from the dev server's plugin (faultline/node's vite-user-scenarios.ts). */
declare module 'virtual:faultline-user-scenarios' {
  const scenarios: readonly unknown[];
  export default scenarios;
}
