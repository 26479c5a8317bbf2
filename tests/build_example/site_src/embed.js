// Sizes the example's embedded frames (the real one is site_src/embed.js).
