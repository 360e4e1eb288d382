/* The API reference at /api/v1/docs: Swagger UI on the OpenAPI document of
 * this database. A plain script, not an Odoo module: the page loads no Odoo
 * bundle. */
(function () {
    "use strict";
    const root = document.getElementById("swagger-ui");
    if (!root || !window.SwaggerUIBundle) {
        return;
    }
    const ui = window.SwaggerUIBundle({
        url: root.dataset.url,
        domNode: root,
        layout: "BaseLayout",
        presets: [window.SwaggerUIBundle.presets.apis],
        deepLinking: true,
        docExpansion: "list",
        defaultModelsExpandDepth: 0,
        displayRequestDuration: true,
        filter: true,
        showExtensions: false,
        tryItOutEnabled: false,
        persistAuthorization: false,
        // Never ask validator.swagger.io about the document.
        validatorUrl: null,
        // The API authenticates by bearer credential only: no cookie is sent.
        requestInterceptor(request) {
            request.credentials = "omit";
            return request;
        },
    });
    // The header's section links open their section and scroll to it.
    for (const link of document.querySelectorAll(".o_api_docs_nav a[data-tag]")) {
        link.addEventListener("click", (ev) => {
            ev.preventDefault();
            const tag = link.dataset.tag;
            ui.layoutActions.show(["operations-tag", tag], true);
            window.history.replaceState(null, "", `#/${tag}`);
            window.requestAnimationFrame(() => {
                const section = document.getElementById(`operations-tag-${tag}`);
                section?.scrollIntoView({ behavior: "smooth", block: "start" });
            });
        });
    }
})();
