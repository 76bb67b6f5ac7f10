"use strict";
// The API's docs page: Swagger UI reading the schema. Replaces drf-spectacular's script, which
// also handles logins and CSRF tokens: the API has neither (GET, HEAD and OPTIONS only).
window.ui = SwaggerUIBundle({
  url: "{{ schema_url|escapejs }}",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  ...{{ settings|safe }},
});
