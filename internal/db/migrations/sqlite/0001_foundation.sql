-- Foundation: kommuner (tenants), the org tree, people, sign-in, API tokens and the import queue.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE tenants (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    oidc_issuer        TEXT NOT NULL DEFAULT '',
    oidc_client_id     TEXT NOT NULL DEFAULT '',
    oidc_client_secret TEXT NOT NULL DEFAULT '',
    oidc_enabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMP NOT NULL
);
CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    parent_id  INTEGER REFERENCES units(id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    manager_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    closed_at  TIMESTAMP
);
CREATE INDEX units_tenant_parent ON units (tenant_id, parent_id);
CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    unit_id       INTEGER REFERENCES units(id),
    employee_id   TEXT,
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    sort_key      BLOB NOT NULL,
    search        TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX people_tenant_employee ON people (tenant_id, employee_id) WHERE employee_id IS NOT NULL;
CREATE UNIQUE INDEX people_tenant_email ON people (tenant_id, email) WHERE email <> '';
CREATE INDEX people_unit_sort ON people (unit_id, sort_key);
CREATE INDEX people_tenant_sort ON people (tenant_id, sort_key);
CREATE INDEX people_email ON people (email);
CREATE TABLE person_roles (
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);
CREATE TABLE operators (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    person_id    INTEGER REFERENCES people(id) ON DELETE CASCADE,
    operator_id  INTEGER REFERENCES operators(id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE TABLE login_attempts (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_key_at ON login_attempts (key, at);
CREATE TABLE oidc_logins (
    state      TEXT PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE TABLE import_mappings (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    mapping   TEXT NOT NULL
);
CREATE TABLE import_jobs (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    filename    TEXT NOT NULL,
    status      TEXT NOT NULL,
    mapping     TEXT NOT NULL DEFAULT '',
    total       INTEGER NOT NULL DEFAULT 0,
    processed   INTEGER NOT NULL DEFAULT 0,
    result      TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT '',
    content     BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX import_jobs_status ON import_jobs (status, id);
