/** The app setups room: Heroku's deploy-button flow (`POST /app-setups`) over the builder, apps and dyno manager. */
export { createAppSetupService, type AppSetupService, type AppSetupDeps, type AppSetupInput } from './setup.js';
