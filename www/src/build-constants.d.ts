// Constants the build puts into the page (vite.config.ts `define`).

/** The scenarios with a pretrained policy under `pretrained/` in this build, sorted. */
declare const __PRETRAINED_SCENARIOS__: readonly string[];
