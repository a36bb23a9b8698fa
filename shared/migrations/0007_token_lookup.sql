-- Every service's gate checks API tokens, but only the QR service (which manages them) and
-- the command line (the owner) may read the api_tokens table. The gates look a token up
-- through this function instead: it runs with its owner's rights (the migration role), finds
-- one live token by the SHA-256 it is given, notes its use and returns who it speaks for,
-- never the hashes of other tokens. The service roles are granted EXECUTE by ops/db_roles.py.
CREATE FUNCTION auth_token_principal(hash text)
RETURNS TABLE (id bigint, label text, role text, station_code text, zone text)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    UPDATE public.api_tokens SET last_used_at = now()
    WHERE token_hash = hash AND revoked_at IS NULL
    RETURNING id, label, role, station_code, zone
$$;
REVOKE EXECUTE ON FUNCTION auth_token_principal(text) FROM PUBLIC;
