import pkg from '../package.json' with { type: 'json' };

/** The version users see in `natscope --version`, the User-Agent header and reports. */
export const APP_VERSION: string = pkg.version;
