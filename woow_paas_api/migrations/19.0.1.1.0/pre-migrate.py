"""Idempotency keys belong to a credential (an API key or an OAuth2 client),
no longer to an API key alone: carry the stored keys over."""


def migrate(cr, version):
    cr.execute(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_name = 'woow_paas_api_idempotency' AND column_name = 'api_key_id'"
    )
    if not cr.fetchone():
        return
    cr.execute("ALTER TABLE woow_paas_api_idempotency ADD COLUMN IF NOT EXISTS credential varchar")
    cr.execute("UPDATE woow_paas_api_idempotency SET credential = 'key:' || api_key_id")
