"""The driver API (/driver/v1): how the bench automates an LGO. Editors implement the same API in
front of their own LGO (docs/driver-api.md); its OpenAPI is served at /driver/v1/openapi.json."""
