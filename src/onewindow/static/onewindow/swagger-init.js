/* Starts the vendored Swagger UI on /api/v1/docs with the settings the page carries (no inline script). */
const config = JSON.parse(document.getElementById("swagger-settings").textContent);
config.dom_id = "#swagger-ui";
config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset];
config.plugins = [SwaggerUIBundle.plugins.DownloadUrl];
window.ui = SwaggerUIBundle(config);
