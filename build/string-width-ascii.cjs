// What the bundle's yargs, cliui and wrap-ansi get for `string-width` (build/bundle.ts):
// printable ASCII is as wide as it is long, the answer for every help text and message of
// docker-jindr, without loading string-width, whose Unicode tables (RGI emoji, East Asian
// width, a grapheme segmenter) cost a command ~20 ms of start-up. Anything else is asked
// of string-width itself, loaded on first need.
'use strict';
let stringWidth;
module.exports = function asciiStringWidth(text, options) {
  if (typeof text === 'string' && /^[\x20-\x7e]*$/.test(text)) return text.length;
  stringWidth ??= require('string-width').default;
  return stringWidth(text, options);
};
