// plotly.js-dist-min is the prebuilt bundle of plotly.js: the same API and types.
declare module 'plotly.js-dist-min' {
  export * from 'plotly.js';
}
