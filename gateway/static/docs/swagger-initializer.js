// Swagger UI for the gateway's own document. A file, not an inline script: the CSP allows scripts from 'self' only.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // The public validator badge would load an image from validator.swagger.io, which the CSP refuses.
    validatorUrl: null,
    showExtensions: true,
  });
});
